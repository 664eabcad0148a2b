r"""Checks for the chapter 7 exercises (``exercises/ch07_exercises.ipynb``).

=====  ========================================  =============================================
check  the student writes                        what it verifies
=====  ========================================  =============================================
ex1    ``corrected_z(z_measured, p01, p10)``     undoing an asymmetric readout error on
                                                 :math:`\langle Z\rangle`, on exact cases and
                                                 on the noisy emulator
ex2    ``shots_needed(values, rmse)``            the shots that bring the shot-noise RMSE of
                                                 given expectation values down to ``rmse``,
                                                 by formula and by a sampled run
ex3    ``extrapolate_to_zero(scales, values)``   Richardson extrapolation, exact on polynomials
                                                 and equal to :func:`qlearn.hardware.richardson`
                                                 on a folded run of the emulator
=====  ========================================  =============================================

Example:
    >>> from qlearn import checks
    >>> checks.ch07.ex1(lambda z, p01, p10: z)
    ❌ ch07.ex1 failed: corrected_z(0.5, 0.1, 0.1) = 0.5 but the noiseless value is 0.625; a readout error shrinks ⟨Z⟩ by the factor 1 − p01 − p10, so divide by it.
"""  # noqa: E501

from __future__ import annotations

import math

import torch

from qlearn import hardware as hw
from qlearn.checks import assert_close, call, check, expect, fail, to_tensor
from qlearn.models import DRQC

F64 = torch.float64

__all__ = ["ex1", "ex2", "ex3"]


