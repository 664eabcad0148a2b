"""Chapter 2 exercise checks (:mod:`qlearn.checks.ch02`): every check passes on the reference
solution, loaded from the solution notebook itself, fails with a hint on typical wrong answers,
and reports the exercise stubs as not done yet; never a traceback."""

from __future__ import annotations

import doctest
import math

import pytest
import torch
from checks_support import assert_fails, chapter_fixtures, run_check

from qlearn import checks
from qlearn.ansatz import reuploading
from qlearn.checks import ch02
from qlearn.models import DRQC

F64 = torch.float64

#: check -> the names of the student's functions it takes, as defined in the notebooks
CH02 = {
    "ex1": ["serial_spectrum"],
    "ex2": ["fourier_coefficients"],
    "ex3": ["smallest_model"],
}


sol, stub, fresh_results = chapter_fixtures("ch02")


def run(name: str, *args) -> checks.CheckResult:
    return run_check(ch02, name, *args)


# --------------------------------------------------------------------------------------------
# Reference solutions and stubs


def test_every_chapter_2_check_is_covered():
    assert {n for n in checks.CHECKS if n.startswith("ch02.")} == {f"ch02.{e}" for e in CH02}


@pytest.mark.parametrize("name", CH02)
def test_reference_solution_passes(sol, name):
    result = run(name, *(sol[f] for f in CH02[name]))
    assert result.passed, result
    assert repr(result).startswith("✅")


@pytest.mark.parametrize("name", CH02)
def test_stub_is_reported_not_done(stub, name):
    result = run(name, *(stub[f] for f in CH02[name]))
    assert result.status == "not done yet", result
    assert CH02[name][0] in result.message and repr(result).startswith("⏳")


def test_all_passed_after_the_solutions_and_not_before(sol):
    with pytest.raises(checks.ChecksFailed, match="ch02.ex1: never ran"):
        checks.assert_all_passed("ch02")
    for name, funcs in CH02.items():
        run(name, *(sol[f] for f in funcs))
    summary = checks.assert_all_passed("ch02")
    assert summary.n_passed == len(CH02) and "3 of 3 checks passed" in repr(summary)


