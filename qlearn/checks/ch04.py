r"""Checks for the chapter 4 exercises (``exercises/ch04_exercises.ipynb``).

=====  ======================================  ===============================================
check  the student writes                      what it verifies
=====  ======================================  ===============================================
ex1    ``unit_frequencies(scales)``            the frequencies of one Q-RUN unit with scales
                                               :math:`s_i`, against
                                               :func:`qlearn.models.reupload_frequencies` and
                                               against the coefficients measured on a
                                               multilinear :class:`~qlearn.models.QRUNLayer`
ex2    ``qrun_for_budget(mlp, n_reuploads)``   a :class:`~qlearn.models.QRUN` drop-in for an
                                               MLP: same inputs, outputs and depth, the widest
                                               hidden layer within the MLP's parameter count
ex3    ``frequency_errors(pred, target, ks)``  the relative error :math:`\Delta_k` of each
                                               frequency, on exact cases and on a trained MLP
=====  ======================================  ===============================================

Example:
    >>> from qlearn import checks
    >>> checks.ch04.ex1(lambda scales: [-sum(scales), 0.0, sum(scales)])
    ❌ ch04.ex1 failed: unit_frequencies([1, 1]) is missing the frequencies [-1, 1]; each re-upload adds −s_i, 0 or +s_i to every frequency so far.
"""  # noqa: E501

from __future__ import annotations

import math
from collections.abc import Sequence

import torch

from qlearn import fourier
from qlearn.checks import assert_close, call, check, expect, fail, to_tensor
from qlearn.models import MLP, QRUN, QRUNLayer, reupload_frequencies
from qlearn.train import fit

F64 = torch.float64

__all__ = ["ex1", "ex2", "ex3"]


def _fmt(values: Sequence[float]) -> str:
    return "[" + ", ".join(f"{v:g}" for v in values) + "]"


# --------------------------------------------------------------------------------------------
# Exercise 1: the frequencies of one unit

EX1_SCALES = ([1.0], [1.0, 1.0], [1.0, 3.0], [1.0, 2.0, 3.0], [1.0, 3.0, 9.0], [0.5, 2.0],
              [2.0, 2.0, 5.0])  # fmt: skip


def _as_frequencies(value, label: str) -> list[float]:
    if isinstance(value, int | float):
        fail(f"{label} returned the number {value!r}; return the list of frequencies, not how "
             "many there are.")  # fmt: skip
    freqs = to_tensor(value, f"{label}'s result")
    expect(freqs.ndim == 1, f"{label} has shape {tuple(freqs.shape)}; return a flat list.")
    expect(not freqs.is_complex(), f"{label} is complex; the frequencies are real numbers.")
    return [round(float(f), 8) + 0.0 for f in freqs]


def _measured(scales: Sequence[float]) -> list[float]:
    """The frequencies of a multilinear unit with integer scales, measured by an FFT."""
    unit = QRUNLayer(1, 1, n_reuploads=len(scales), observable="multilinear", scales=scales,
                     seed=1, dtype=F64, device="cpu")  # fmt: skip
    with torch.no_grad():
        unit.linear.weight.fill_(1.0)
        unit.linear.bias.zero_()
    degree = int(sum(scales))
    c = fourier.coefficients(unit, degree)
    return [float(k) for k in range(-degree, degree + 1) if c[k + degree].abs() > 1e-9]


