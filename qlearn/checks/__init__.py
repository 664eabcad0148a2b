r"""Exercise checks: call one on your answer and it says ✅ passed, ❌ failed (with a hint) or
⏳ not done yet — never a bare traceback.

Students use them in the exercise notebooks (``exercises/``)::

    from qlearn import checks

    def ghz_state(n_qubits):
        ...                              # your code

    checks.ch01.ex2(ghz_state)           # shows ✅ / ❌ + hint / ⏳
    checks.summary("ch01")               # one line per exercise of the chapter

There is one module per chapter (``checks.ch01``, ``checks.ch02``, ...), imported on first use,
with one check per exercise named ``ex1``, ``ex2``, ... in the order of the exercise notebook.

Writing checks (for chapter authors)
------------------------------------
A check is a plain function decorated with :func:`check`. It receives the student's function
(or value), runs it through :func:`call` (which turns the student's exceptions into a failed
result naming the exception), compares with :func:`assert_close` / :func:`expect` / :func:`fail`,
and returns a short success message. The decorator does the rest: it catches everything, turns
it into a :class:`CheckResult`, and records it for :func:`summary` and
:func:`assert_all_passed`. Example, in ``qlearn/checks/ch02.py``::

    import torch

    from qlearn.checks import assert_close, call, check, expect

    @check
    def ex1(frequencies):
        # Exercise 1: frequencies(n_layers) -> the integer spectrum of n_layers RZ encodings
        for n in (1, 2, 3):
            got = call(frequencies, n)
            expect(len(got) == 2 * n + 1, f"for n_layers={n} expected {2 * n + 1} frequencies, "
                   f"got {len(got)}: each layer adds -1, 0 and +1 to every frequency.")
            assert_close(got, torch.arange(-n, n + 1), atol=0, what=f"frequencies({n})")
        return "the spectrum of n layers is {-n, ..., n}."

Then write the exercise in ``solutions/ch02_exercises.ipynb`` (laid out like
``solutions/ch01_exercises.ipynb``; the markup rules are in :mod:`qlearn.exercises`) with
``checks.ch02.ex1(frequencies)`` in the cell below it, run ``make exercises``, list both
notebooks in ``_toc.yml``, and add passing and failing cases to ``tests/test_checks.py``.

Status of a check: ``"passed"``, ``"failed"`` or ``"not done yet"`` (the student's function still
raises :class:`NotDoneYet`, the stub that ``make exercises`` puts where the solution was).
"""

from __future__ import annotations

import functools
import html
import importlib
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch

__all__ = [
    "CHECKS",
    "CheckFailed",
    "CheckResult",
    "ChecksFailed",
    "NotDoneYet",
    "Summary",
    "assert_all_passed",
    "assert_close",
    "call",
    "check",
    "expect",
    "fail",
    "reset",
    "short_repr",
    "summary",
    "to_tensor",
]

PASSED, FAILED, NOT_DONE = "passed", "failed", "not done yet"
_ICONS = {PASSED: "✅", FAILED: "❌", NOT_DONE: "⏳", None: "⬜"}
_COLOURS = {PASSED: "#1a7f37", FAILED: "#cf222e", NOT_DONE: "#9a6700", None: "#6e7781"}

#: Every check function, by name (``"ch01.ex1"``), filled in as chapter modules are imported.
CHECKS: dict[str, Callable[..., CheckResult]] = {}
#: The latest result of every check run in this Python process, by name.
_RESULTS: dict[str, CheckResult] = {}


class NotDoneYet(NotImplementedError):
    """Raised by an exercise stub: the student has not written this part yet.

    Example:
        >>> str(NotDoneYet("ghz_state"))
        'ghz_state is not done yet: replace the line `raise checks.NotDoneYet(...)` with your code.'
    """

    def __init__(self, what: str = "this exercise"):
        self.what = what
        super().__init__(
            f"{what} is not done yet: replace the line `raise checks.NotDoneYet(...)` with your "
            "code."
        )


