r"""Checks for the chapter 3 exercises (``exercises/ch03_exercises.ipynb``).

=====  ===========================================  ==========================================
check  the student writes                           what it verifies
=====  ===========================================  ==========================================
ex1    ``qiren_parameters(d, out, width, hidden,    the parameter count of a QIREN network,
       L, K)``                                      against the built
                                                    :class:`~qlearn.models.QIREN`
ex2    ``layer_frequencies(scales, L)``             the frequencies (in the input) of a hybrid
                                                    layer whose angles are
                                                    :math:`a_j = c_j x`, against the sum set
                                                    and the coefficients measured on a
                                                    :class:`~qlearn.models.QIRENLayer`
ex3    ``shots_needed(z, eps)``                     the shots that bring the standard error of
                                                    a :math:`\langle Z\rangle` estimate to
                                                    ``eps``, against the formula and a
                                                    simulation with :class:`qlearn.sim.Noise`
=====  ===========================================  ==========================================

Example:
    >>> from qlearn import checks
    >>> checks.ch03.ex3(lambda z, eps: 1)
    ❌ ch03.ex3 failed: shots_needed(0, 0.1) = 1, but with 1 shot the standard error is 1 > 0.1. An estimate from S shots of ±1 outcomes has variance (1 − z²)/S.
"""  # noqa: E501

from __future__ import annotations

import math

import torch

from qlearn import fourier
from qlearn.checks import call, check, expect, fail, to_tensor
from qlearn.models import QIREN, QIRENLayer
from qlearn.sim import Circuit, Noise, NoisyCircuit

F64 = torch.float64

__all__ = ["ex1", "ex2", "ex3"]


# --------------------------------------------------------------------------------------------
# Exercise 1: counting parameters

EX1_CASES = (
    (1, 1, 8, 2, 2, 2),
    (2, 1, 8, 2, 2, 2),
    (3, 2, 5, 0, 3, 1),
    (1, 3, 4, 1, 1, 2),
    (2, 2, 6, 3, 4, 3),
)


@check
def ex1(qiren_parameters):
    """Exercise 1: ``qiren_parameters(d, out, width, hidden, L, K)`` -> the count of QIREN."""
    for d, out, n, hidden, L, K in EX1_CASES:
        label = f"qiren_parameters({d}, {out}, {n}, {hidden}, {L}, {K})"
        got = call(qiren_parameters, d, out, n, hidden, L, K, label=label)
        expect(isinstance(got, int) and not isinstance(got, bool), f"{label} returned "
               f"{type(got).__name__}; return an int.")  # fmt: skip
        want = QIREN(d, out, n, hidden, L, block_depth=K, seed=0).n_parameters
        if got == want:
            continue
        layers = hidden + 1
        circuit = 3 * K * n * (L + 1)
        hints = {
            want - layers * 2 * n: "BatchNorm1d has two trainable vectors per layer (γ and β: "
            "2·width).",
            want - layers * 3 * K * n: "every circuit has L + 1 trainable blocks (one before each "
            "re-upload and a final one).",
            want - circuit - (d + 1) * n - 2 * n: "count the first hybrid layer (in_features → "
            "width) as well as the n_hidden_layers after it.",
            want - out: "the output layer has a bias.",
            want - layers * n: "every Linear has a bias.",
        }  # fmt: skip
        hint = hints.get(
            got,
            "count per hybrid layer: Linear (in+1)·width, BatchNorm 2·width, "
            "circuit 3·K·width·(L+1); then the output Linear (width+1)·out.",
        )
        fail(f"{label} = {got}, but the model has {want} parameters; {hint}")
    return ("per hybrid layer (in+1)·n + 2n + 3Kn(L+1), plus (n+1)·out: the reference network "
            "(1 input, width 8, 2 hidden layers, L = K = 2) has 649, almost half of them (432) in "
            "the circuits.")  # fmt: skip


# --------------------------------------------------------------------------------------------
# Exercise 2: the frequencies of a hybrid layer

EX2_CASES = (([1], 1), ([1], 3), ([1, 2], 1), ([1, 3], 2), ([2, 3], 1), ([1, 1, 1], 1),
             ([0.5, 2.0], 2))  # fmt: skip


def _sum_set(scales, L: int) -> list[float]:
    freqs = {0.0}
    for c in scales:
        freqs = {round(f + m * c, 8) + 0.0 for f in freqs for m in range(-L, L + 1)}
    return sorted(freqs)


def _measured(scales, L: int) -> list[float]:
    """Frequencies present in any output of a QIRENLayer with integer angle scales."""
    layer = QIRENLayer(1, len(scales), L, batchnorm=False, seed=3, dtype=F64, device="cpu")
    with torch.no_grad():
        layer.linear.weight.copy_(torch.tensor(scales, dtype=F64)[:, None])
        layer.linear.bias.zero_()
    degree = int(L * sum(abs(c) for c in scales))
    found = set()
    for q in range(len(scales)):
        c = fourier.coefficients(layer, degree, output=q)
        found |= {float(k) for k in range(-degree, degree + 1) if c[k + degree].abs() > 1e-9}
    return sorted(found)


