"""Actors and how they decide: the Nation and Lab Mesa agents and the decision rules.

This package is the ground floor: it imports nothing from ``model``, ``experiments`` or ``viz``.
"""
