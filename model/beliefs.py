"""Beliefs learned from verification: a grid posterior over rivals' defection rate.

Under ``information=bayesian`` each actor keeps a posterior over ``theta``, the defection rate
of its rivals, on a grid of :data:`GRID` midpoints in (0, 1) (exact up to the grid). Each period
it sees ``f_k``, the capability- and rivalry-weighted share of its rivals that were flagged
internationally. A flag is not a Bernoulli draw of ``theta``: a rival is flagged with
probability ``pi(theta) = theta * p_eff + (1 - theta) * q`` (a defector is detected with the
effective detection ``p_eff``, a complier falsely flagged with ``q``), so a Beta prior is not
conjugate. The likelihood treats the weighted share as a binomial proportion over an effective
number of rivals ``n_eff = (sum v c)^2 / sum v c^2`` (Kish), and forgetting tempers the old
posterior towards the prior:

    log post_t = (1 - lambda) log post_{t-1} + lambda log prior
                 + n_eff (f log pi(theta) + (1 - f) log(1 - pi(theta)))     (then normalised)

The belief that race pressure and every rule use is the posterior mean. With ``p_eff = q`` (for
example no verification at all) flags carry no information and the posterior stays at the prior.

References:
    Kish, L. (1965). *Survey Sampling*. Wiley (effective sample size).
    Kulhavy, R. and Zarrop, M. B. (1993). On a general concept of forgetting. *International
    Journal of Control* 58(4), 905-924.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

#: Grid points of the posterior.
GRID = 101
_EPS = 1e-12


class GridPosterior:
    """Per-actor posteriors over rivals' defection rate on a fixed grid.

    Args:
        n_actors: Number of actors.
        prior_mean: Mean of the Beta prior, in (0, 1).
        prior_strength: ``a + b`` of the Beta prior (pseudo-observations); 0 is uniform.
    """

    def __init__(self, n_actors: int, prior_mean: float, prior_strength: float) -> None:
        self.theta = (np.arange(GRID) + 0.5) / GRID
        a = prior_mean * prior_strength
        b = (1.0 - prior_mean) * prior_strength
        log_prior = (
            (a - 1.0) * _log(self.theta) + (b - 1.0) * _log1p(-self.theta)
            if prior_strength > 0
            else np.zeros(GRID)
        )
        self.log_prior = log_prior - _logsumexp(log_prior)
        self.log_post = np.tile(self.log_prior, (n_actors, 1))

    def mean(self) -> np.ndarray:
        """Posterior mean of each actor's belief, shape (N,)."""
        # a row sum, not BLAS's dot: the same bits with every BLAS build and machine
        return np.sum(_exp(self.log_post) * self.theta, axis=1)

    def update(
        self,
        flagged_share: np.ndarray,
        n_eff: np.ndarray,
        p_eff: float,
        q: float,
        forgetting: float,
    ) -> None:
        """One period's update from the flagged shares ``f_k`` (see the module docstring)."""
        pi = np.clip(self.theta * p_eff + (1.0 - self.theta) * q, _EPS, 1.0 - _EPS)
        f = np.clip(flagged_share, 0.0, 1.0)[:, None]
        loglik = n_eff[:, None] * (f * _log(pi) + (1.0 - f) * _log1p(-pi))
        if p_eff == q:
            loglik = np.zeros_like(loglik)  # flags say nothing about theta
        post = (1.0 - forgetting) * self.log_post + forgetting * self.log_prior + loglik
        self.log_post = post - _logsumexp(post)[:, None]


def _logsumexp(x: np.ndarray) -> np.ndarray:
    top = np.max(x, axis=-1, keepdims=True)
    return (top + _log(np.sum(_exp(x - top), axis=-1, keepdims=True))).squeeze(-1)


# exp, log and log1p of float64 arrays, element by element with the C library's functions.
# numpy's own ufuncs take SIMD code on machines with AVX-512 (last-bit differences from the C
# library's results elsewhere): these give the same bits on every x86-64 machine, so a seed's
# Bayesian beliefs (and the golden runs) do not depend on the CPU.
@njit(cache=True)
def _exp_flat(x: np.ndarray, out: np.ndarray) -> None:  # pragma: no cover - compiled
    for i in range(x.size):
        out[i] = math.exp(x[i])


@njit(cache=True)
def _log_flat(x: np.ndarray, out: np.ndarray) -> None:  # pragma: no cover - compiled
    for i in range(x.size):
        out[i] = math.log(x[i])


@njit(cache=True)
def _log1p_flat(x: np.ndarray, out: np.ndarray) -> None:  # pragma: no cover - compiled
    for i in range(x.size):
        out[i] = math.log1p(x[i])


def _apply(kernel, x: np.ndarray) -> np.ndarray:  # type: ignore[no-untyped-def]
    flat = np.ascontiguousarray(x, dtype=np.float64).ravel()
    out = np.empty_like(flat)
    kernel(flat, out)
    return out.reshape(np.shape(x))


def _exp(x: np.ndarray) -> np.ndarray:
    return _apply(_exp_flat, x)


def _log(x: np.ndarray) -> np.ndarray:
    return _apply(_log_flat, x)


def _log1p(x: np.ndarray) -> np.ndarray:
    return _apply(_log1p_flat, x)
