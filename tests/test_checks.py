"""Exercise checks (:mod:`qlearn.checks`): every check passes on the reference solution, loaded
from the solution notebook itself, fails with a hint on typical wrong answers, and reports the
exercise stubs as not done yet; never a traceback."""

from __future__ import annotations

import math

import pytest
import torch
from checks_support import assert_fails, chapter_fixtures, run_check

from qlearn import checks
from qlearn.checks import ch01
from qlearn.sim import Circuit
from qlearn.sim import functional as F

F64 = torch.float64

#: check -> the names of the student's functions it takes, as defined in the notebooks
CH01 = {
    "ex1": ["p1_after_ry"],
    "ex2": ["ghz_state"],
    "ex3": ["z_on_grid"],
    "ex4": ["trainable_encoding_circuit"],
    "ex5": ["my_circuit", "max_differences"],
}


sol, stub, fresh_results = chapter_fixtures("ch01")


def run(name: str, *args) -> checks.CheckResult:
    return run_check(ch01, name, *args)


# --------------------------------------------------------------------------------------------
# Reference solutions and stubs


def test_every_chapter_1_check_is_covered():
    assert {n for n in checks.CHECKS if n.startswith("ch01.")} == {f"ch01.{e}" for e in CH01}


@pytest.mark.parametrize("name", CH01)
def test_reference_solution_passes(sol, name):
    result = run(name, *(sol[f] for f in CH01[name]))
    assert result.passed, result
    assert result.status == "passed" and repr(result).startswith("✅")


@pytest.mark.parametrize("name", CH01)
def test_stub_is_reported_not_done(stub, name):
    result = run(name, *(stub[f] for f in CH01[name]))
    assert result.status == "not done yet", result
    assert CH01[name][0] in result.message and repr(result).startswith("⏳")


def test_stub_of_the_second_function_is_reported(sol, stub):
    result = run("ex5", sol["my_circuit"], stub["max_differences"])
    assert result.status == "not done yet" and "max_differences" in result.message


def test_all_passed_after_the_solutions_and_not_before(sol):
    with pytest.raises(checks.ChecksFailed, match="ch01.ex1: never ran"):
        checks.assert_all_passed("ch01")
    for name, funcs in CH01.items():
        run(name, *(sol[f] for f in funcs))
    summary = checks.assert_all_passed("ch01")
    assert summary.n_passed == len(CH01)
    assert "5 of 5 checks passed" in repr(summary) and "<table>" in summary._repr_html_()


def test_all_passed_names_a_failed_check(sol):
    for name, funcs in CH01.items():
        run(name, *(sol[f] for f in funcs))
    run("ex1", lambda theta: torch.cos(theta / 2) ** 2)  # the latest result counts
    with pytest.raises(checks.ChecksFailed, match=r"ch01.ex1: failed: that is p\(0\)"):
        checks.assert_all_passed("ch01")


# --------------------------------------------------------------------------------------------
# Typical wrong answers, exercise by exercise


def _float_only(theta):
    return math.sin(theta / 2) ** 2  # math.sin cannot take a tensor of 101 angles


EX1_WRONG = [
    (lambda t: torch.cos(t / 2) ** 2, "that is p(0)"),
    (lambda t: torch.sin(t) ** 2, "half angle"),
    (lambda t: torch.sin(t / 2), "Born rule"),
    (lambda t: (1 - torch.cos(t)) / 2 + 0.01, "off by up to 0.01"),
    (lambda t: torch.sin(t / 2)[None] ** 2, "shape (1, 101)"),
    (lambda t: 0.5, "one number"),
    (lambda t: "sin^2(theta/2)", "tensor of numbers"),
    (_float_only, "use torch.sin"),
]


@pytest.mark.parametrize(("answer", "hint"), EX1_WRONG)
def test_ex1_wrong_answers(answer, hint):
    assert_fails(run("ex1", answer), hint)


def test_ex1_names_the_angle_of_the_worst_error():
    result = run("ex1", lambda t: torch.sin(t / 2) ** 2 + 0.1 * (t.abs() < 1e-9))
    assert_fails(result, "at θ = 0:", "expected 0 but got 0.1")