@check
def ex1(unit_frequencies):
    """Exercise 1: ``unit_frequencies(scales)`` -> the sorted distinct frequencies of a unit."""
    for scales in EX1_SCALES:
        label = f"unit_frequencies({_fmt(scales)})"
        got = _as_frequencies(call(unit_frequencies, list(scales), label=label), label)
        want = reupload_frequencies(scales)
        expect(len(set(got)) == len(got), f"{label} lists some frequencies more than once; "
               "return each distinct sum once (sorted(set(...))).")  # fmt: skip
        missing = sorted(set(want) - set(got))
        extra = sorted(set(got) - set(want))
        if extra and not missing:
            fail(f"{label} has the extra frequencies {_fmt(extra[:6])}: not every number up to "
                 "Σ s_i is a sum of ±s_i and 0. A unit's frequencies are the sums Σ m_i s_i with "
                 "each m_i ∈ {−1, 0, 1}.")  # fmt: skip
        if missing:
            negative = all(f < 0 for f in missing)
            why = ("the negative ones: a real unit has c_{−ω} = conj(c_ω), so ω and −ω come "
                   "together." if negative else "each re-upload adds −s_i, 0 or +s_i to every "
                   "frequency so far.")  # fmt: skip
            fail(
                f"{label} is missing the frequencies {_fmt(missing[:6])}"
                + (f" and has the extra {_fmt(extra[:6])}" if extra else "")
                + f"; {why}"
            )
        expect(got == sorted(got), f"{label} is not sorted; return sorted(...).")
    for scales in ([1.0, 3.0], [1.0, 2.0, 3.0]):
        measured = _measured(scales)
        got = _as_frequencies(unit_frequencies(list(scales)), "unit_frequencies")
        expect(got == measured, f"unit_frequencies({_fmt(scales)}) = {_fmt(got)} but a "
               f"multilinear QRUNLayer with these scales has {_fmt(measured)}.")  # fmt: skip
    return ("a unit's frequencies are the sums Σ m_i s_i, m_i ∈ {−1, 0, 1}: 3^n when no sums "
            "collide (scales 1, 3, 9: 27), fewer when they do (1, 2, 3: 13; 1, 1: 5). Measured "
            "on a QRUNLayer, they match.")  # fmt: skip


# --------------------------------------------------------------------------------------------
# Exercise 2: a Q-RUN drop-in at the MLP's parameter budget

EX2_MLPS = ((1, 32, 1, 2), (2, 48, 3, 1), (3, 24, 2, 3))


def _qrun_layers(model) -> int:
    return sum(isinstance(m, QRUNLayer) for m in model.modules())


def _qrun(mlp_sizes, width: int, n_reuploads: int) -> QRUN:
    d, _, out, depth = mlp_sizes
    return QRUN(d, width, out, n_layers=depth, n_reuploads=n_reuploads, seed=0, device="cpu")


@check
def ex2(qrun_for_budget):
    """Exercise 2: ``qrun_for_budget(mlp, n_reuploads)`` -> the widest QRUN within budget."""
    for sizes in EX2_MLPS:
        d, h, out, depth = sizes
        mlp = MLP(d, h, out, n_layers=depth, seed=0, device="cpu")
        budget = mlp.n_parameters
        for n in (1, 3):
            label = f"qrun_for_budget(MLP({d}, {h}, {out}, n_layers={depth}), n_reuploads={n})"
            model = call(qrun_for_budget, mlp, n, label=label)
            expect(isinstance(model, torch.nn.Module), f"{label} returned "
                   f"{type(model).__name__}; return the model (a qlearn.models.QRUN).")  # fmt: skip
            layers = _qrun_layers(model)
            expect(layers == depth, f"{label} has {layers} QRUNLayer(s), but the MLP has {depth} "
                   "hidden layers: each 'Linear + activation' becomes one QRUNLayer (n_layers="
                   f"{depth}).")  # fmt: skip
            q = next(m for m in model.modules() if isinstance(m, QRUNLayer))
            expect(q.n_reuploads == n, f"{label} uses n_reuploads={q.n_reuploads}; pass "
                   f"n_reuploads={n} on.")  # fmt: skip
            y = call(model, torch.zeros(5, d), label=f"{label}(torch.zeros(5, {d}))")
            expect(tuple(y.shape) == (5, out), f"{label} maps a (5, {d}) batch to shape "
                   f"{tuple(y.shape)}, but the MLP gives (5, {out}).")  # fmt: skip
            p = sum(t.numel() for t in model.parameters() if t.requires_grad)
            width = q.out_features
            if p > budget:
                fail(f"{label} has {p} parameters, more than the MLP's {budget}. Count all of a "
                     "QRUNLayer's parameters: the linear map, the n scales and the shared "
                     "observable network (16n + 89 for the default width 8), and the output "
                     "layer.")  # fmt: skip
            wider = _qrun(sizes, width + 1, n).n_parameters
            expect(wider > budget, f"{label} has width {width} ({p} parameters), but width "
                   f"{width + 1} still fits the budget of {budget} ({wider} parameters); take the "
                   "largest width that fits.")  # fmt: skip
    return ("QRUN(d, h, out, n_layers) replaces each 'Linear + activation' of the MLP; at the "
            "same parameter budget its hidden layers are a little narrower, because every layer "
            "also carries the n scales and its own small observable network.")  # fmt: skip


