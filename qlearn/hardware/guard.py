r"""The cost and safety guard: count before you submit, and submit only on purpose.

:func:`estimate` says how many jobs, circuits and shots a run would take on a target and, where
prices are given (:class:`Rates`), what it would cost:

.. math:: \text{cost} = n_\text{jobs}\, r_\text{job} + n_\text{circuits}\, r_\text{circuit}
          + n_\text{circuits}\, \text{shots}\, r_\text{shot}.

:func:`approve` lets a real-device submission through only with ``confirm=True`` or a
``budget`` that covers a known cost. Credentials come only from environment variables
(:func:`credential`) and are never printed, returned in results or stored.

Example:
    >>> est = Estimate(target="braket:sv1", jobs=300, circuits=300, shots=100,
    ...                rates=Rates(per_circuit=0.3, per_shot=0.00035))
    >>> est.total_shots, round(est.cost, 2)
    (30000, 100.5)
    >>> approve(est, real=True)
    Traceback (most recent call last):
    ...
    qlearn.hardware.guard.SubmissionRefused: refusing to submit to braket:sv1 (300 jobs, 300 circuits, 30000 shots, about 100.50 USD) without confirmation; pass confirm=True, or budget=... at least the cost, or dry_run=True to only count.
"""  # noqa: E501

from __future__ import annotations

import math
import os
from dataclasses import asdict, dataclass, field


class SubmissionRefused(PermissionError):
    """The guard refused to submit to a real device (no confirmation, or over budget)."""


class MissingCredentialsError(RuntimeError):
    """A real device was asked for, but its credentials are not in the environment."""


@dataclass(frozen=True)
class Rates:
    """Prices of a device (any currency), per job (IBM), per circuit/task (Braket) and shot."""

    per_job: float = 0.0
    per_circuit: float = 0.0
    per_shot: float = 0.0
    currency: str = "USD"

    def __post_init__(self):
        for name in ("per_job", "per_circuit", "per_shot"):
            value = getattr(self, name)
            if not isinstance(value, int | float) or value < 0 or not math.isfinite(value):
                raise ValueError(f"{name}={value!r} must be a non-negative price.")


@dataclass
class Estimate:
    """What a run would submit: jobs, circuits, shots per circuit and (with rates) the cost."""

    target: str
    jobs: int
    circuits: int
    shots: int | None
    rates: Rates | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def total_shots(self) -> int:
        return self.circuits * (self.shots or 0)

    @property
    def cost(self) -> float | None:
        if self.rates is None:
            return None
        r = self.rates
        return self.jobs * r.per_job + self.circuits * r.per_circuit + self.total_shots * r.per_shot

    def to_dict(self) -> dict:
        d = asdict(self)
        d.update(total_shots=self.total_shots, cost=self.cost)
        return d

    def __str__(self) -> str:
        text = (f"{self.target}: {self.jobs} job(s), {self.circuits} circuit(s), "
                f"{self.total_shots} shots")  # fmt: skip
        if self.cost is not None and self.rates is not None:
            text += f", about {self.cost:.2f} {self.rates.currency}"
        return text + "".join(f"\n  note: {n}" for n in self.notes)


def approve(
    est: Estimate, *, real: bool, confirm: bool = False, budget: float | None = None
) -> None:
    """Raise :class:`SubmissionRefused` unless a real-device run is confirmed or within budget.

    Emulators and simulators (``real=False``) are always allowed.
    """
    if not real:
        return
    what = (f"{est.target} ({est.jobs} jobs, {est.circuits} circuits, {est.total_shots} shots"
            + (f", about {est.cost:.2f} {est.rates.currency})" if est.cost is not None
               and est.rates is not None else ", cost unknown: no rates given)"))  # fmt: skip
    if budget is not None:
        if est.cost is None:
            raise SubmissionRefused(
                f"budget={budget!r} given but the cost of {what} is unknown; pass rates=Rates(...) "
                "so the guard can compare, or confirm=True to submit anyway."
            )
        if est.cost > budget:
            raise SubmissionRefused(
                f"refusing to submit to {what}: the cost exceeds budget={budget!r}; lower the "
                "shots or the batch, or raise the budget."
            )
        return
    if not confirm:
        raise SubmissionRefused(
            f"refusing to submit to {what} without confirmation; pass confirm=True, or "
            "budget=... at least the cost, or dry_run=True to only count."
        )


def credential(name: str, purpose: str) -> str:
    """The value of environment variable ``name`` (never printed), or a clear error.

    Example:
        >>> credential("QLEARN_NO_SUCH_TOKEN", "a doctest")
        Traceback (most recent call last):
        ...
        qlearn.hardware.guard.MissingCredentialsError: a doctest needs the environment variable QLEARN_NO_SUCH_TOKEN, which is not set; export it in the shell that starts Python (never write it into a notebook or a file that you commit).
    """  # noqa: E501
    value = os.environ.get(name, "").strip()
    if not value:
        raise MissingCredentialsError(
            f"{purpose} needs the environment variable {name}, which is not set; export it in "
            "the shell that starts Python (never write it into a notebook or a file that you "
            "commit)."
        )
    return value
