"""``onsite_inspection``: on-site inspection.

Inspectors visit declared sites (Wasil et al. 2024: access-dependent methods). Watches declared
compute. Its detection and lag (``[layers.onsite_inspection]`` in ``sources.toml``) cite the
IAEA's goals by analogy, as the ``onsite_inspections`` regime does, and its false alarms are our
estimate between two readings of the IAEA's test level; its costs are illustrative and labelled
``speculative`` there (Bragin et al. 1998's ratio of timely to inventory inspections' cost is in
the note).
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
