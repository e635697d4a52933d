"""``onsite_inspection``: on-site inspection.

Inspectors visit declared sites (Wasil et al. 2024: access-dependent methods). Watches declared
compute. Its numbers (``[layers.onsite_inspection]`` in ``sources.toml``) are illustrative and
labelled ``speculative`` there: no source gives them.
"""

from model.verification.layers import Layer, register_layer

LAYER = register_layer(
    Layer(
        name="onsite_inspection",
        title="On-site inspection",
        summary=(
            "Inspectors visit declared data centres: thorough where they are let in, blind "
            "elsewhere."
        ),
        watches="declared",
    )
)