# --------------------------------------------------------------------------------------------
# Exercise 3: spectral bias, measured


def _reference_errors(prediction: torch.Tensor, target: torch.Tensor, ks) -> torch.Tensor:
    err = torch.fft.fft(prediction.to(F64) - target.to(F64))
    ref = torch.fft.fft(target.to(F64))
    return torch.stack([err[k].abs() / ref[k].abs() for k in ks])


def _grid(n: int) -> torch.Tensor:
    return torch.arange(n, dtype=F64) * (2 * math.pi / n)


def _exact_cases():
    x = _grid(64)
    target = torch.sin(x) + torch.sin(4 * x) + 0.5 * torch.cos(9 * x)
    yield "a perfect fit", target.clone(), target, [1, 4, 9], [0.0, 0.0, 0.0]
    yield "half of every term", 0.5 * target, target, [1, 4, 9], [0.5, 0.5, 0.5]
    yield "sin(x) only", torch.sin(x), target, [1, 4, 9], [0.0, 1.0, 1.0]
    shifted = torch.sin(x) + torch.cos(4 * x) + 0.5 * torch.cos(9 * x)
    yield "sin(4x) replaced by cos(4x)", shifted, target, [1, 4, 9], [0.0, math.sqrt(2), 0.0]
    yield "a different weight per term", 2 * torch.sin(x) + 0.25 * torch.sin(4 * x), target, \
        [1, 4, 9], [1.0, 0.75, 1.0]  # fmt: skip


@check
def ex3(frequency_errors):
    """Exercise 3: ``frequency_errors(prediction, target, ks)`` -> :math:`\\Delta_k` per k."""
    for what, pred, target, ks, want in _exact_cases():
        label = f"frequency_errors(...) for {what}"
        got = call(frequency_errors, pred.clone(), target.clone(), list(ks), label=label)
        got = to_tensor(got, label)
        expect(tuple(got.shape) == (len(ks),), f"{label} has shape {tuple(got.shape)}; return "
               f"one number per frequency in ks, shape ({len(ks)},).")  # fmt: skip
        if what == "sin(4x) replaced by cos(4x)" and abs(float(got[1])) < 1e-6:
            fail(f"{label} gives Δ_4 = 0, but sin(4x) and cos(4x) are different functions. "
                 "Compare the complex coefficients, |ĉ_k(pred) − ĉ_k(target)|, not their "
                 "magnitudes |ĉ_k(pred)| − |ĉ_k(target)|: the phase matters.")  # fmt: skip
        if what == "half of every term" and abs(float(got[0]) - 0.5) > 1e-6:
            fail(f"{label} gives {got.tolist()}; expected 0.5 for every k. Divide the error's "
                 "coefficient by the target's: Δ_k is relative, so it does not depend on how "
                 "strong each frequency is.")  # fmt: skip
        assert_close(got, torch.tensor(want, dtype=F64), atol=1e-6, what=label)
    # The same measurement on a trained MLP: the high frequencies are learned last.
    x = _grid(128)
    ks = [1, 4, 12]
    target = sum(torch.sin(k * x) for k in ks)
    mlp = MLP(1, 12, 1, n_layers=2, activation="tanh", seed=0, dtype=F64, device="cpu")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        fit(mlp, x[:, None], target, epochs=300, lr=0.01, seed=0, progress=False)
    finally:
        torch.set_num_threads(threads)
    with torch.no_grad():
        pred = mlp(x[:, None])[:, 0]
    label = "frequency_errors(...) on a trained MLP"
    got = to_tensor(call(frequency_errors, pred, target, ks, label=label), label)
    want = _reference_errors(pred, target, ks)
    assert_close(got, want, atol=1e-6, what=label)
    shown = ", ".join(f"Δ_{k} = {v:.2f}" for k, v in zip(ks, want.tolist(), strict=True))
    return (
        f"after 300 steps a small tanh MLP has {shown} on sin x + sin 4x + sin 12x: "
        "the low frequency is learned first, the high one barely (spectral bias)."
    )