def test_a_value_instead_of_a_function_is_explained():
    assert_fails(run("ex1", torch.sin(torch.tensor(0.3))), "pass the function itself")


def _ghz(n, *, cnots=None, extra=None, phase=False):
    psi = F.zero_state(n, dtype=F64)
    psi = F.apply(psi, "H", 0)
    if phase:
        psi = F.apply(psi, "Z", 0)
    for w in range(1, n if cnots is None else cnots):
        psi = F.apply(psi, "CNOT", (0, w))
    return psi


EX2_WRONG = [
    (lambda n: _ghz(n, cnots=1), ["GHZ has only", "|10⟩: 0.5", "CNOTs"]),
    (lambda n: _ghz(n, cnots=2), ["ghz_state(3)", "smaller n worked"]),
    (lambda n: _ghz(n, phase=True), ["relative phase", "-1.000"]),
    (lambda n: _ghz(3), ["ghz_state(2) returned shape (1, 8)", "F.zero_state(n_qubits)"]),
    (lambda n: F.probs(_ghz(n)), ["not F.probs"]),
    (lambda n: _ghz(n)[0], ["shape (4,)", "batch of one"]),
    (lambda n: _ghz(n).tolist(), ["state tensor"]),
    (lambda n: 2 * _ghz(n), ["not normalised"]),
    (lambda n: F.apply(_ghz(n), "CNOT", (0, n)), ["(2) raised ValueError: wires=(0, 2)"]),
]


@pytest.mark.parametrize(("answer", "hints"), EX2_WRONG)
def test_ex2_wrong_answers(answer, hints):
    assert_fails(run("ex2", answer), *hints)


def test_ex2_accepts_a_global_phase():
    assert run("ex2", lambda n: F.apply(_ghz(n), "GlobalPhase", [], 0.7)).passed


def _grid(n, hi=math.pi):
    g = torch.linspace(0, hi, n, dtype=F64)
    return [t.reshape(-1) for t in torch.meshgrid(g, g, indexing="ij")]


def _z(theta, phi, second="RY"):
    psi = F.apply(F.zero_state(1, dtype=F64), "RX", 0, theta)
    return F.expval(F.apply(psi, second, 0, phi), "Z", 0)


def _looped(n):
    theta, phi = _grid(n)
    z = torch.stack([_z(t, p)[0] for t, p in zip(theta, phi, strict=True)])
    return theta, phi, z


def _formula(n):
    theta, phi = _grid(n)
    return theta, phi, torch.cos(theta) * torch.cos(phi)


def _unflattened(n):
    g = torch.linspace(0, math.pi, n, dtype=F64)
    theta, phi = torch.meshgrid(g, g, indexing="ij")
    return theta, phi, _z(theta.reshape(-1), phi.reshape(-1)).reshape(n, n)


EX3_WRONG = [
    (_looped, ["called 50 times for the 5×5 grid but 242 times", "one call"]),
    (_formula, ["never called F.apply"]),
    (lambda n: (*_grid(n, 2 * math.pi), _z(*_grid(n, 2 * math.pi))), ["not the 5×5 grid"]),
    (_unflattened, ["theta of z_on_grid(5) has shape (5, 5)", "reshape(-1)"]),
    (lambda n: (*_grid(n), _z(*_grid(n), second="RX")), ["z of z_on_grid(5) is off by"]),
    (lambda n: _z(*_grid(n)), ["three tensors"]),
]


@pytest.mark.parametrize(("answer", "hints"), EX3_WRONG)
def test_ex3_wrong_answers(answer, hints):
    assert_fails(run("ex3", answer), *hints)


def test_ex3_restores_f_apply():
    original = F.apply
    run("ex3", _looped)
    run("ex3", lambda n: 1 / 0)
    assert F.apply is original


