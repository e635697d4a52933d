"""``recomputation_audit``: recomputation audits of declared runs.

Parts of a declared run are recomputed to check that it is what was declared. Watches declared
compute. Its detection and false alarms (``[layers.recomputation_audit]`` in ``sources.toml``)
cite an analogy (recomputation checks with no false positives or negatives in their tests:
TOPLOC, Ong et al. 2025; Choi et al. 2023); its lag and costs are illustrative and labelled
``speculative`` there.
"""

from model.verification.layers import Layer, register_layer

LAYER = register_layer(
    Layer(
        name="recomputation_audit",
        title="Recomputation audits of declared runs",
        summary=("Parts of a declared run are recomputed to check that it did what was declared."),
        watches="declared",
    )
)