class CheckFailed(AssertionError):
    """Raised inside a check to fail it; the message is the hint shown to the student."""


class ChecksFailed(AssertionError):
    """Raised by :func:`assert_all_passed` when a check failed, is not done or never ran."""


@dataclass(frozen=True)
class CheckResult:
    """What a check says: its ``name``, ``status`` (passed / failed / not done yet), ``message``.

    It is truthy when passed, and shows itself as one line in a notebook.

    Example:
        >>> CheckResult("ch01.ex1", "failed", "p(1) is off by 0.5 at θ = π.")
        ❌ ch01.ex1 failed: p(1) is off by 0.5 at θ = π.
    """

    name: str
    status: str
    message: str = ""

    @property
    def passed(self) -> bool:
        return self.status == PASSED

    def __bool__(self) -> bool:
        return self.passed

    def _headline(self) -> str:
        return f"{_ICONS[self.status]} {self.name} {self.status}"

    def __repr__(self) -> str:
        return self._headline() + (f": {self.message}" if self.message else "")

    __str__ = __repr__

    def _repr_markdown_(self) -> str:
        return f"**{self._headline()}**" + (f": {_md_escape(self.message)}" if self.message else "")

    def _repr_html_(self) -> str:
        colour = _COLOURS[self.status]
        text = f": {html.escape(self.message)}" if self.message else ""
        return (
            f'<div style="border-left: 4px solid {colour}; padding: 0.3em 0.8em; '
            f'margin: 0.2em 0;"><strong style="color: {colour}">{html.escape(self._headline())}'
            f"</strong>{text}</div>"
        )


def _md_escape(text: str) -> str:
    return re.sub(r"([\\`*_{}\[\]<>#|$])", r"\\\1", text)


# --------------------------------------------------------------------------------------------
# Writing checks


def check(fn: Callable[..., str | None]) -> Callable[..., CheckResult]:
    """Decorate a check: its exceptions become a :class:`CheckResult`, which is recorded.

    The check's name is ``<module>.<function>``, e.g. ``ch01.ex1`` for ``ex1`` in
    ``qlearn/checks/ch01.py``. Inside, raise :class:`CheckFailed` (or use :func:`fail`,
    :func:`expect`, :func:`assert_close`) to fail with a hint, and return an optional message
    on success. A :class:`NotDoneYet` from the student's code gives "not done yet"; any other
    exception (a bug in the check, or an answer it cannot digest) gives a failed result that
    names it.
    """
    name = f"{fn.__module__.rsplit('.', 1)[-1]}.{fn.__name__}"

    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> CheckResult:
        try:
            message = fn(*args, **kwargs)
            result = CheckResult(name, PASSED, message or "")
        except NotDoneYet as err:
            result = CheckResult(
                name,
                NOT_DONE,
                f"{err.what} still raises NotDoneYet: replace that line with your code, then run "
                "this check again.",
            )
        except CheckFailed as err:
            result = CheckResult(name, FAILED, str(err))
        except Exception as err:  # noqa: BLE001 - the student must never see a traceback
            result = CheckResult(
                name, FAILED, f"the check could not use your answer ({_describe(err)})."
            )
        _RESULTS[name] = result
        return result

    run.check_name = name  # type: ignore[attr-defined]
    CHECKS[name] = run
    return run


def fail(hint: str) -> None:
    """Fail the running check with ``hint``."""
    raise CheckFailed(hint)


def expect(condition: Any, hint: str) -> None:
    """Fail the running check with ``hint`` unless ``condition`` holds."""
    if not condition:
        raise CheckFailed(hint)


def _describe(err: BaseException) -> str:
    text = str(err).strip().splitlines()
    first = text[0] if text else ""
    return f"{type(err).__name__}: {first}" if first else type(err).__name__


