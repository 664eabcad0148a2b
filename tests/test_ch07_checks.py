"""Chapter 7 exercise checks (:mod:`qlearn.checks.ch07`): every check passes on the reference
solution, loaded from the solution notebook itself, fails with a hint on typical wrong answers,
and reports the exercise stubs as not done yet; never a traceback."""

from __future__ import annotations

import doctest
import math

import pytest
import torch
from checks_support import assert_fails, chapter_fixtures, run_check

from qlearn import checks
from qlearn import hardware as hw
from qlearn.checks import ch07

#: check -> the names of the student's functions it takes, as defined in the notebooks
CH07 = {
    "ex1": ["corrected_z"],
    "ex2": ["shots_needed"],
    "ex3": ["extrapolate_to_zero"],
}

sol, stub, fresh_results = chapter_fixtures("ch07")


def run(name: str, *args) -> checks.CheckResult:
    return run_check(ch07, name, *args)


def test_every_chapter_7_check_is_covered():
    assert {n for n in checks.CHECKS if n.startswith("ch07.")} == {f"ch07.{e}" for e in CH07}


@pytest.mark.parametrize("name", CH07)
def test_reference_solution_passes(sol, name):
    result = run(name, *(sol[f] for f in CH07[name]))
    assert result.passed, result


@pytest.mark.parametrize("name", CH07)
def test_stub_is_reported_not_done(stub, name):
    result = run(name, *(stub[f] for f in CH07[name]))
    assert result.status == "not done yet", result
    assert CH07[name][0] in result.message


def test_all_passed_after_the_solutions(sol):
    with pytest.raises(checks.ChecksFailed, match="ch07.ex1: never ran"):
        checks.assert_all_passed("ch07")
    for name, funcs in CH07.items():
        run(name, *(sol[f] for f in funcs))
    assert checks.assert_all_passed("ch07").n_passed == 3


def test_module_docstring_example():
    result = doctest.testmod(ch07, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0 and result.attempted > 0


@pytest.mark.parametrize(
    ("answer", "hint"),
    [
        (lambda z, a, b: z, "divide by it"),
        (lambda z, a, b: z / (1 - a - b), "shifts ⟨Z⟩ by p10 − p01"),
        (lambda z, a, b: (z + b - a) / (1 - a - b), "is off by"),
        (lambda z, a, b: "z", "tensor of numbers"),
    ],
)
def test_ex1_wrong_answers(answer, hint):
    assert_fails(run("ex1", answer), hint)


def _variance(v):
    return float((1 - torch.as_tensor(v, dtype=torch.float64) ** 2).mean())


@pytest.mark.parametrize(
    ("answer", "hint"),
    [
        (lambda v, r: math.ceil(1 / r**2), "enough for ⟨P⟩ = 0"),
        (lambda v, r: int(_variance(v) / r**2), "one short"),
        (lambda v, r: _variance(v) / r**2, "an int"),
        (lambda v, r: math.ceil(_variance(v) / r), "expected"),
    ],
)
def test_ex2_wrong_answers(answer, hint):
    assert_fails(run("ex2", answer), hint)


@pytest.mark.parametrize(
    ("answer", "hint"),
    [
        (lambda s, v: hw.linear_extrapolation(s, v), "least-squares line"),
        (lambda s, v: v[0], "is off by"),
        (lambda s, v: [1.0, 2.0], "one number"),
    ],
)
def test_ex3_wrong_answers(answer, hint):
    assert_fails(run("ex3", answer), hint)
