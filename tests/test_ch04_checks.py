"""Chapter 4 exercise checks (:mod:`qlearn.checks.ch04`): every check passes on the reference
solution, loaded from the solution notebook itself, fails with a hint on typical wrong answers,
and reports the exercise stubs as not done yet; never a traceback."""

from __future__ import annotations

import doctest

import pytest
import torch
from checks_support import assert_fails, chapter_fixtures, run_check

from qlearn import checks
from qlearn.checks import ch04
from qlearn.models import MLP, QRUN

#: check -> the names of the student's functions it takes, as defined in the notebooks
CH04 = {
    "ex1": ["unit_frequencies"],
    "ex2": ["qrun_for_budget"],
    "ex3": ["frequency_errors"],
}

sol, stub, fresh_results = chapter_fixtures("ch04")


def run(name: str, *args) -> checks.CheckResult:
    return run_check(ch04, name, *args)


def test_every_chapter_4_check_is_covered():
    assert {n for n in checks.CHECKS if n.startswith("ch04.")} == {f"ch04.{e}" for e in CH04}


@pytest.mark.parametrize("name", CH04)
def test_reference_solution_passes(sol, name):
    result = run(name, *(sol[f] for f in CH04[name]))
    assert result.passed, result


@pytest.mark.parametrize("name", CH04)
def test_stub_is_reported_not_done(stub, name):
    result = run(name, *(stub[f] for f in CH04[name]))
    assert result.status == "not done yet", result
    assert CH04[name][0] in result.message


def test_all_passed_after_the_solutions(sol):
    with pytest.raises(checks.ChecksFailed, match="ch04.ex1: never ran"):
        checks.assert_all_passed("ch04")
    for name, funcs in CH04.items():
        run(name, *(sol[f] for f in funcs))
    assert checks.assert_all_passed("ch04").n_passed == 3


def test_module_docstring_example():
    result = doctest.testmod(ch04, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0 and result.attempted > 0


# Exercise 1 ------------------------------------------------------------------------------


def _sums(scales, digits=(-1, 0, 1)):
    freqs = [0.0]
    for s in scales:
        freqs = [f + m * s for f in freqs for m in digits]
    return freqs


EX1_WRONG = [
    (lambda s: [-sum(s), 0.0, sum(s)], "is missing the frequencies"),
    (lambda s: _sums(s), "more than once"),
    (lambda s: sorted({f for f in _sums(s) if f >= 0}), "the negative ones"),
    (lambda s: 3 ** len(s), "not how many"),
    (lambda s: sorted(set(_sums(s)))[::-1], "not sorted"),
    (lambda s: list(range(-int(sum(s)), int(sum(s)) + 1)), "unit_frequencies([0.5, 2])"),
]


@pytest.mark.parametrize(("answer", "hint"), EX1_WRONG)
def test_ex1_wrong_answers(answer, hint):
    assert_fails(run("ex1", answer), hint)


def test_ex1_extra_frequencies_hint():
    def up_to_sum_when_integer(s):
        if all(float(v).is_integer() for v in s):
            return [float(k) for k in range(-int(sum(s)), int(sum(s)) + 1)]
        return sorted(set(_sums(s)))

    assert_fails(run("ex1", up_to_sum_when_integer), "extra frequencies", "[2, 2, 5]")


# Exercise 2 ------------------------------------------------------------------------------


def _search(mlp, n, slack=0, depth=None):
    d, out = mlp.net[0].in_features, mlp.net[-1].out_features
    depth = len(mlp.net) // 2 if depth is None else depth

    def build(w):
        return QRUN(d, w, out, n_layers=depth, n_reuploads=n, seed=0)

    w = 1
    while build(w + 1).n_parameters <= mlp.n_parameters:
        w += 1
    return build(max(1, w + slack))


EX2_WRONG = [
    (lambda mlp, n: _search(mlp, n, slack=1), "more than the MLP's"),
    (lambda mlp, n: _search(mlp, n, slack=-1), "still fits the budget"),
    (lambda mlp, n: _search(mlp, n, depth=1), "QRUNLayer(s)"),
    (lambda mlp, n: _search(mlp, 2), "n_reuploads"),
    (
        lambda mlp, n: QRUN(
            mlp.net[0].in_features,
            mlp.net[0].out_features,
            mlp.net[-1].out_features,
            n_layers=len(mlp.net) // 2,
            n_reuploads=n,
        ),  # fmt: skip
        "more than the MLP's",
    ),
    (lambda mlp, n: MLP(1, 4, 1), "QRUNLayer(s)"),
    (lambda mlp, n: 7, "return the model"),
]


@pytest.mark.parametrize(("answer", "hint"), EX2_WRONG)
def test_ex2_wrong_answers(answer, hint):
    assert_fails(run("ex2", answer), hint)


# Exercise 3 ------------------------------------------------------------------------------


def _ref(p, g, ks):
    e, r = torch.fft.fft(p - g), torch.fft.fft(g)
    return torch.stack([e[k].abs() / r[k].abs() for k in ks])


EX3_WRONG = [
    (
        lambda p, g, ks: (
            torch.stack([torch.fft.fft(p)[k].abs() - torch.fft.fft(g)[k].abs() for k in ks]).abs()
            / torch.stack([torch.fft.fft(g)[k].abs() for k in ks])
        ),  # fmt: skip
        "phase matters",
    ),
    (
        lambda p, g, ks: torch.stack([torch.fft.fft(p - g)[k].abs() / len(p) for k in ks]),
        "Divide the error's coefficient",
    ),
    (lambda p, g, ks: _ref(p, g, [k - 1 for k in ks]), "off by"),
    (lambda p, g, ks: _ref(p, g, ks)[:1], "shape (1,)"),
    (lambda p, g, ks: _ref(p, g, ks) + 0.01, "off by up to 0.01"),
]


@pytest.mark.parametrize(("answer", "hint"), EX3_WRONG)
def test_ex3_wrong_answers(answer, hint):
    assert_fails(run("ex3", answer), hint)


def test_ex3_accepts_the_normalised_dft():
    def normalised(p, g, ks):
        n = len(p)
        return _ref(p / n, g / n, ks)

    assert run("ex3", normalised).passed
