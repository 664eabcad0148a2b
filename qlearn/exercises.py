"""Generate the exercise notebooks (``exercises/``) from the solution notebooks (``solutions/``).

The solution notebooks are the source: every exercise is written there once, solved, and checked
by a cell such as ``checks.ch01.ex2(ghz_state)``. ``make exercises`` (``python -m
qlearn.exercises build``) writes one exercise notebook per solution notebook, by these rules:

* **Code.** Lines between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` (each marker alone on
  its line, both at the same indentation, inside the body of a function) are replaced by
  ``raise checks.NotDoneYet("<function>")`` at the markers' indentation. The stub only runs when
  the function is called, so the exercise notebook executes: its check cells report ⏳ not done.
  A region at top level or outside a function, a missing or extra marker, or an empty region is
  an error that names the notebook, the cell and the line.
* **Words.** In markdown cells, lines between ``<!-- BEGIN SOLUTION -->`` and
  ``<!-- END SOLUTION -->`` (invisible when rendered) become ``_Write your answer here._``.
* **Solution-only cells.** Cells tagged ``solution-only`` are left out. The last code cell of a
  solution notebook must be such a cell calling ``checks.assert_all_passed("chNN")``, so that a
  solution failing its own check fails the notebook run (CI and ``make book``), while the
  exercise notebook, without it, runs to the end.
* **Title.** The first cell starts with ``# Solutions ...``; the exercise notebook gets
  ``# Exercises ...`` and a comment saying it is generated.
* Outputs and execution counts are cleared (notebooks are committed without outputs).

``make lint`` runs ruff on the exercise notebooks too: a line before a region that assigns a
variable used only inside the region leaves it unused in the exercise (ruff F841), so put such
lines inside the region.

``python -m qlearn.exercises check`` exits with status 1 if ``exercises/`` differs from what
``build`` would write (the unit tests run the same comparison).

Example:
    >>> cell = "def f(x):\\n    ### BEGIN SOLUTION\\n    return 2 * x\\n    ### END SOLUTION"
    >>> print(strip_code(cell))
    def f(x):
        raise checks.NotDoneYet("f")
"""

from __future__ import annotations

import argparse
import ast
import copy
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat

__all__ = [
    "SolutionMarkupError",
    "build",
    "check",
    "exercise_notebook",
    "load_namespace",
    "main",
    "strip_code",
    "strip_markdown",
]

BEGIN_CODE, END_CODE = "### BEGIN SOLUTION", "### END SOLUTION"
BEGIN_MD, END_MD = "<!-- BEGIN SOLUTION -->", "<!-- END SOLUTION -->"
SOLUTION_ONLY = "solution-only"
ANSWER = "_Write your answer here._"
STUB = 'raise checks.NotDoneYet("{name}")'
_PLACEHOLDER = "raise NotImplementedError  # qlearn-stub"
_CHECKS_IMPORT = re.compile(
    r"^\s*(from\s+qlearn\s+import\s+([\w\s,]*\b)?checks\b|import\s+qlearn\.checks\s+as\s+checks\b)",
    re.MULTILINE,
)
_ASSERT_ALL = "checks.assert_all_passed("


class SolutionMarkupError(ValueError):
    """A solution notebook breaks a rule of the generator; the message says where and how."""


@dataclass(frozen=True)
class Region:
    """Lines ``begin`` (the BEGIN marker) to ``end`` (the END marker), 0-based, and the
    markers' indentation."""

    begin: int
    end: int
    indent: str


