"""``chip_tracking``: chip tracking and location verification.

Chip tracking and location verification of accelerators (Shavit 2023; Baker et al. 2025). Watches
declared compute (the tracked chips; smuggled or untracked chips are the undeclared share). Its
numbers (``[layers.chip_tracking]`` in ``sources.toml``) are illustrative and labelled
``speculative`` there: no source gives them.
"""

from model.verification.layers import Layer, register_layer

LAYER = register_layer(
    Layer(
        name="chip_tracking",
        title="Chip tracking and location verification",
        summary=(
            "Tracked accelerators report where they are: tracked chips gathered for a "
            "forbidden run are seen; untracked ones are not."
        ),
        watches="declared",
    )
)
