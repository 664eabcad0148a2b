"""Scaffolding shared by the exercise-check tests (``test_checks.py``, ``test_ch02_checks.py``):
the solution and stub namespaces of a chapter's notebooks, a clean slate of check results for
every test, and running a check with the assertions every result must meet."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

from qlearn import checks
from qlearn.exercises import load_namespace

ROOT = Path(__file__).resolve().parents[1]


def chapter_fixtures(chapter: str) -> tuple[Callable, Callable, Callable]:
    """The fixtures ``sol``, ``stub`` and ``fresh_results`` of one chapter's check tests.

    Assign them at module level (``sol, stub, fresh_results = chapter_fixtures("ch01")``):
    ``sol`` and ``stub`` are the functions of ``solutions/<chapter>_exercises.ipynb`` and
    ``exercises/<chapter>_exercises.ipynb``, loaded once per module; ``fresh_results``
    (autouse) clears the recorded check results before and after every test.
    """

    @pytest.fixture(scope="module")
    def sol() -> dict:
        """The functions of the worked solutions (solutions/<chapter>_exercises.ipynb)."""
        return load_namespace(ROOT / "solutions" / f"{chapter}_exercises.ipynb")

    @pytest.fixture(scope="module")
    def stub() -> dict:
        """The functions of the exercise notebook, as generated (every one a stub)."""
        return load_namespace(ROOT / "exercises" / f"{chapter}_exercises.ipynb")

    @pytest.fixture(autouse=True)
    def fresh_results():
        checks.reset()
        yield
        checks.reset()

    return sol, stub, fresh_results


def run_check(module: ModuleType, name: str, *args) -> checks.CheckResult:
    """Run check ``name`` of a chapter's checks ``module``; never a traceback, one line."""
    result = getattr(module, name)(*args)
    assert isinstance(result, checks.CheckResult)
    assert "Traceback" not in result.message and "\n" not in result.message
    return result


def assert_fails(result: checks.CheckResult, *fragments: str) -> None:
    """``result`` failed, and its message contains every one of ``fragments``."""
    assert result.status == "failed", result
    assert not result
    for fragment in fragments:
        assert fragment in result.message, (fragment, result.message)
