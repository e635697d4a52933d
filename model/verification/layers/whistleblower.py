"""``whistleblower``: whistleblower channels.

Insiders report violations through protected channels (Baker et al. 2025: personnel-based layers).
Watches declared and undeclared compute. Its numbers (``[layers.whistleblower]`` in
``sources.toml``) are illustrative and labelled ``speculative`` there: no source gives them.
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