def find_regions(lines: Sequence[str], begin: str, end: str, where: str) -> list[Region]:
    """Locate the solution regions delimited by the marker lines ``begin`` and ``end``.

    Raises :class:`SolutionMarkupError` for a malformed, missing, extra or nested marker, a
    region whose END is indented differently from its BEGIN, and an empty region.
    """
    regions: list[Region] = []
    start: int | None = None
    for i, line in enumerate(lines):
        text = line.strip()
        if "BEGIN SOLUTION" not in text and "END SOLUTION" not in text:
            continue
        at = f"{where}, line {i + 1}"
        if text not in (begin, end):
            raise SolutionMarkupError(
                f"{at}: malformed marker {text!r}; write {begin!r} and {end!r}, each alone on its "
                "line."
            )
        indent = line[: len(line) - len(line.lstrip())]
        if text == begin:
            if start is not None:
                raise SolutionMarkupError(
                    f"{at}: {begin!r} inside the region opened at line {start + 1}; close it "
                    f"first with {end!r}."
                )
            start = i
            continue
        if start is None:
            raise SolutionMarkupError(f"{at}: {end!r} without a {begin!r} before it.")
        opened = lines[start][: len(lines[start]) - len(lines[start].lstrip())]
        if indent != opened:
            raise SolutionMarkupError(
                f"{at}: {end!r} is indented differently from its {begin!r} at line {start + 1}; "
                "put both markers at the indentation of the code between them."
            )
        if not any(lines[j].strip() for j in range(start + 1, i)):
            raise SolutionMarkupError(f"{at}: the solution region from line {start + 1} is empty.")
        regions.append(Region(start, i, opened))
        start = None
    if start is not None:
        raise SolutionMarkupError(
            f"{where}, line {start + 1}: {begin!r} has no matching {end!r} in the same cell."
        )
    return regions


def _parseable(lines: Sequence[str]) -> str:
    """The cell as Python: IPython line magics (``%...``, ``!...``) blanked, line numbers kept."""
    return "\n".join("" if line.lstrip()[:1] in ("%", "!") else line for line in lines)


def _enclosing_functions(tree: ast.AST) -> dict[int, str]:
    """Line number -> name of the innermost function whose body holds that line's statement."""
    found: dict[int, str] = {}

    def visit(node: ast.AST, function: str | None) -> None:
        for child in ast.iter_child_nodes(node):
            inner = function
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                inner = child.name
            if function is not None and isinstance(child, ast.stmt):
                found[child.lineno] = function
            visit(child, inner)

    visit(tree, None)
    return found


def strip_code(source: str, where: str = "cell") -> str:
    """Replace every ``### BEGIN/END SOLUTION`` region of a code cell with a stub that raises
    :class:`~qlearn.checks.NotDoneYet` naming the enclosing function.

    Raises:
        SolutionMarkupError: bad markers, or a region that is not inside a function body (the
            exercise notebook would stop at its stub), or code that does not parse.
    """
    lines = source.split("\n")
    regions = find_regions(lines, BEGIN_CODE, END_CODE, where)
    if not regions:
        return source
    for r in regions:
        for j in range(r.begin + 1, r.end):
            if lines[j].strip() and not lines[j].startswith(r.indent):
                raise SolutionMarkupError(
                    f"{where}, line {j + 1}: this line of the solution region from line "
                    f"{r.begin + 1} is indented less than its markers; indent the markers like "
                    "the code they enclose."
                )
    out: list[str] = []
    stub_lines: list[tuple[int, Region]] = []
    previous = 0
    for r in regions:
        out.extend(lines[previous : r.begin])
        out.append(r.indent + _PLACEHOLDER)
        stub_lines.append((len(out), r))  # 1-based line of the stub
        previous = r.end + 1
    out.extend(lines[previous:])
    try:
        tree = ast.parse(_parseable(out))
    except SyntaxError as err:
        raise SolutionMarkupError(
            f"{where}: the cell does not parse once its solution regions are replaced by stubs "
            f"({err.msg}, line {err.lineno}); a region must hold whole statements of one block."
        ) from None
    functions = _enclosing_functions(tree)
    for line, r in stub_lines:
        name = functions.get(line)
        if name is None:
            place = "at top level" if not r.indent else "outside a function"
            raise SolutionMarkupError(
                f"{where}, line {r.begin + 1}: the solution region is {place}, so the exercise "
                "notebook would stop at its stub. Put it in the body of the function the "
                "student writes (def ...:)."
            )
        out[line - 1] = r.indent + STUB.format(name=name)
    return "\n".join(out)


