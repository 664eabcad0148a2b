"""Chapter 3 exercise checks (:mod:`qlearn.checks.ch03`): every check passes on the reference
solution, loaded from the solution notebook itself, fails with a hint on typical wrong answers,
and reports the exercise stubs as not done yet; never a traceback."""

from __future__ import annotations

import doctest
import math

import pytest
from checks_support import assert_fails, chapter_fixtures, run_check

from qlearn import checks
from qlearn.checks import ch03

#: check -> the names of the student's functions it takes, as defined in the notebooks
CH03 = {
    "ex1": ["qiren_parameters"],
    "ex2": ["layer_frequencies"],
    "ex3": ["shots_needed"],
}

sol, stub, fresh_results = chapter_fixtures("ch03")


def run(name: str, *args) -> checks.CheckResult:
    return run_check(ch03, name, *args)


def test_every_chapter_3_check_is_covered():
    assert {n for n in checks.CHECKS if n.startswith("ch03.")} == {f"ch03.{e}" for e in CH03}


@pytest.mark.parametrize("name", CH03)
def test_reference_solution_passes(sol, name):
    result = run(name, *(sol[f] for f in CH03[name]))
    assert result.passed, result


@pytest.mark.parametrize("name", CH03)
def test_stub_is_reported_not_done(stub, name):
    result = run(name, *(stub[f] for f in CH03[name]))
    assert result.status == "not done yet", result
    assert CH03[name][0] in result.message


def test_all_passed_after_the_solutions(sol):
    with pytest.raises(checks.ChecksFailed, match="ch03.ex1: never ran"):
        checks.assert_all_passed("ch03")
    for name, funcs in CH03.items():
        run(name, *(sol[f] for f in funcs))
    assert checks.assert_all_passed("ch03").n_passed == 3


def test_module_docstring_example():
    result = doctest.testmod(ch03, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0 and result.attempted > 0


# Exercise 1 ------------------------------------------------------------------------------


def _count(d, out, n, hidden, L, K, *, bn=2, blocks=1, first=True, out_bias=1, bias=1):
    circuit = 3 * K * n * (L + blocks)
    total = (d + bias) * n + bn * n + circuit if first else 0
    total += hidden * ((n + bias) * n + bn * n + circuit)
    return total + (n + out_bias) * out


EX1_WRONG = [
    (lambda *a: _count(*a, bn=0), "BatchNorm1d has two"),
    (lambda *a: _count(*a, blocks=0), "L + 1 trainable blocks"),
    (lambda *a: _count(*a, first=False), "first hybrid layer"),
    (lambda *a: _count(*a, out_bias=0), "output layer has a bias"),
    (lambda *a: _count(*a, bias=0), "every Linear has a bias"),
    (lambda *a: _count(*a) + 1, "count per hybrid layer"),
    (lambda *a: float(_count(*a)), "return an int"),
]


@pytest.mark.parametrize(("answer", "hint"), EX1_WRONG)
def test_ex1_wrong_answers(answer, hint):
    assert_fails(run("ex1", answer), hint)


# Exercise 2 ------------------------------------------------------------------------------


def _sums(scales, L):
    freqs = [0.0]
    for c in scales:
        freqs = [round(f + m * c, 8) + 0.0 for f in freqs for m in range(-L, L + 1)]
    return freqs


def _separate(scales, L):
    return sorted({round(m * c, 8) + 0.0 for c in scales for m in range(-L, L + 1)})


EX2_WRONG = [
    (lambda s, L: sorted(f for f in set(_sums(s, L)) if f >= 0), "negative frequencies"),
    (_separate, "lists each qubit's frequencies separately"),
    (lambda s, L: _sums(s, L), "repeats frequencies"),
    (lambda s, L: sorted(set(_sums(s, L)))[::-1], "not sorted"),
    (lambda s, L: len(set(_sums(s, L))), "return the list"),
    (lambda s, L: sorted(set(_sums(s, 1))), "expected the sums"),
]


@pytest.mark.parametrize(("answer", "hint"), EX2_WRONG)
def test_ex2_wrong_answers(answer, hint):
    assert_fails(run("ex2", answer), hint)


# Exercise 3 ------------------------------------------------------------------------------

EX3_WRONG = [
    (lambda z, eps: math.ceil(1 / eps**2), "worst case z = 0"),
    (lambda z, eps: math.ceil((1 - z * z) / eps), "standard error is"),
    (lambda z, eps: max(1, math.floor((1 - z * z) / eps**2)), "standard error is"),
    (lambda z, eps: (1 - z * z) / eps**2, "return an int"),
    (lambda z, eps: math.ceil((1 - z * z) / eps**2) + 1, "return the smallest"),
]


@pytest.mark.parametrize(("answer", "hint"), EX3_WRONG)
def test_ex3_wrong_answers(answer, hint):
    assert_fails(run("ex3", answer), hint)
