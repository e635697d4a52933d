"""``hardware_governance``: hardware-enabled governance.

Rules checked on the accelerator itself (Petrie et al. 2025; Kulp et al. 2024). Watches declared
compute. Its numbers (``[layers.hardware_governance]`` in ``sources.toml``) are illustrative and
labelled ``speculative`` there: no source gives them.
"""

from model.verification.layers import Layer, register_layer

LAYER = register_layer(
    Layer(
        name="hardware_governance",
        title="Hardware-enabled governance",
        summary=(
            "Rules checked on the accelerator itself (guarantee processor, secure enclosure) "
            "on chips built with the features."
        ),
        watches="declared",
    )
)