def short_repr(value: Any) -> str:
    """A short description of ``value`` for hints (tensors by shape, long values by type)."""
    if isinstance(value, torch.Tensor):
        return f"<tensor of shape {tuple(value.shape)}>" if value.numel() > 4 else repr(value)
    text = repr(value)
    return text if len(text) <= 40 else f"<{type(value).__name__}>"


def call(fn: Any, *args: Any, label: str | None = None, **kwargs: Any) -> Any:
    """Call the student's ``fn(*args, **kwargs)``; their exceptions fail the check.

    A :class:`NotDoneYet` passes through (the check reports "not done yet"); any other exception
    becomes a :class:`CheckFailed` naming the call, the exception type and its message.
    ``label`` is how the call is shown (default ``name(args)``).
    """
    name = getattr(fn, "__name__", type(fn).__name__)
    if not callable(fn):
        fail(
            f"expected a function but got {short_repr(fn)} (a {type(fn).__name__}); pass the "
            "function itself, without calling it: checks.chXX.exN(my_function), not "
            "my_function()."
        )
    if label is None:
        shown = [short_repr(a) for a in args] + [f"{k}={short_repr(v)}" for k, v in kwargs.items()]
        label = f"{name}({', '.join(shown)})"
    try:
        return fn(*args, **kwargs)
    except NotDoneYet:
        raise
    except Exception as err:  # noqa: BLE001
        raise CheckFailed(f"{label} raised {_describe(err)}") from None


# --------------------------------------------------------------------------------------------
# Numeric comparisons


def to_tensor(value: Any, what: str = "your result") -> torch.Tensor:
    """``value`` (tensor, array, number or nested list) as a detached float64/complex128 CPU
    tensor; fails the check with a hint if it is not numbers."""
    if isinstance(value, torch.Tensor):
        t = value.detach().cpu()
    else:
        try:
            t = torch.as_tensor(value)
        except (TypeError, ValueError, RuntimeError):
            fail(f"{what} should be a tensor of numbers, but it is {short_repr(value)}.")
    if t.is_complex():
        return t.to(torch.complex128)
    if t.dtype == torch.bool or not (t.is_floating_point() or t.dtype in _INTS):
        fail(f"{what} should hold numbers, but its dtype is {t.dtype}.")
    return t.to(torch.float64)


_INTS = (torch.int8, torch.int16, torch.int32, torch.int64, torch.uint8)


def max_error(actual: Any, expected: Any) -> float:
    """Largest absolute difference (``inf`` if the shapes differ or a value is not finite)."""
    a, e = to_tensor(actual), to_tensor(expected)
    if a.shape != e.shape:
        return math.inf
    if a.numel() == 0:
        return 0.0
    diff = (a - e).abs()
    return math.inf if not torch.isfinite(diff).all() else diff.max().item()


def is_close(actual: Any, expected: Any, atol: float = 1e-6) -> bool:
    """Whether ``actual`` equals ``expected`` in shape and within ``atol`` everywhere."""
    return max_error(actual, expected) <= atol


def assert_close(
    actual: Any,
    expected: Any,
    *,
    atol: float = 1e-6,
    what: str = "your result",
    inputs: Any = None,
    input_name: str = "input",
) -> None:
    """Fail unless ``actual`` has the shape of ``expected`` and matches it within ``atol``.

    The hint names the shape mismatch, or the largest error and one place where it occurs
    (``inputs[i]`` for the worst entry ``i``, labelled ``input_name``, when given).
    """
    a, e = to_tensor(actual, what), to_tensor(expected)
    if a.shape != e.shape:
        fail(f"{what} has shape {tuple(a.shape)}, but it should have shape {tuple(e.shape)}.")
    if a.numel() == 0:
        return
    diff = (a - e).abs().reshape(-1)
    bad = ~torch.isfinite(diff)
    if bad.any():
        i = int(bad.nonzero()[0])
        at = _at(inputs, i, input_name)
        fail(f"{what} contains {a.reshape(-1)[i].item()}{at}, but should be finite.")
    i = int(diff.argmax())
    err = diff[i].item()
    if err > atol:
        got, want = a.reshape(-1)[i].item(), e.reshape(-1)[i].item()
        fail(
            f"{what} is off by up to {err:.3g} (tolerance {atol:g}){_at(inputs, i, input_name)}: "
            f"expected {_num(want)} but got {_num(got)}."
        )


