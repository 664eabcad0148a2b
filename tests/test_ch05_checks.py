"""Chapter 5 exercise checks (:mod:`qlearn.checks.ch05`): every check passes on the reference
solution, loaded from the solution notebook itself, fails with a hint on typical wrong answers,
and reports the exercise stubs as not done yet; never a traceback."""

from __future__ import annotations

import doctest
import math

import pytest
import torch
from checks_support import assert_fails, chapter_fixtures, run_check

from qlearn import checks
from qlearn.checks import ch05

#: check -> the names of the student's functions it takes, as defined in the notebooks
CH05 = {
    "ex1": ["qru_parameters"],
    "ex2": ["forget_expectation"],
    "ex3": ["my_forecast"],
}

sol, stub, fresh_results = chapter_fixtures("ch05")


def run(name: str, *args) -> checks.CheckResult:
    return run_check(ch05, name, *args)


def test_every_chapter_5_check_is_covered():
    assert {n for n in checks.CHECKS if n.startswith("ch05.")} == {f"ch05.{e}" for e in CH05}


@pytest.mark.parametrize("name", CH05)
def test_reference_solution_passes(sol, name):
    result = run(name, *(sol[f] for f in CH05[name]))
    assert result.passed, result


@pytest.mark.parametrize("name", CH05)
def test_stub_is_reported_not_done(stub, name):
    result = run(name, *(stub[f] for f in CH05[name]))
    assert result.status == "not done yet", result
    assert CH05[name][0] in result.message


def test_all_passed_after_the_solutions(sol):
    with pytest.raises(checks.ChecksFailed, match="ch05.ex1: never ran"):
        checks.assert_all_passed("ch05")
    for name, funcs in CH05.items():
        run(name, *(sol[f] for f in funcs))
    assert checks.assert_all_passed("ch05").n_passed == 3


def test_module_docstring_example():
    result = doctest.testmod(ch05, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0 and result.attempted > 0


# Exercise 1 ------------------------------------------------------------------------------


def _count(F, H, L, gl, gb, c, data=None, per_hidden=4, extra_wires=0, block=True):
    d = math.ceil(F / 2) if data is None else data(F)
    return 2 * F + per_hidden * H + (gb if block else 0) + L * gl * (d + H + extra_wires) + int(c)


EX1_WRONG = [
    (lambda F, H, L, gl, gb, c: _count(F, H, L, gl, gb, c, data=lambda f: f), "ceil(F/2)"),
    (lambda F, H, L, gl, gb, c: _count(F, H, L, gl, gb, c, extra_wires=2), "ancillas"),
    (lambda F, H, L, gl, gb, c: _count(F, H, L, gl, gb, c, per_hidden=2), "4 parameters per"),
    (
        lambda F, H, L, gl, gb, c: _count(F, H, L, gl, gb, c, block=False),
        "between the two controlled swaps",
    ),
    (lambda F, H, L, gl, gb, c: _count(F, H, L, gl, gb, False), "trainable scale"),
    (lambda F, H, L, gl, gb, c: 2 * F + 4 * H, "Count the encodings"),
    (lambda F, H, L, gl, gb, c: float(_count(F, H, L, gl, gb, c)) + 0.5, "whole number"),
]


@pytest.mark.parametrize(("answer", "hint"), EX1_WRONG)
def test_ex1_wrong_answers(answer, hint):
    assert_fails(run("ex1", answer), hint)


# Exercise 2 ------------------------------------------------------------------------------


def _p(phi):
    return math.sin(phi / 2) ** 2


EX2_WRONG = [
    (lambda t, f: math.cos(t), "as if nothing happened"),
    (lambda t, f: (1 - _p(f)) * math.cos(t) - _p(f), "not −1"),
    (lambda t, f: _p(f) * math.cos(t) + 1 - _p(f), "not cos²(φ/2)"),
    (lambda t, f: (1 - _p(f)) * math.cos(t), "forget_expectation"),
    (lambda t, f: [math.cos(t), 1.0], "return one"),
]


@pytest.mark.parametrize(("answer", "hint"), EX2_WRONG)
def test_ex2_wrong_answers(answer, hint):
    assert_fails(run("ex2", answer), hint)


# Exercise 3 ------------------------------------------------------------------------------


def _read(model, context, upto):
    state = model.initial_state(context.shape[0])
    for t in range(upto):
        y, state = model.step(context[:, t], state)
    return y, state


def _early(model, context, n):
    y, state = _read(model, context, context.shape[1] - 1)
    out = [y[:, :1]]
    for _ in range(n - 1):
        y, state = model.step(out[-1], state)
        out.append(y[:, :1])
    return torch.cat(out, 1)


def _no_carry(model, context, n):
    y, _ = _read(model, context, context.shape[1])
    out = [y[:, :1]]
    for _ in range(n - 1):
        y, _ = model.step(out[-1], model.initial_state(context.shape[0]))
        out.append(y[:, :1])
    return torch.cat(out, 1)


EX3_WRONG = [
    (lambda m, c, n: c[:, -1, :].repeat(1, n), "last context value"),
    (_early, "one step early"),
    (_no_carry, "keep the state"),
    (lambda m, c, n: _no_carry(m, c, n)[0], "shape"),
]


@pytest.mark.parametrize(("answer", "hint"), EX3_WRONG)
def test_ex3_wrong_answers(answer, hint):
    assert_fails(run("ex3", answer), hint)