def _section2(ab_in_layers=(), declare_ab=True, names=("theta", "scale")):
    c = Circuit(n_qubits=2)
    x = c.inputs(1)
    w = c.weights(names[0], (2, 2, 3))
    s = c.weights(names[1], (2,), init=torch.ones(2))
    ab = c.weights("ab", (2,)) if declare_ab else None
    for layer in range(2):
        for q in range(2):
            c.rot(q, w[layer, q, 0], w[layer, q, 1], w[layer, q, 2])
        c.cnot(0, 1)
        c.ry(0, s[layer] * x[0])
        c.ry(1, ab[0] * x[0] + ab[1] if layer in ab_in_layers else 2 * x[0] + 0.1)
    c.rz(1, math.pi / 4)
    c.expval("Z", 0)
    return c


EX4_WRONG = [
    (lambda: _section2(declare_ab=False), ["no weights named 'ab'"]),
    (lambda: _section2(), ["changing ab does not change the output"]),
    (lambda: _section2(ab_in_layers=(1,)), ["changing ab does not change the output"]),
    (lambda: _section2((0, 1), names=("w", "scale")), ["weights are", "keep theta and scale"]),
    (lambda: _section2((0, 1)).module(), ["not c.module()"]),
    (lambda: None, ["expected a Circuit"]),
]


@pytest.mark.parametrize(("answer", "hints"), EX4_WRONG)
def test_ex4_wrong_answers(answer, hints):
    assert_fails(run("ex4", answer), *hints)


def test_ex4_the_reference_answer_passes():
    assert run("ex4", lambda: _section2(ab_in_layers=(0, 1))).passed


def _custom(gates=("h", "crx", "isingzz"), angle=lambda x: 0.5 * x[0] - 1, weights=True, obs=True):
    c = Circuit(n_qubits=2)
    x = c.inputs(1)
    w = c.weights("w", (2,)) if weights else [0.3, 0.4]
    c.ry(0, angle(x))
    if "h" in gates:
        c.h(1)
    if "crx" in gates:
        c.crx(0, 1, w[0])
    if "isingzz" in gates:
        c.isingzz(0, 1, w[1])
    c.rx(1, w[0])
    if obs:
        c.expval("Z", 1)
    return c


def _values_only(model, x):
    return (model(x) - model.to_pennylane()(x)).abs().max().item(), 0.0


def _against_itself(model, x):
    return 0.0, 0.0


def _wrong_sign(model, x):
    return (model(x) + model.to_pennylane()(x)).abs().max().item(), 0.0


EX5_WRONG = [
    (lambda: _custom(gates=("h", "isingzz")), None, ["does not use c.crx"]),
    (lambda: _custom(gates=()), None, ["c.isingzz, c.crx, c.h"]),
    (lambda: _custom(angle=lambda x: x[0]), None, ["affine function of an input"]),
    (lambda: _custom(weights=False), None, ["no trainable weights"]),
    (lambda: _custom(obs=False), None, ["measures nothing"]),
    (lambda: _custom().module(), None, ["return the Circuit c"]),
    (_custom, _against_itself, ["missed a model whose values differ"]),
    (_custom, _values_only, ["gradients off by 1e-3", "differentiate the same scalar"]),
    (_custom, _wrong_sign, ["rounding-sized"]),
    (_custom, lambda model, x: 0.0, ["two numbers (value_diff, grad_diff)"]),
    (_custom, lambda model, x: (float("nan"), 0.0), ["value_diff", "should be finite"]),
]


@pytest.mark.parametrize(("circuit", "diff", "hints"), EX5_WRONG)
def test_ex5_wrong_answers(sol, circuit, diff, hints):
    assert_fails(run("ex5", circuit, diff or sol["max_differences"]), *hints)


def test_ex5_accepts_another_correct_circuit(sol):
    result = run("ex5", _custom, sol["max_differences"])
    assert result.passed, result
    assert "float32" in result.message


# --------------------------------------------------------------------------------------------
# The framework


@checks.check
def demo(value):
    checks.expect(value != "fail", "a hint for the student.")
    if value == "bug":
        raise KeyError("the check itself broke")
    if value == "stub":
        raise checks.NotDoneYet("demo_function")
    if callable(value):
        checks.call(value)
    return "well done."