@check
def ex2(layer_frequencies):
    """Exercise 2: ``layer_frequencies(scales, L)`` -> sorted distinct frequencies in x."""
    for scales, L in EX2_CASES:
        label = f"layer_frequencies({scales}, {L})"
        value = call(layer_frequencies, list(scales), L, label=label)
        if isinstance(value, int | float):
            fail(f"{label} returned the number {value!r}; return the list of frequencies.")
        got = [round(float(f), 8) + 0.0 for f in to_tensor(value, label).reshape(-1)]
        want = _sum_set(scales, L)
        expect(len(set(got)) == len(got), f"{label} repeats frequencies; return each once.")
        missing, extra = sorted(set(want) - set(got)), sorted(set(got) - set(want))
        if missing and all(f < 0 for f in missing):
            fail(f"{label} is missing the negative frequencies {missing[:5]}: a real output has "
                 "c_{−ω} = conj(c_ω), so ω and −ω come together.")  # fmt: skip
        if missing and len(scales) > 1 and set(got) >= set(_sum_set([scales[0]], L)):
            if set(got) == set().union(*(_sum_set([c], L) for c in scales)):
                fail(f"{label} lists each qubit's frequencies separately; the entangled circuit "
                     "multiplies terms of all qubits, so the frequencies of different qubits "
                     f"add: m_1 c_1 + m_2 c_2 + …  (missing {missing[:5]}).")  # fmt: skip
        if missing or extra:
            fail(f"{label} = {got[:9]}{'…' if len(got) > 9 else ''}; expected the sums Σ_j m_j "
                 f"c_j with every m_j ∈ {{−L, …, L}} ({len(want)} values; missing "
                 f"{missing[:4]}, extra {extra[:4]}).")  # fmt: skip
        expect(got == sorted(got), f"{label} is not sorted; return sorted(...).")
    for scales, L in (([1, 3], 1), ([1, 2], 2)):
        measured = _measured(scales, L)
        got = [round(float(f), 8) + 0.0 for f in layer_frequencies(list(scales), L)]
        expect(set(measured) <= set(got), f"a QIRENLayer with scales {scales} and L={L} "
               f"contains the frequencies {sorted(set(measured) - set(got))} that "
               f"layer_frequencies({scales}, {L}) does not list.")  # fmt: skip
    return ("a hybrid layer's outputs can contain every Σ_j m_j c_j, m_j ∈ {−L, …, L}: up to "
            "(2L+1)^width frequencies, set by the Linear (and BatchNorm) scales c_j; measured on "
            "a QIRENLayer, they all appear.")  # fmt: skip


# --------------------------------------------------------------------------------------------
# Exercise 3: how many shots?

EX3_CASES = ((0.0, 0.1, 100), (0.0, 0.01, 10000), (0.6, 0.1, 64), (0.5, 0.03, 834),
             (1.0, 0.01, 1), (-0.8, 0.05, 144), (0.3, 0.2, 23))  # fmt: skip


def _want(z: float, eps: float) -> int:
    return max(1, math.ceil((1 - z * z) / eps**2 - 1e-9))


@check
def ex3(shots_needed):
    """Exercise 3: ``shots_needed(z, eps)`` -> the fewest shots with standard error <= eps."""
    for z, eps, want in EX3_CASES:
        assert _want(z, eps) == want
        label = f"shots_needed({z:g}, {eps:g})"
        got = call(shots_needed, z, eps, label=label)
        expect(isinstance(got, int) and not isinstance(got, bool), f"{label} returned "
               f"{type(got).__name__} {got!r}; return an int (math.ceil).")  # fmt: skip
        if got == want:
            continue
        std = math.sqrt((1 - z * z) / got) if got > 0 else math.inf
        if got < want:
            fail(f"{label} = {got}, but with {got} shot{'s' * (got != 1)} the standard error is "
                 f"{std:.3g} > {eps:g}. An estimate from S shots of ±1 outcomes has variance "
                 "(1 − z²)/S.")  # fmt: skip
        if got == max(1, math.ceil(1 / eps**2)):
            fail(f"{label} = {got}: that is the worst case z = 0. A ±1 outcome with mean z has "
                 "variance 1 − z², so fewer shots suffice when |z| is near 1.")  # fmt: skip
        fail(
            f"{label} = {got}, but {want} shots already give a standard error "
            f"{math.sqrt((1 - z * z) / want):.3g} <= {eps:g}; return the smallest such S."
        )
    # The simulator agrees: the spread of NoisyCircuit estimates at that many shots.
    c = Circuit(1)
    x = c.inputs(1)
    c.ry(0, x[0])
    c.expval("Z", 0)
    z, eps = 0.5, 0.05
    s = shots_needed(z, eps)
    noisy = NoisyCircuit(c.module(dtype=F64, seed=0), Noise(shots=s, seed=0))
    with torch.no_grad():
        est = noisy(torch.full((4000, 1), math.acos(z), dtype=F64))[:, 0]
    measured = float(est.std())
    expect(measured < 1.1 * eps, f"with shots_needed({z}, {eps}) = {s} shots the simulated "
           f"estimates spread by {measured:.3g}, more than {eps}.")  # fmt: skip
    return (
        f"S = ⌈(1 − z²)/ε²⌉: 100 shots for ε = 0.1 at z = 0, 10 000 for ε = 0.01; at z = 0.5 "
        f"and ε = 0.05 the simulator's {s}-shot estimates spread by {measured:.3f}."
    )