def strip_markdown(source: str, where: str = "cell") -> str:
    """Replace every ``<!-- BEGIN/END SOLUTION -->`` region of a markdown cell with
    ``_Write your answer here._``."""
    lines = source.split("\n")
    for i, line in enumerate(lines):
        if line.strip() in (BEGIN_CODE, END_CODE):
            raise SolutionMarkupError(
                f"{where}, line {i + 1}: markdown cells mark answers with {BEGIN_MD!r} and "
                f"{END_MD!r} (a {line.strip()!r} line would render as a heading)."
            )
    regions = find_regions(lines, BEGIN_MD, END_MD, where)
    out: list[str] = []
    previous = 0
    for r in regions:
        out.extend(lines[previous : r.begin])
        out.append(r.indent + ANSWER)
        previous = r.end + 1
    out.extend(lines[previous:])
    return "\n".join(out)


def _tags(cell: Any) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def _where(name: str, i: int, cell: Any) -> str:
    first = next((ln.strip() for ln in cell.source.split("\n") if ln.strip()), "")
    first = first if len(first) <= 40 else first[:37] + "..."
    return f"{name}, cell {i + 1} ({first!r})"


def exercise_notebook(nb: Any, name: str = "notebook") -> Any:
    """The exercise version of solution notebook ``nb`` (a copy; ``nb`` is not changed).

    ``name`` (e.g. ``"solutions/ch01_exercises.ipynb"``) appears in error messages and in the
    generated-file comment. See the module docstring for the rules.
    """
    cells = nb.cells
    if (
        not cells
        or cells[0].cell_type != "markdown"
        or not re.match(r"#\s+Solutions\b", cells[0].source.lstrip())
    ):
        raise SolutionMarkupError(
            f"{name}: the first cell must be markdown starting with a title '# Solutions ...' "
            "(the exercise notebook gets '# Exercises ...')."
        )
    code = [c for c in cells if c.cell_type == "code"]
    if not code or SOLUTION_ONLY not in _tags(code[-1]) or _ASSERT_ALL not in code[-1].source:
        raise SolutionMarkupError(
            f"{name}: the last code cell must be tagged {SOLUTION_ONLY!r} and call "
            f'checks.assert_all_passed("chNN"), so that a failing check fails the solution '
            "notebook's run."
        )
    if not any(_CHECKS_IMPORT.search(c.source) for c in code):
        raise SolutionMarkupError(
            f"{name}: no cell runs 'from qlearn import checks', which the check cells and the "
            "exercise stubs (raise checks.NotDoneYet(...)) need."
        )
    out = copy.deepcopy(nb)
    kept = []
    for i, cell in enumerate(cells):
        if SOLUTION_ONLY in _tags(cell):
            continue
        new = copy.deepcopy(cell)
        new.metadata.pop("execution", None)
        if cell.cell_type == "code":
            new.source = strip_code(cell.source, _where(name, i, cell))
            new.outputs = []
            new.execution_count = None
        elif cell.cell_type == "markdown":
            new.source = strip_markdown(cell.source, _where(name, i, cell))
        kept.append(new)
    title = kept[0].source.lstrip()
    kept[0].source = (
        re.sub(r"^(#\s+)Solutions\b", r"\1Exercises", title)
        + f"\n\n<!-- Generated from {name} by `make exercises`: edit that notebook, not this. -->"
    )
    out.cells = kept
    return out


def to_text(nb: Any) -> str:
    """The notebook as the exact text written to disk."""
    return nbformat.writes(nb) + "\n"


def _pairs(solutions: Path, exercises: Path) -> list[tuple[Path, Path]]:
    return [(src, exercises / src.name) for src in sorted(solutions.glob("*.ipynb"))]


def _generate(src: Path) -> str:
    """The exercise notebook's text; ``src`` is named as ``<folder>/<file>`` wherever it runs."""
    nb = nbformat.read(src, as_version=4)
    return to_text(exercise_notebook(nb, f"{src.parent.name}/{src.name}"))