def test_decorator_turns_everything_into_results():
    assert demo.check_name == "test_checks.demo" and checks.CHECKS["test_checks.demo"] is demo
    assert demo("ok").passed and demo("ok").message == "well done."
    failed = demo("fail")
    assert (failed.status, failed.message) == ("failed", "a hint for the student.")
    broken = demo("bug")
    assert broken.status == "failed" and "KeyError: 'the check itself broke'" in broken.message
    assert demo("stub").status == "not done yet" and "demo_function" in demo("stub").message


def test_call_reports_the_students_exception_without_traceback():
    def mine():
        raise ZeroDivisionError("division by zero\nsecond line")

    result = demo(mine)
    assert result.status == "failed"
    assert result.message == "mine() raised ZeroDivisionError: division by zero"


def test_call_shows_short_arguments():
    def f(*args, **kwargs):
        return 1 / 0

    with pytest.raises(checks.CheckFailed, match=r"f\(3, <tensor of shape \(10,\)>, k='a'\)"):
        checks.call(f, 3, torch.zeros(10), k="a")


def test_call_lets_not_done_yet_through():
    def stub():
        raise checks.NotDoneYet("stub")

    with pytest.raises(checks.NotDoneYet, match="stub is not done yet"):
        checks.call(stub)


def test_result_displays():
    ok = checks.CheckResult("ch01.ex1", "passed", "fine <ok>")
    bad = checks.CheckResult("ch01.ex2", "failed", "use *torch*")
    todo = checks.CheckResult("ch01.ex3", "not done yet", "")
    assert repr(ok) == "✅ ch01.ex1 passed: fine <ok>" and str(ok) == repr(ok)
    assert repr(todo) == "⏳ ch01.ex3 not done yet"
    assert bool(ok) and not bad and not todo
    assert "fine &lt;ok&gt;" in ok._repr_html_() and "❌ ch01.ex2 failed" in bad._repr_html_()
    assert bad._repr_markdown_() == r"**❌ ch01.ex2 failed**: use \*torch\*"


def test_assert_close_hints():
    with pytest.raises(checks.CheckFailed, match=r"has shape \(2,\), but it should have shape"):
        checks.assert_close([1.0, 2.0], torch.zeros(3), what="v")
    with pytest.raises(checks.CheckFailed, match=r"off by up to 0.5 .* at x = 2: expected 0 but"):
        checks.assert_close(
            [0.0, 0.5], [0.0, 0.0], inputs=[1.0, 2.0], input_name="x", what="v", atol=1e-3
        )
    with pytest.raises(checks.CheckFailed, match="contains nan at x = 1, but should be finite"):
        checks.assert_close([float("nan")], [0.0], inputs=[1.0], input_name="x")
    checks.assert_close(torch.tensor([1 + 1e-9j]), [1.0])
    assert checks.is_close([1.0, 2.0], [1.0, 2.0 + 1e-9]) and not checks.is_close([1.0], [1, 2])
    assert checks.max_error(torch.ones(2), [1.0, 1.5]) == 0.5


def test_to_tensor_rejects_what_is_not_numbers():
    with pytest.raises(checks.CheckFailed, match="should be a tensor of numbers"):
        checks.to_tensor({"a": 1}, "x")
    with pytest.raises(checks.CheckFailed, match="dtype is torch.bool"):
        checks.to_tensor(torch.tensor([True]), "x")
    assert checks.to_tensor([1, 2]).dtype == F64


def test_summary_lists_unrun_checks_and_failures():
    run("ex1", lambda t: torch.cos(t / 2) ** 2)
    text = repr(checks.summary("ch01"))
    assert text.startswith("ch01: 0 of 5 checks passed")
    assert "❌ ch01.ex1 failed: that is p(0)" in text and "⬜ ch01.ex2 not checked yet" in text


def test_chapter_lookup_errors():
    with pytest.raises(AttributeError, match="no checks for chapter 'ch99'"):
        checks.ch99  # noqa: B018
    with pytest.raises(ValueError, match="must look like 'ch01'"):
        checks.summary("chapter1")
    with pytest.raises(AttributeError):
        checks.nonexistent  # noqa: B018
