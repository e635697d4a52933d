"""``whistleblower``: whistleblower channels.

Insiders report violations through protected channels (Baker et al. 2025: personnel-based layers).
Watches declared and undeclared compute. Its detection (``[layers.whistleblower]`` in
``sources.toml``) cites an analogy (about a third of US corporate frauds ever detected, Dyck et
al. 2023, read as a monthly hazard of about 0.03); its other numbers are illustrative and
labelled ``speculative`` there.
"""

from model.verification.layers import Layer, register_layer

LAYER = register_layer(
    Layer(
        name="whistleblower",
        title="Whistleblower channels",
        summary=("Insiders report violations through protected channels, wherever the compute is."),
        watches="both",
    )
)
