"""Chapter 6 exercise checks (:mod:`qlearn.checks.ch06`): every check passes on the reference
solution, loaded from the solution notebook itself, fails with a hint on typical wrong answers,
and reports the exercise stubs as not done yet; never a traceback."""

from __future__ import annotations

import doctest

import pytest
import torch
from checks_support import assert_fails, chapter_fixtures, run_check

from qlearn import checks
from qlearn.checks import ch06

#: check -> the names of the student's functions it takes, as defined in the notebooks
CH06 = {
    "ex1": ["weak_p_minus"],
    "ex2": ["sign_network"],
    "ex3": ["majority_vote"],
}

sol, stub, fresh_results = chapter_fixtures("ch06")


def run(name: str, *args) -> checks.CheckResult:
    return run_check(ch06, name, *args)


def test_every_chapter_6_check_is_covered():
    assert {n for n in checks.CHECKS if n.startswith("ch06.")} == {f"ch06.{e}" for e in CH06}


@pytest.mark.parametrize("name", CH06)
def test_reference_solution_passes(sol, name):
    result = run(name, *(sol[f] for f in CH06[name]))
    assert result.passed, result


@pytest.mark.parametrize("name", CH06)
def test_stub_is_reported_not_done(stub, name):
    result = run(name, *(stub[f] for f in CH06[name]))
    assert result.status == "not done yet", result
    assert CH06[name][0] in result.message


def test_all_passed_after_the_solutions(sol):
    with pytest.raises(checks.ChecksFailed, match="ch06.ex1: never ran"):
        checks.assert_all_passed("ch06")
    for name, funcs in CH06.items():
        run(name, *(sol[f] for f in funcs))
    assert checks.assert_all_passed("ch06").n_passed == 3


def test_module_docstring_example():
    result = doctest.testmod(ch06, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0 and result.attempted > 0


EX1_WRONG = [
    (lambda t, g: torch.sin(t / 2) ** 2, "ignores g"),
    (lambda t, g: 0.5 * (1 + torch.sin(g) * torch.cos(t)), "P(s = +1)"),
    (lambda t, g: 0.5 * (1 - torch.sin(g) ** 2 * torch.cos(t)), "sin²g"),
    (lambda t, g: 0.5 * (1 - torch.cos(g) * torch.cos(t)), "ignores g"),
    (lambda t, g: 0.5 * (1 - torch.sin(g) * torch.cos(t))[:10], "shape"),
    (lambda t, g: 0.5 * (1 - torch.sin(2 * g) * torch.cos(t)), "weak_p_minus(theta, g)"),
]


@pytest.mark.parametrize(("answer", "hint"), EX1_WRONG)
def test_ex1_wrong_answers(answer, hint):
    assert_fails(run("ex1", answer), hint)


def _signs(x, layers, sign=lambda z: torch.where(z >= 0, 1.0, -1.0).to(z.dtype), last=True):
    s = x
    for w, b in layers[:-1]:
        s = sign(s @ w.T + b)
    w, b = layers[-1]
    return s @ w.T + b if last else s


EX2_WRONG = [
    (lambda x, layers: _signs(x, layers, sign=torch.sign), "torch.sign(0)"),
    (lambda x, layers: _signs(x, layers, last=False), "shape"),
    (lambda x, layers: _signs(x, layers, sign=torch.tanh), "sign_network(x, layers)"),
    (lambda x, layers: _signs(x, [(w.T, b) for w, b in layers]), "sign_network"),
]


@pytest.mark.parametrize(("answer", "hint"), EX2_WRONG)
def test_ex2_wrong_answers(answer, hint):
    assert_fails(run("ex2", answer), hint)


def _counts(logits):
    return torch.nn.functional.one_hot(logits.argmax(-1), logits.shape[-1]).sum(0)


EX3_WRONG = [
    (lambda logits: logits.mean(0).argmax(-1), "mean logits"),
    (
        lambda logits: _counts(logits).flip(-1).argmax(-1).neg() + logits.shape[-1] - 1,
        "smaller class",
    ),  # fmt: skip
    (lambda logits: logits.argmax(-1)[0], "majority_vote"),
    (lambda logits: _counts(logits), "shape"),
]


@pytest.mark.parametrize(("answer", "hint"), EX3_WRONG)
def test_ex3_wrong_answers(answer, hint):
    assert_fails(run("ex3", answer), hint)
