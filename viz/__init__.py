"""The Solara browser app (to come: issue [app])."""
