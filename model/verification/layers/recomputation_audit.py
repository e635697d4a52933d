"""``recomputation_audit``: recomputation audits of declared runs.

Parts of a declared run are recomputed to check that it is what was declared. Watches declared
compute. Its numbers (``[layers.recomputation_audit]`` in ``sources.toml``) are illustrative and
labelled ``speculative`` there: no source gives them.
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