def _num(v: complex | float, digits: int = 6) -> str:
    """A number for a hint: ``digits`` significant digits, rounding noise below 1e-12 as 0."""
    if isinstance(v, complex):
        return f"{_num(v.real, digits)}{'+' if v.imag >= 0 else '-'}{_num(abs(v.imag), digits)}j"
    return f"{0.0 if abs(v) < 1e-12 else v:.{digits}g}"


def _at(inputs: Any, i: int, name: str) -> str:
    if inputs is None:
        return ""
    flat = to_tensor(inputs).reshape(-1)
    return f" at {name} = {_num(flat[i].item(), 4)}" if i < flat.numel() else ""


# --------------------------------------------------------------------------------------------
# Progress


def _chapter_checks(chapter: str) -> list[str]:
    if not re.fullmatch(r"ch\d\d", chapter):
        raise ValueError(f"chapter={chapter!r} must look like 'ch01'.")
    importlib.import_module(f"{__name__}.{chapter}")
    return [name for name in CHECKS if name.startswith(f"{chapter}.")]


@dataclass(frozen=True)
class Summary:
    """The latest result of every check of a chapter (``None``: not run in this session)."""

    chapter: str
    results: tuple[tuple[str, CheckResult | None], ...]

    @property
    def n_passed(self) -> int:
        return sum(1 for _, r in self.results if r is not None and r.passed)

    def __repr__(self) -> str:
        lines = [f"{self.chapter}: {self.n_passed} of {len(self.results)} checks passed"]
        for name, r in self.results:
            lines.append(
                f"  {r!r}" if r is not None else f"  {_ICONS[None]} {name} not checked yet"
            )
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        rows = []
        for name, r in self.results:
            status = r.status if r is not None else None
            word = status or "not checked yet"
            rows.append(
                f"<tr><td>{_ICONS[status]}</td><td><code>{name}</code></td>"
                f'<td style="color: {_COLOURS[status]}">{word}</td></tr>'
            )
        head = html.escape(f"{self.chapter}: {self.n_passed} of {len(self.results)} checks passed")
        return f"<p><strong>{head}</strong></p><table>{''.join(rows)}</table>"


def summary(chapter: str) -> Summary:
    """The latest result of every check of ``chapter`` (e.g. ``"ch01"``) in this session."""
    names = _chapter_checks(chapter)
    return Summary(chapter, tuple((n, _RESULTS.get(n)) for n in names))


def assert_all_passed(chapter: str) -> Summary:
    """Raise :class:`ChecksFailed` unless every check of ``chapter`` ran and passed.

    The solution notebooks end with this call (in a cell that ``make exercises`` leaves out of
    the exercise notebooks), so a solution that fails its own check fails the notebook run.
    """
    s = summary(chapter)
    bad = [
        f"{name}: " + ("never ran" if r is None else f"{r.status}: {r.message}")
        for name, r in s.results
        if r is None or not r.passed
    ]
    if not s.results:
        bad = [f"{chapter} has no checks"]
    if bad:
        raise ChecksFailed("not every check passed:\n" + "\n".join(bad))
    return s


def reset() -> None:
    """Forget every recorded result (tests use it; a notebook restart does the same)."""
    _RESULTS.clear()


def __getattr__(name: str) -> Any:
    """Import chapter modules on first use: ``checks.ch01`` imports ``qlearn.checks.ch01``."""
    if re.fullmatch(r"ch\d\d", name):
        try:
            return importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as err:
            if err.name == f"{__name__}.{name}":
                raise AttributeError(f"there are no checks for chapter {name!r} yet.") from None
            raise
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
