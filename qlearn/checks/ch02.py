r"""Checks for the chapter 2 exercises (``exercises/ch02_exercises.ipynb``).

=====  =====================================  ================================================
check  the student writes                     what it verifies
=====  =====================================  ================================================
ex1    ``serial_spectrum(n_layers, scales)``  the frequencies of L serial encodings
                                              :math:`R_X(a_\ell x)`, against
                                              :func:`qlearn.fourier.spectrum` of circuits
                                              built with those scales
ex2    ``fourier_coefficients(f, degree)``    :math:`c_{-D}, \dots, c_D` of a periodic function
                                              from samples, against
                                              :func:`qlearn.fourier.coefficients`
ex3    ``smallest_model(degree, seed)``       a model whose spectrum covers
                                              :math:`\{-D, \dots, D\}` with the fewest encoding
                                              gates, and which fits a degree-4 series
=====  =====================================  ================================================

Example:
    >>> from qlearn import checks
    >>> checks.ch02.ex1(lambda n_layers, scales=None: list(range(-n_layers, n_layers + 1)))
    ❌ ch02.ex1 failed: serial_spectrum(2, scales=[1, 3]) is missing the frequencies [-4, -3, 3, 4] and has no extra ones. Each gate R_X(a x) contributes −a, 0 or +a, so scales change which sums occur.
"""  # noqa: E501

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import torch
from torch import nn

from qlearn import fourier
from qlearn.ansatz import reuploading
from qlearn.checks import (
    CheckFailed,
    assert_close,
    call,
    check,
    expect,
    fail,
    short_repr,
    to_tensor,
)
from qlearn.data import fourier_series
from qlearn.sim import Circuit, CircuitModule
from qlearn.train import fit

__all__ = ["ex1", "ex2", "ex3"]

F64 = torch.float64


def _fmt(values: Sequence[float]) -> str:
    return "[" + ", ".join(f"{v:g}" for v in values) + "]"


# --------------------------------------------------------------------------------------------
# Exercise 1: the spectrum of L serial Pauli encodings


