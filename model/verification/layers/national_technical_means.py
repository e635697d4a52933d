"""``national_technical_means``: national technical means.

National technical means (satellite imagery, energy use, supply-chain intelligence) that need no
access to the watched nation (Wasil et al. 2024). Watches declared and undeclared compute. Its
numbers (``[layers.national_technical_means]`` in ``sources.toml``) are illustrative and labelled
``speculative`` there: no source gives them.
"""

from model.verification.layers import Layer, register_layer

LAYER = register_layer(
    Layer(
        name="national_technical_means",
        title="National technical means",
        summary=(
            "Satellites, energy use and supply-chain intelligence: see hidden sites as well "
            "as declared ones, noisily and late."
        ),
        watches="both",
    )
)