def _scalar(value, label: str) -> float:
    """A Python number or a one-element tensor as a float (at full precision)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    t = to_tensor(value, label)
    expect(t.numel() == 1, f"{label} has shape {tuple(t.shape)}; return one number.")
    return float(t.reshape(()))


# --------------------------------------------------------------------------------------------
# Exercise 1: undo a readout error


def _measured_z(z: float, p01: float, p10: float) -> float:
    """What a readout with P(read 1 | 0) = p01 and P(read 0 | 1) = p10 makes of <Z> = z."""
    p0 = (1 + z) / 2
    read0 = (1 - p01) * p0 + p10 * (1 - p0)
    return 2 * read0 - 1


EX1_CASES = ((0.625, 0.1, 0.1), (1.0, 0.02, 0.05), (-1.0, 0.02, 0.05), (0.3, 0.0, 0.2),
             (-0.4, 0.15, 0.0), (0.0, 0.05, 0.05))  # fmt: skip


@check
def ex1(corrected_z):
    """Exercise 1: ``corrected_z(z_measured, p01, p10)`` -> the noiseless ⟨Z⟩."""
    for z, p01, p10 in EX1_CASES:
        zm = _measured_z(z, p01, p10)
        label = f"corrected_z({zm:.4g}, {p01}, {p10})"
        got = call(corrected_z, zm, p01, p10, label=label)
        value = _scalar(got, label)
        if p01 == p10 and abs(value - zm / (1 - 2 * p01)) > 1e-9 and abs(value - zm) < 1e-12:
            fail(f"{label} = {value:.4g} but the noiseless value is {z:.4g}; a readout error "
                 "shrinks ⟨Z⟩ by the factor 1 − p01 − p10, so divide by it.")  # fmt: skip
        if p01 != p10 and abs(value - zm / (1 - p01 - p10)) < 1e-9:
            fail(f"{label} = {value:.4g} but the noiseless value is {z:.4g}: with p01 ≠ p10 "
                 "the readout also shifts ⟨Z⟩ by p10 − p01; subtract the shift before "
                 "dividing.")  # fmt: skip
        assert_close(value, z, atol=1e-9, what=label)
    # On the emulator: a symmetric readout error measured by the calibration matrix.
    target = hw.get_target("emulator", noise=hw.NoiseModel(readout=0.08))
    model = DRQC(1, 1, 2, seed=3, dtype=F64)
    x = torch.linspace(-1.0, 1.0, 7, dtype=F64)[:, None]
    noisy = hw.run(model, x, target, shots=None).values[:, 0]
    cal = hw.calibrate_readout(target, 1, shots=None).matrix
    p01, p10 = float(cal[1, 0]), float(cal[0, 1])
    got = torch.tensor([_scalar(call(corrected_z, float(v), p01, p10, label="corrected_z"),
                                "corrected_z") for v in noisy], dtype=F64)  # fmt: skip
    assert_close(got, model(x)[:, 0].detach(), atol=1e-9, what="corrected_z on the emulator")
    return ("⟨Z̃⟩ = (1 − p01 − p10)⟨Z⟩ + (p10 − p01), so ⟨Z⟩ = (⟨Z̃⟩ − p10 + p01) / "
            "(1 − p01 − p10): it recovers the emulator's noiseless values exactly.")  # fmt: skip


# --------------------------------------------------------------------------------------------
# Exercise 2: how many shots?


@check
def ex2(shots_needed):
    """Exercise 2: ``shots_needed(values, rmse)`` -> the least N with RMSE from shots <= rmse."""
    cases = (([0.0], 0.15), ([0.0, 0.0], 0.03), ([0.6, -0.8], 0.07), ([0.5], 0.04),
             ([0.99, 0.0], 0.05))  # fmt: skip
    for listed, rmse in cases:
        values = torch.tensor(listed, dtype=F64)
        want = math.ceil(_exact(values, rmse))
        label = f"shots_needed(torch.tensor({listed}), {rmse})"
        got = call(shots_needed, values.clone(), rmse, label=label)
        expect(isinstance(got, int) and not isinstance(got, bool), f"{label} returned "
               f"{type(got).__name__} {got!r}; return a whole number of shots (an "
               "int).")  # fmt: skip
        if got == math.ceil(1 / rmse**2) and want != got:
            fail(f"{label} = {got}, enough for ⟨P⟩ = 0 but too many here: one shot has variance "
                 "1 − ⟨P⟩², smaller for values near ±1; average it over the values.")  # fmt: skip
        if got == want - 1:
            fail(f"{label} = {got} is one short: round the number of shots up (math.ceil).")
        expect(got == want, f"{label} = {got}, expected {want}: N = ⌈mean(1 − ⟨P⟩²) / rmse²⌉.")
    # Measured: the shots it asks for give about the requested error on our simulator.
    model = DRQC(2, 2, 2, out_features=2, seed=0, dtype=F64)
    x = torch.rand(60, 2, generator=torch.Generator().manual_seed(0), dtype=F64) * 2 - 1
    exact = model(x).detach()
    n = call(shots_needed, exact.clone(), 0.03, label="shots_needed(model values, 0.03)")
    errs = [float((hw.run(model, x, "sim", shots=n, seed=s).values - exact).pow(2).mean().sqrt())
            for s in range(3)]  # fmt: skip
    measured = sum(errs) / len(errs)
    expect(0.8 * 0.03 < measured < 1.2 * 0.03, f"with shots_needed(...) = {n} shots the measured "
           f"RMSE is {measured:.4f}, not about 0.03.")  # fmt: skip
    return (
        f"N = ⌈mean(1 − ⟨P⟩²)/ε²⌉: for a 2-qubit DRQC and ε = 0.03 that is {n} shots, and "
        f"three sampled runs measured an RMSE of {measured:.4f}."
    )


def _exact(values: torch.Tensor, rmse: float) -> float:
    return float((1 - values.to(F64) ** 2).mean()) / rmse**2


# --------------------------------------------------------------------------------------------
# Exercise 3: Richardson extrapolation


@check
def ex3(extrapolate_to_zero):
    """Exercise 3: ``extrapolate_to_zero(scales, values)`` -> Richardson's value at scale 0."""
    polys = (([1.0, 3.0], lambda s: 0.9 - 0.1 * s), ([1.0, 3.0, 5.0], lambda s: 1 - 0.2 * s
             + 0.01 * s * s), ([1.0, 2.0, 3.0, 4.0], lambda s: 0.5 + s**3 / 100),
             ([2.0, 5.0], lambda s: -0.3 + 0.05 * s))  # fmt: skip
    for scales, f in polys:
        values = [f(s) for s in scales]
        label = f"extrapolate_to_zero({scales}, {[round(v, 4) for v in values]})"
        got = _scalar(call(extrapolate_to_zero, list(scales), list(values), label=label), label)
        if len(scales) > 2:
            line = hw.linear_extrapolation(scales, values)
            if abs(got - line) < 1e-9 and abs(line - f(0.0)) > 1e-6:
                fail(f"{label} = {got:.6g} is the least-squares line's value; Richardson uses "
                     "the polynomial of degree m − 1 through all m points.")  # fmt: skip
        assert_close(got, f(0.0), atol=1e-9, what=label)
    # On a folded emulator run: the same number as qlearn's richardson.
    target = hw.get_target("emulator", noise=hw.NoiseModel(p1=0.03))
    model = DRQC(1, 1, 2, seed=1, dtype=F64)
    x = torch.tensor([[0.3]], dtype=F64)
    z = hw.zne(model, x, target, scales=(1, 3, 5), shots=None)
    per_scale = [float(v[0, 0]) for v in z["values"]]
    label = "extrapolate_to_zero on a ZNE run"
    got = _scalar(call(extrapolate_to_zero, [1.0, 3.0, 5.0], per_scale, label=label), label)
    want = float(hw.richardson([1, 3, 5], per_scale))
    assert_close(got, want, atol=1e-9, what="extrapolate_to_zero on a ZNE run")
    with torch.no_grad():
        exact = float(model(x)[0, 0])
    return (
        f"the polynomial through all points, at 0: on the emulator E(1) = {per_scale[0]:.4f} "
        f"becomes {got:.4f} (exact {exact:.4f})."
    )
