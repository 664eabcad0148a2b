r"""Size a model to a parameter budget, so that tables compare models at matched sizes.

Example:
    >>> from functools import partial
    >>> from qlearn.models import MLP, QRUN, match_parameters
    >>> budget = QRUN(1, 32, 1, n_layers=2, seed=0).n_parameters
    >>> mlp = match_parameters(partial(MLP, 1, out_features=1, n_layers=2, seed=0), budget,
    ...                        over="hidden_features")
    >>> budget, mlp.n_parameters, mlp.net[0].out_features
    (1399, 1366, 35)
"""

from __future__ import annotations

from collections.abc import Callable

from torch import nn

from qlearn.models.base import n_parameters

__all__ = ["match_parameters"]


def match_parameters(
    factory: Callable[..., nn.Module],
    budget: int,
    *,
    over: str | None = None,
    lo: int = 1,
    hi: int = 4096,
    rtol: float = 0.1,
) -> nn.Module:
    r"""The model from ``factory(width)`` whose parameter count is closest to ``budget``.

    The count :math:`P(w)` of trainable scalars must not decrease with the width :math:`w`
    (true of every network in :mod:`qlearn.models`). A doubling search from ``lo``, then a
    bisection, finds the smallest :math:`w \in [\text{lo}, \text{hi}]` with
    :math:`P(w) \ge \text{budget}`; of :math:`w` and
    :math:`w - 1` the one closer to the budget wins. It must lie within ``rtol`` of the budget.

    Args:
        factory: builds a model from a width, called as ``factory(w)`` or, with ``over``,
            ``factory(**{over: w})`` (e.g. ``functools.partial(MLP, 1, out_features=1)`` with
            ``over="hidden_features"``).
        budget: the parameter count to match (e.g. ``qrun.n_parameters``).
        over: name of the width argument, or ``None`` to pass it positionally.
        lo, hi: the range of widths searched (``lo`` must be a width the factory accepts,
            e.g. 4 for :class:`~qlearn.models.FAN`).
        rtol: largest accepted relative difference :math:`|P(w) - \text{budget}| /
            \text{budget}`.

    Returns:
        The model (built once more with the chosen width).

    Raises:
        ValueError: if no width in range comes within ``rtol`` of the budget.
    """
    if isinstance(budget, bool) or not isinstance(budget, int) or budget < 1:
        raise ValueError(f"budget={budget!r} must be a positive integer (a parameter count).")
    for name, value in (("lo", lo), ("hi", hi)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name}={value!r} must be a positive integer width.")
    if lo > hi:
        raise ValueError(f"lo={lo} is larger than hi={hi}; pass lo <= hi.")
    if not rtol >= 0:
        raise ValueError(f"rtol={rtol!r} must be >= 0 (0.1 means within 10%).")

    def build(width: int) -> nn.Module:
        return factory(width) if over is None else factory(**{over: width})

    cache: dict[int, int] = {}

    def count(width: int) -> int:
        if width not in cache:
            cache[width] = n_parameters(build(width))
        return cache[width]

    a, b = lo, lo  # gallop (doubling) so that no needlessly large model is built ...
    while count(b) < budget and b < hi:
        a, b = b + 1, min(2 * b, hi)
    if count(b) < budget:
        a = b
    while a < b:  # ... then bisect for the smallest width with count >= budget
        mid = (a + b) // 2
        if count(mid) >= budget:
            b = mid
        else:
            a = mid + 1
    best = min({a, max(lo, a - 1)}, key=lambda w: (abs(count(w) - budget), w))
    error = abs(count(best) - budget) / budget
    if error > rtol:
        raise ValueError(
            f"no width in [lo={lo}, hi={hi}] gives a model within rtol={rtol} of "
            f"budget={budget}: the closest is width {best} with {count(best)} parameters "
            f"({error:.0%} off). Widen lo/hi, raise rtol, or change another size argument "
            "(e.g. n_layers)."
        )
    return build(best)
