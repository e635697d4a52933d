"""``workload_monitor``: attached workload monitors.

Devices attached to declared clusters record what they compute (Baker et al. 2025). Watches declared
compute. Its numbers (``[layers.workload_monitor]`` in ``sources.toml``) are illustrative and
labelled ``speculative`` there: no source gives them.
"""

from model.verification.layers import Layer, register_layer

LAYER = register_layer(
    Layer(
        name="workload_monitor",
        title="Attached workload monitors",
        summary=("Devices attached to declared clusters record what the chips compute."),
        watches="declared",
    )
)