def _frequency_list(value: Any, label: str) -> list[float]:
    """The student's frequencies as a sorted list of rounded floats (duplicates rejected)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        fail(
            f"{label} returned the number {value!r}; return the frequencies themselves (a list "
            "such as [-1, 0, 1]), not how many there are."
        )
    if isinstance(value, set | frozenset):
        value = sorted(value)
    t = to_tensor(value, label)
    expect(t.ndim == 1, f"{label} has shape {tuple(t.shape)}; return a flat list of frequencies.")
    expect(not t.is_complex(), f"{label} holds complex numbers; frequencies are real.")
    freqs = [round(float(v), 8) + 0.0 for v in t]
    expect(
        len(set(freqs)) == len(freqs),
        f"{label} lists some frequencies more than once ({_fmt(sorted(freqs))}); the spectrum "
        "is a set: keep each frequency once (e.g. sorted(set(...))).",
    )
    return sorted(freqs)


def _spectrum_of(n_layers: int, scales: Sequence[float] | None) -> list[float]:
    circuit = reuploading(1, 1, n_layers, scaling=None if scales is None else list(scales))
    return [round(f, 8) + 0.0 for f in fourier.spectrum(circuit)[0]]


_EX1_CASES: list[tuple[int, list[float] | None]] = [
    (1, None),
    (2, None),
    (3, None),
    (5, None),
    (2, [1, 3]),
    (3, [1, 3, 9]),
    (2, [2, 2]),
    (2, [1, 2]),
    (3, [1, 1, 3]),
    (2, [0.5, 1.5]),
]


@check
def ex1(serial_spectrum: Callable[..., Any]) -> str:
    r"""``serial_spectrum(n_layers, scales=None)``: the sorted frequencies of a one-qubit model
    with ``n_layers`` encodings :math:`R_X(a_\ell x)` (scales :math:`a_\ell`, all 1 for
    ``None``), checked against :func:`qlearn.fourier.spectrum` of such circuits."""
    for n_layers, scales in _EX1_CASES:
        args = (n_layers,) if scales is None else (n_layers, list(scales))
        label = f"serial_spectrum({n_layers}" + ("" if scales is None else f", scales={scales}")
        label += ")"
        got = _frequency_list(call(serial_spectrum, *args, label=label), label)
        want = _spectrum_of(n_layers, scales)
        if got == want:
            continue
        if got == [f for f in want if f >= 0]:
            fail(
                f"{label} returned only the non-negative frequencies {_fmt(got)}. The spectrum "
                "is symmetric: with ω it contains −ω (the model is real, c_−ω is the conjugate "
                "of c_ω)."
            )
        missing = sorted(set(want) - set(got))
        extra = sorted(set(got) - set(want))
        hint = (
            f"{label} is missing the frequencies {_fmt(missing)}"
            if missing
            else f"{label} has all the frequencies"
        )
        hint += f" and has extra ones {_fmt(extra)}." if extra else " and has no extra ones."
        if scales is None:
            hint += (
                f" Each of the {n_layers} gates R_X(x) contributes −1, 0 or +1 (differences of "
                "the eigenvalues ±1/2 of X/2); the spectrum holds all their sums."
            )
        elif extra and not missing:
            hint += (
                " Not every number up to Σ a_ℓ is a sum: a frequency is ω_1 + … + ω_L with each "
                "ω_ℓ one of −a_ℓ, 0, +a_ℓ."
            )
        else:
            hint += (
                " Each gate R_X(a x) contributes −a, 0 or +a, so scales change which sums occur."
            )
        fail(hint)
    return (
        "the spectrum of L serial encodings R_X(a_ℓ x) is the sum set of {−a_ℓ, 0, a_ℓ}: "
        "{−L, …, L} with unit scales, all 3^L integers up to (3^L − 1)/2 with scales 3^ℓ."
    )


# --------------------------------------------------------------------------------------------
# Exercise 2: Fourier coefficients from samples


def _test_functions() -> list[tuple[str, Callable[[torch.Tensor], torch.Tensor], int]]:
    def trig(x: torch.Tensor) -> torch.Tensor:
        return 0.5 + torch.cos(x) + 0.25 * torch.sin(3 * x) - 0.1 * torch.cos(2 * x + 0.3)

    from qlearn.models import DRQC

    model = DRQC(1, 1, 2, seed=3, dtype=F64, device="cpu")

    def quantum(x: torch.Tensor) -> torch.Tensor:
        with torch.no_grad():
            return model(x.to(F64))[:, 0]

    return [
        ("0.5 + cos x + 0.25 sin 3x − 0.1 cos(2x + 0.3)", trig, 3),
        ("the same function", trig, 5),
        ("a random DRQC(1, 1, 2)", quantum, 4),
    ]


def _closed_grid_coefficients(f, degree: int) -> torch.Tensor:
    """What the sum gives with the endpoint 2π included (N = 2D + 1 points of [0, 2π])."""
    n = 2 * degree + 1
    x = torch.linspace(0, 2 * math.pi, n, dtype=F64)
    k = torch.arange(-degree, degree + 1, dtype=F64)
    return (f(x)[:, None] * torch.exp(-1j * x[:, None] * k)).mean(0)


@check
def ex2(fourier_coefficients: Callable[..., Any]) -> str:
    r"""``fourier_coefficients(f, degree)``: the complex ``(2D+1,)`` coefficients
    :math:`c_{-D}, \dots, c_D` of a :math:`2\pi`-periodic function ``f`` (which maps a ``(N,)``
    tensor of inputs to ``(N,)`` values), checked against :func:`qlearn.fourier.coefficients`."""
    for name, f, degree in _test_functions():
        label = f"fourier_coefficients(f, {degree}) for f(x) = {name}"
        got = to_tensor(call(fourier_coefficients, f, degree, label=label), label)
        want = fourier.coefficients(lambda x, f=f: f(x[:, 0]), degree=degree)
        expect(
            tuple(got.shape) == (2 * degree + 1,),
            f"{label} has shape {tuple(got.shape)}; return the {2 * degree + 1} coefficients "
            f"c_−{degree}, …, c_{degree} in this order.",
        )
        if not got.is_complex() and want.imag.abs().max() > 1e-8:
            fail(
                f"{label} is real, but the coefficients of this function are complex (a sine "
                "has imaginary c_k); keep the complex result of the sum (or FFT)."
            )
        got = got.to(torch.complex128)
        wrong = {
            "is too large by the factor N: divide the sum by the number of samples, "
            "c_k = (1/N) Σ_m f(x_m) e^{−ikx_m}.": want * (2 * degree + 1),
            "has the coefficients of −k at k (the complex conjugates): the analysis formula "
            "uses e^{−ikx}, not e^{+ikx}.": want.flip(0),
            "is in FFT order (c_0, c_1, …, c_D, c_−D, …, c_−1); reorder it to c_−D, …, c_D, "
            "e.g. with torch.fft.fftshift or by indexing with k % N.": torch.roll(want, -degree),
            "is slightly off because the sample points include x = 2π, which repeats x = 0 for "
            "a periodic function: use x_m = 2πm/N for m = 0, …, N−1 "
            "(torch.arange(N) * 2 * math.pi / N).": _closed_grid_coefficients(f, degree),
        }
        for hint, values in wrong.items():
            if torch.allclose(got, values.to(torch.complex128), atol=1e-8):
                fail(f"{label} {hint}")
        try:
            assert_close(got, want, atol=1e-8, what=label)
        except CheckFailed as err:
            raise CheckFailed(
                f"{err} Sample f at N ≥ 2D + 1 equispaced points x_m = 2πm/N of one period and "
                "compute c_k = (1/N) Σ_m f(x_m) e^{−ikx_m} for k = −D, …, D."
            ) from None
    return (
        "the coefficients agree with qlearn.fourier.coefficients to 1e-8, for a trigonometric "
        "polynomial and a quantum model; with N ≥ 2D + 1 samples nothing aliases."
    )


# --------------------------------------------------------------------------------------------
# Exercise 3: the fewest encodings for a degree-D series


def _circuit_and_module(value: Any, label: str, seed: int) -> tuple[Circuit, nn.Module]:
    if isinstance(value, Circuit):
        return value, value.module(seed=seed, dtype=F64, device="cpu")
    if isinstance(value, CircuitModule):
        return value.circuit, value
    circuit = getattr(value, "circuit", None)
    if isinstance(value, nn.Module) and isinstance(circuit, Circuit):
        return circuit, value
    fail(
        f"{label} returned {short_repr(value)}; return a model built on a circuit, such as "
        "DRQC(1, ...) (or a qlearn.sim.Circuit)."
    )
    raise AssertionError  # unreachable


def _n_encodings(circuit: Circuit) -> int:
    return sum(1 for op in circuit.ops for a in op.angles if a.uses_input)


def _fewest(degree: int) -> int:
    k = 0
    while 3**k < 2 * degree + 1:
        k += 1
    return k


@check
def ex3(smallest_model: Callable[..., Any]) -> str:
    r"""``smallest_model(degree, seed)``: a one-input model whose spectrum contains every
    integer :math:`|k| \le D` with the fewest possible encoding gates (checked for
    D = 1, 4, 5, 13, 40, 121), and that fits a random degree-4 series (mean squared error below
    1e-3 after 300 Adam steps)."""
    for degree in (1, 4, 5, 13, 40, 121):
        label = f"smallest_model({degree}, seed=0)"
        circuit, _ = _circuit_and_module(
            call(smallest_model, degree, seed=0, label=label), label, 0
        )
        expect(
            circuit.n_inputs == 1,
            f"{label} takes {circuit.n_inputs} inputs; the target is a function of one x: "
            "use in_features=1.",
        )
        try:
            spec = fourier.spectrum(circuit)[0]
        except ValueError as err:
            fail(f"the spectrum of {label} cannot be computed: {err}")
        present = {round(f) for f in spec if abs(f - round(f)) < 1e-6}
        missing = [k for k in range(-degree, degree + 1) if k not in present]
        need, used = _fewest(degree), _n_encodings(circuit)
        if missing:
            shown = _fmt(missing[:8]) + (" …" if len(missing) > 8 else "")
            fail(
                f"the spectrum of {label} lacks the frequencies {shown} (it reaches "
                f"{max(spec):g} with {used} encoding gates). With scales 3^k, K gates give every "
                f"integer up to (3^K − 1)/2: choose the smallest K with 3^K ≥ 2D + 1."
            )
        expect(
            used <= need,
            f"{label} uses {used} encoding gates, but {need} suffice for degree {degree}: with "
            f"scales 3^k, K gates reach (3^K − 1)/2 ≥ {degree} already for K = {need}. (If you "
            "computed K with a logarithm, count with integers instead: a floating-point "
            "logarithm of a power of 3 can land just above an integer, e.g. "
            "math.log2(243) / math.log2(3) = 5.000000000000001.)",
        )
    label = "smallest_model(4, seed=0)"
    _, model = _circuit_and_module(call(smallest_model, 4, seed=0, label=label), label, 0)
    x, y, _ = fourier_series(4, n_points=32, seed=0)
    ref = next(model.parameters(), None)
    expect(ref is not None, f"{label} has no trainable weights, so it cannot be fitted.")
    dev, dtype = ref.device, ref.dtype

    def forward(inputs: torch.Tensor) -> torch.Tensor:
        out = model(inputs)
        return out[:, 0] if out.ndim == 2 else out

    wrapped = _Wrapped(model, forward)
    history = fit(
        wrapped, x.to(dev, dtype)[:, None], y.to(dev, dtype), epochs=300, lr=0.1, progress=False
    )
    loss = history.losses[-1]
    expect(
        loss < 1e-3,
        f"{label} has the right spectrum, but after 300 Adam steps (lr 0.1) its mean squared "
        f"error on a degree-4 series is still {loss:.2g}. The spectrum says which frequencies may "
        "appear, not that their coefficients can be set freely: one qubit with scales 1 and 3 "
        "cannot fit this series (section 3). Put the encodings on separate qubits and give each "
        "trainable block two sub-layers (block_depth=2).",
    )
    return (
        f"K = ⌈log₃(2D + 1)⌉ encodings with scales 3^k cover degree D (2 for D = 4, 4 for "
        f"D = 40), and your degree-4 model fits the series to {loss:.1e}."
    )


class _Wrapped(nn.Module):
    """The student's model with its output reduced to one column, for :func:`fit`."""

    def __init__(self, model: nn.Module, forward: Callable[[torch.Tensor], torch.Tensor]):
        super().__init__()
        self.model = model
        self._forward = forward

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        return self._forward(inputs)
