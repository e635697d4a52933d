"""The columns of the engine's per-step record, declared once.

Each period the compiled kernel (:func:`model.kernels.record`) sums the period into one row of
:class:`Rec` columns (counts and capability sums). The engine, the time series
(:class:`model.metrics.Records`), the event log's replay and the treaty read the row by these
names, never by number.
"""

from __future__ import annotations

import enum


class Rec(enum.IntEnum):
    """The columns of one period's kernel row (read by name: ``row[Rec.FLAGS]``)."""

    COMPLY_NATIONS = 0
    COMPLY_LABS = 1
    COMPLY_CAPABILITY_NATIONS = 2
    COMPLY_CAPABILITY_LABS = 3
    COMPLY_CAPABILITY_BOUND = 4
    CAUGHT_DOMESTIC = 5
    CAUGHT_INTERNATIONAL = 6
    FALSE_ALARMS = 7
    SANCTIONS_PAID = 8
    TOTAL_PAYOFF = 9
    BELIEF_SUM = 10
    CAPABILITY_NATIONS = 11
    CAPABILITY_LABS = 12
    CAPABILITY_BOUND = 13
    PAUSE_ACTIVE = 14
    N_REVISED = 15
    FLAGS = 16
    SANCTIONS_APPLIED = 17
    INSPECTIONS = 18
    MAX_CAPABILITY = 19
    MAX_CAPABILITY_DEFECTING = 20
    MAX_CAPABILITY_COMPLYING = 21


#: Column names of a kernel row, in column order.
REC_FIELDS = tuple(column.name.lower() for column in Rec)
N_REC = len(Rec)