def build(solutions: Path | str = "solutions", exercises: Path | str = "exercises") -> list[str]:
    """Write ``exercises/X.ipynb`` for every ``solutions/X.ipynb`` and delete exercise notebooks
    without a source. Returns what changed, one line each (empty: already in sync)."""
    solutions, exercises = Path(solutions), Path(exercises)
    exercises.mkdir(parents=True, exist_ok=True)
    changes = []
    for src, dst in _pairs(solutions, exercises):
        text = _generate(src)
        if not dst.exists() or dst.read_text(encoding="utf-8") != text:
            dst.write_text(text, encoding="utf-8")
            changes.append(f"wrote {dst.as_posix()}")
    sources = {src.name for src in solutions.glob("*.ipynb")}
    for stale in sorted(exercises.glob("*.ipynb")):
        if stale.name not in sources:
            stale.unlink()
            changes.append(f"removed {stale.as_posix()} (no {solutions.as_posix()}/{stale.name})")
    return changes


def check(solutions: Path | str = "solutions", exercises: Path | str = "exercises") -> list[str]:
    """What is out of date: exercise notebooks that differ from what :func:`build` would write,
    missing or stale ones, and solution notebooks saved with outputs. Empty when all is well."""
    solutions, exercises = Path(solutions), Path(exercises)
    problems = []
    for src, dst in _pairs(solutions, exercises):
        nb = nbformat.read(src, as_version=4)
        for i, cell in enumerate(nb.cells):
            if cell.cell_type == "code" and (cell.outputs or cell.execution_count is not None):
                problems.append(
                    f"{_where(src.as_posix(), i, cell)} has outputs; notebooks are committed "
                    "without outputs (Jupyter: Edit > Clear Outputs of All Cells)."
                )
                break
        if not dst.exists():
            problems.append(f"{dst.as_posix()} is missing.")
        elif dst.read_text(encoding="utf-8") != _generate(src):
            problems.append(f"{dst.as_posix()} differs from what {src.as_posix()} generates.")
    sources = {src.name for src in solutions.glob("*.ipynb")}
    for stale in sorted(exercises.glob("*.ipynb")):
        if stale.name not in sources:
            problems.append(
                f"{stale.as_posix()} has no source {solutions.as_posix()}/{stale.name}."
            )
    return problems


def _is_check_call(node: ast.stmt) -> bool:
    """Whether a top-level statement is a call such as ``checks.ch01.ex1(f)``."""
    if not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)):
        return False
    func = node.value.func
    while isinstance(func, ast.Attribute):
        func = func.value
    return isinstance(func, ast.Name) and func.id == "checks"


def load_namespace(path: Path | str, run_checks: bool = False) -> dict[str, Any]:
    """Run a notebook's code cells in a fresh namespace and return it (e.g. to test a check
    against the functions of a solution notebook).

    Cells tagged ``solution-only`` are skipped, and so, unless ``run_checks``, are top-level
    calls of ``checks`` (``checks.ch01.ex1(f)``, ``checks.summary(...)``). IPython magics are
    ignored.
    """
    nb = nbformat.read(Path(path), as_version=4)
    namespace: dict[str, Any] = {"__name__": "__notebook__"}
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or SOLUTION_ONLY in _tags(cell):
            continue
        tree = ast.parse(_parseable(cell.source.split("\n")))
        if not run_checks:
            tree.body = [node for node in tree.body if not _is_check_call(node)]
        exec(compile(tree, f"{path} cell {i + 1}", "exec"), namespace)  # our own notebooks
    return namespace


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m qlearn.exercises {build,check}``."""
    parser = argparse.ArgumentParser(
        prog="python -m qlearn.exercises",
        description="Generate exercises/ from solutions/ (see the qlearn.exercises docstring).",
    )
    parser.add_argument("command", choices=["build", "check"])
    parser.add_argument("--solutions", default="solutions", help="source folder (solutions)")
    parser.add_argument("--exercises", default="exercises", help="target folder (exercises)")
    args = parser.parse_args(argv)
    try:
        if args.command == "build":
            changes = build(args.solutions, args.exercises)
            print("\n".join(changes) if changes else f"{args.exercises}/ is up to date.")
            return 0
        problems = check(args.solutions, args.exercises)
    except SolutionMarkupError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    if problems:
        print("\n".join(problems), file=sys.stderr)
        print("Run `make exercises` to regenerate exercises/.", file=sys.stderr)
        return 1
    print(f"{args.exercises}/ is in sync with {args.solutions}/.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
