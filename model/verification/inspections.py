"""Old path of :mod:`model.inspections` (who is inspected; graduated sanctions), kept importable.

The inspectorate is an engine part, not a regime: it lives in ``model/inspections.py``, and regime
discovery skips this module.
"""

from model.inspections import Inspectorate

__all__ = ["Inspectorate"]
