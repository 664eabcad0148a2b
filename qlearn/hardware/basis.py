r"""From counts to expectation values: measurement settings and parities.

A device measures in the computational basis only. To estimate :math:`\langle P\rangle` of a
Pauli word, rotate each of its wires so that its letter becomes Z (X: a Hadamard; Y:
:math:`R_X(\pi/2)`, since :math:`R_X(\pi/2)^\dagger Z R_X(\pi/2) = Y`), measure, and average the
parity of the measured bits of its wires:

.. math:: \langle P\rangle = \sum_k p_k \prod_{w \in P} (1 - 2 b_w(k)).

Words that ask for the same letter on every shared wire (*qubit-wise commuting*) share one
setting, i.e. one circuit. :func:`settings` groups an observable list greedily.

Example:
    >>> s = settings([((1.0, ((0, "Z"),)),), ((1.0, ((0, "X"),)),), ((1.0, ((1, "Z"),)),)])
    >>> [(st.basis, st.terms) for st in s]
    [({0: 'Z', 1: 'Z'}, [(0, 1.0, ((0, 'Z'),)), (2, 1.0, ((1, 'Z'),))]), ({0: 'X'}, [(1, 1.0, ((0, 'X'),))])]
"""  # noqa: E501

from __future__ import annotations

import copy
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import torch

from qlearn.sim import Circuit
from qlearn.sim.measure import Observable, Word

Tensor = torch.Tensor


@dataclass
class Setting:
    """One measurement setting: the letter measured on each wire and the terms it serves.

    ``terms`` holds ``(observable index, coefficient, word)``.
    """

    basis: dict[int, str]
    terms: list[tuple[int, float, Word]] = field(default_factory=list)

    def accepts(self, word: Word) -> bool:
        return all(self.basis.get(w, c) == c for w, c in word)


def settings(observables: Sequence[Observable]) -> list[Setting]:
    """Group the words of ``observables`` into qubit-wise commuting settings (greedy)."""
    out: list[Setting] = []
    for index, obs in enumerate(observables):
        for coeff, word in obs:
            c = float(coeff.real if isinstance(coeff, complex) else coeff)
            home = next((s for s in out if s.accepts(word)), None)
            if home is None:
                home = Setting({})
                out.append(home)
            home.basis.update(dict(word))
            home.terms.append((index, c, word))
    return out or [Setting({})]


def rotated(circuit: Circuit, basis: dict[int, str]) -> Circuit:
    """A copy of ``circuit`` with the basis change of ``basis`` appended (no observables)."""
    c = copy.deepcopy(circuit)
    c.observables = []
    for wire, letter in sorted(basis.items()):
        if letter == "X":
            c.h(wire)
        elif letter == "Y":
            c.rx(wire, math.pi / 2)
    return c


def parity(probabilities: Tensor, word: Word, n_qubits: int) -> Tensor:
    r""":math:`\sum_k p_k \prod_{w\in P}(1-2b_w(k))` for batch-first probabilities ``(B, 2^n)``.

    Example:
        >>> parity(torch.tensor([[0.5, 0.0, 0.0, 0.5]]), ((0, "Z"), (1, "Z")), 2)
        tensor([1.])
    """
    k = torch.arange(2**n_qubits, device=probabilities.device)
    sign = torch.ones(2**n_qubits, dtype=probabilities.dtype, device=probabilities.device)
    for w, _ in word:
        sign = sign * (1 - 2 * ((k >> (n_qubits - 1 - w)) & 1)).to(probabilities.dtype)
    return probabilities @ sign


def expectations(
    per_setting: Sequence[Tensor], groups: Sequence[Setting], n_observables: int, n_qubits: int
) -> Tensor:
    """Expectation values ``(B, n_observables)`` from each setting's probabilities ``(B, 2^n)``."""
    batch = per_setting[0].shape[0]
    out = torch.zeros(batch, n_observables, dtype=torch.float64)
    for p, group in zip(per_setting, groups, strict=True):
        for index, coeff, word in group.terms:
            out[:, index] += coeff * parity(p.to(torch.float64), word, n_qubits)
    return out