def test_module_docstring_example():
    result = doctest.testmod(ch02, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0 and result.attempted > 0


# --------------------------------------------------------------------------------------------
# Exercise 1: the spectrum of serial encodings


def _ones(n, scales):
    return [1.0] * n if scales is None else list(scales)


def _sum_set(n, scales=None):
    freqs = {0.0}
    for a in _ones(n, scales):
        freqs = {f + w for f in freqs for w in (-a, 0.0, a)}
    return sorted(freqs)


def _with_duplicates(n, scales=None):
    freqs = [0.0]
    for a in _ones(n, scales):
        freqs = [f + w for f in freqs for w in (-a, 0.0, a)]
    return freqs


def _half_eigenvalues(n, scales=None):  # sums of eigenvalues ±a/2 instead of differences
    freqs = {0.0}
    for a in _ones(n, scales):
        freqs = {f + w for f in freqs for w in (-a / 2, a / 2)}
    return sorted(freqs)


def _up_to_sum(n, scales=None):  # every integer up to the sum of the scales
    top = int(sum(_ones(n, scales)))
    return list(range(-top, top + 1))


def _raises(n, scales=None):
    raise IndexError("list index out of range")


EX1_WRONG = [
    (lambda n, scales=None: list(range(-n, n + 1)), "scales change which sums occur"),
    (lambda n, scales=None: list(range(n + 1)), "only the non-negative frequencies"),
    (lambda n, scales=None: list(range(-n, n)), "missing the frequencies [1]"),
    (lambda n, scales=None: 2 * n + 1, "not how many"),
    (_up_to_sum, "Not every number up to Σ a_ℓ is a sum"),
    (_with_duplicates, "more than once"),
    (_half_eigenvalues, "eigenvalues ±1/2"),
    (_raises, "raised IndexError: list index out of range"),
    (lambda n, scales=None: [[-1, 0, 1]], "flat list"),
]


@pytest.mark.parametrize(("answer", "hint"), EX1_WRONG)
def test_ex1_wrong_answers(answer, hint):
    assert_fails(run("ex1", answer), hint)


def test_ex1_accepts_sets_tensors_and_any_order():
    assert run("ex1", lambda n, scales=None: set(_sum_set(n, scales))).passed
    assert run("ex1", lambda n, scales=None: torch.tensor(_sum_set(n, scales))).passed
    assert run("ex1", lambda n, scales=None: _sum_set(n, scales)[::-1]).passed


# --------------------------------------------------------------------------------------------
# Exercise 2: Fourier coefficients


def _dft(f, degree, *, n=None, sign=-1.0, normalise=True, endpoint=False):
    n = 2 * degree + 1 if n is None else n
    if endpoint:
        x = torch.linspace(0, 2 * math.pi, n, dtype=F64)
    else:
        x = torch.arange(n, dtype=F64) * (2 * math.pi / n)
    k = torch.arange(-degree, degree + 1, dtype=F64)
    c = (f(x).to(torch.complex128)[:, None] * torch.exp(sign * 1j * x[:, None] * k)).sum(0)
    return c / n if normalise else c


def _fft_order(f, degree):
    n = 2 * degree + 1
    x = torch.arange(n, dtype=F64) * (2 * math.pi / n)
    return torch.fft.fft(f(x)) / n


EX2_WRONG = [
    (lambda f, d: _dft(f, d, normalise=False), "factor N"),
    (lambda f, d: _dft(f, d, sign=1.0), "complex conjugates"),
    (_fft_order, "FFT order"),
    (lambda f, d: _dft(f, d, endpoint=True), "include x = 2π"),
    (lambda f, d: _dft(f, d).real, "is real"),
    (lambda f, d: _dft(f, d)[d:], "has shape (4,)"),
    (lambda f, d: _dft(f, d) + 1e-3, "off by up to 0.001"),
]


@pytest.mark.parametrize(("answer", "hint"), EX2_WRONG)
def test_ex2_wrong_answers(answer, hint):
    assert_fails(run("ex2", answer), hint)


def test_ex2_accepts_more_samples_and_the_fft():
    assert run("ex2", lambda f, d: _dft(f, d, n=4 * d + 3)).passed
    assert run("ex2", lambda f, d: torch.fft.fftshift(_fft_order(f, d))).passed


# --------------------------------------------------------------------------------------------
# Exercise 3: the fewest encodings


def _k(degree):
    k = 1
    while 3**k < 2 * degree + 1:
        k += 1
    return k


def _float_log(degree, seed=0):
    k = math.ceil(math.log2(2 * degree + 1) / math.log2(3))  # 6 instead of 5 for degree 121
    return DRQC(1, k, 1, scaling="exponential", block_depth=2, seed=seed, dtype=F64)


def _floor_log(degree, seed=0):
    k = max(1, math.floor(math.log(2 * degree + 1, 3) - 1e-9))
    return DRQC(1, k, 1, scaling="exponential", block_depth=2, seed=seed, dtype=F64)


EX3_WRONG = [
    (lambda d, seed=0: DRQC(1, d, 1, block_depth=2, seed=seed), "but 2 suffice for degree 4"),
    (_float_log, "count with integers"),
    (_floor_log, "lacks the frequencies"),
    (
        lambda d, seed=0: DRQC(1, 1, _k(d), scaling="exponential", seed=seed, dtype=F64),
        "has the right spectrum",
    ),
    (
        lambda d, seed=0: DRQC(1, _k(d), 1, scaling="exponential", seed=seed, dtype=F64),
        "block_depth=2",
    ),
    (lambda d, seed=0: _k(d), "return a model"),
    (lambda d, seed=0: DRQC(2, _k(d), 1, scaling="exponential", seed=seed), "takes 2 inputs"),
]


@pytest.mark.parametrize(("answer", "hint"), EX3_WRONG)
def test_ex3_wrong_answers(answer, hint):
    assert_fails(run("ex3", answer), hint)


def test_ex3_accepts_a_circuit():
    def circuit(degree, seed=0):
        return reuploading(1, _k(degree), 1, scaling="exponential", block_depth=2)

    assert run("ex3", circuit).passed
