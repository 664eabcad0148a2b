"""The exercise generator (:mod:`qlearn.exercises`): stubs, markup errors, notebook rules, the
build/check commands, and that the committed ``exercises/`` is what ``solutions/`` generates."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from qlearn import exercises as ex
from qlearn.exercises import SolutionMarkupError, strip_code, strip_markdown

ROOT = Path(__file__).resolve().parents[1]
B, E = ex.BEGIN_CODE, ex.END_CODE


def code(*lines: str) -> str:
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# Code regions


def test_stub_replaces_the_region_at_its_indentation():
    src = code("def f(n):", "    a = 1", f"    {B}", "    b = a + n", f"    {E}", "    return b")
    assert strip_code(src) == code(
        "def f(n):", "    a = 1", '    raise checks.NotDoneYet("f")', "    return b"
    )


def test_nested_blocks_methods_and_several_regions():
    src = code(
        "class Model:",
        "    def forward(self, x):",
        "        if x:",
        f"            {B}",
        "            return 1",
        f"            {E}",
        "        def inner():",
        f"            {B}",
        "            return 2",
        f"            {E}",
        "        return inner",
    )
    out = strip_code(src).split("\n")
    assert out[3] == '            raise checks.NotDoneYet("forward")'
    assert out[5] == '            raise checks.NotDoneYet("inner")'
    assert len(out) == 7


def test_a_cell_without_regions_is_unchanged():
    src = "%matplotlib inline\nx = 1\nprint(x)"
    assert strip_code(src) == src


def test_magics_do_not_break_parsing():
    src = code("%load_ext autoreload", "def f():", f"    {B}", "    return 1", f"    {E}")
    assert strip_code(src).endswith('raise checks.NotDoneYet("f")')


BAD_CODE = [
    (code(B, "x = 1", E), "at top level"),
    (code("for i in range(3):", f"    {B}", "    print(i)", f"    {E}"), "outside a function"),
    (code("def f():", f"    {B}", "    return 1"), "has no matching"),
    (code("def f():", "    return 1", f"    {E}"), "without a"),
    (code("def f():", f"    {B}", f"    {B}", "    return 1", f"    {E}"), "inside the region"),
    (code("def f():", f"    {B}", "    return 1", f"{E}"), "indented differently"),
    (code("def f():", f"    {B}", "", f"    {E}", "    return 1"), "is empty"),
    (code("def f():", "    # BEGIN SOLUTION", "    return 1"), "malformed marker"),
    (code("def f():", f"    {B}", "  return 1", f"    {E}"), "indented less than its markers"),
    (code("def f(x):", f"    {B}", "    if x:", f"    {E}", "        return 1"), "does not parse"),
]  # fmt: skip


@pytest.mark.parametrize(("src", "message"), BAD_CODE)
def test_bad_code_regions_are_rejected_with_their_place(src, message):
    with pytest.raises(SolutionMarkupError, match=message) as info:
        strip_code(src, where="nb.ipynb, cell 3")
    assert str(info.value).startswith("nb.ipynb, cell 3")


# --------------------------------------------------------------------------------------------
# Markdown regions


def test_markdown_answers_become_a_placeholder():
    src = code("**Answer.**", "", ex.BEGIN_MD, "It is $0$.", "Because.", ex.END_MD, "", "More.")
    assert strip_markdown(src) == code("**Answer.**", "", ex.ANSWER, "", "More.")


@pytest.mark.parametrize(
    ("src", "message"),
    [
        (code(B, "text", E), "markdown cells mark answers"),
        (code(ex.BEGIN_MD, "text"), "has no matching"),
        (code("<!-- BEGIN SOLUTION", "text"), "malformed marker"),
    ],
)
def test_bad_markdown_regions_are_rejected(src, message):
    with pytest.raises(SolutionMarkupError, match=message):
        strip_markdown(src)


# --------------------------------------------------------------------------------------------
# Whole notebooks


def solution_nb(**changes) -> nbformat.NotebookNode:
    cells = {
        "title": new_markdown_cell("# Solutions · Test\n\nIntro.", id="title"),
        "imports": new_code_cell("from qlearn import checks", id="imports"),
        "task": new_markdown_cell(f"Why?\n\n{ex.BEGIN_MD}\nBecause.\n{ex.END_MD}", id="task"),
        "code": new_code_cell(f"def f():\n    {B}\n    return 1\n    {E}", id="code"),
        "check": new_code_cell("checks.ch01.ex1(f)", id="check"),
        "assert": new_code_cell('checks.assert_all_passed("ch01")', id="assert"),
    }
    cells["assert"].metadata["tags"] = [ex.SOLUTION_ONLY]
    cells["check"].outputs = [new_output("stream", text="done")]
    cells["check"].execution_count = 3
    cells.update(changes)
    return new_notebook(cells=[c for c in cells.values() if c is not None])


def test_exercise_notebook_applies_every_rule():
    nb = solution_nb()
    out = ex.exercise_notebook(nb, "solutions/t.ipynb")
    assert [c.id for c in out.cells] == ["title", "imports", "task", "code", "check"]
    assert out.cells[0].source.startswith("# Exercises · Test\n\nIntro.")
    assert "<!-- Generated from solutions/t.ipynb by `make exercises`" in out.cells[0].source
    assert out.cells[2].source == f"Why?\n\n{ex.ANSWER}"
    assert out.cells[3].source == 'def f():\n    raise checks.NotDoneYet("f")'
    assert out.cells[4].outputs == [] and out.cells[4].execution_count is None
    assert nb.cells[3].source.startswith("def f():\n    ###")  # the input is left alone
    nbformat.validate(out)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": new_markdown_cell("# Chapter 1")}, "title '# Solutions"),
        ({"assert": None}, "tagged 'solution-only' and call"),
        ({"assert": new_code_cell('checks.assert_all_passed("ch01")')}, "tagged 'solution-only'"),
        ({"imports": new_code_cell("import qlearn")}, "from qlearn import checks"),
        ({"code": new_code_cell(f"{B}\nx = 1\n{E}")}, r"t.ipynb, cell 4 \('### BEGIN"),
    ],
)
def test_notebook_rules_are_enforced(changes, message):
    with pytest.raises(SolutionMarkupError, match=message):
        ex.exercise_notebook(solution_nb(**changes), "solutions/t.ipynb")


def test_other_forms_of_the_checks_import_are_accepted():
    for line in ["from qlearn import config, checks", "import qlearn.checks as checks"]:
        ex.exercise_notebook(solution_nb(imports=new_code_cell(line)), "t.ipynb")


def test_build_and_check_in_a_folder(tmp_path):
    sol, exe = tmp_path / "solutions", tmp_path / "exercises"
    sol.mkdir()
    nbformat.write(solution_nb(), sol / "t.ipynb")
    assert ex.check(sol, exe) == [
        f"{sol.as_posix()}/t.ipynb, cell 5 ('checks.ch01.ex1(f)') has outputs; notebooks are "
        "committed without outputs (Jupyter: Edit > Clear Outputs of All Cells).",
        f"{exe.as_posix()}/t.ipynb is missing.",
    ]
    nb = solution_nb()
    nb.cells[4].outputs, nb.cells[4].execution_count = [], None
    nbformat.write(nb, sol / "t.ipynb")
    (exe / "old.ipynb").parent.mkdir()
    (exe / "old.ipynb").write_text("{}")
    assert ex.build(sol, exe) == [
        f"wrote {exe.as_posix()}/t.ipynb",
        f"removed {exe.as_posix()}/old.ipynb (no {sol.as_posix()}/old.ipynb)",
    ]
    assert ex.check(sol, exe) == [] and ex.build(sol, exe) == []
    (exe / "t.ipynb").write_text((exe / "t.ipynb").read_text().replace("NotDoneYet", "Todo"))
    assert ex.check(sol, exe) == [f"{exe.as_posix()}/t.ipynb differs from what {sol.as_posix()}"
                                  "/t.ipynb generates."]  # fmt: skip


def test_cli(tmp_path, capsys):
    sol, exe = tmp_path / "solutions", tmp_path / "exercises"
    sol.mkdir()
    args = ["--solutions", str(sol), "--exercises", str(exe)]
    nbformat.write(solution_nb(check=new_code_cell("checks.ch01.ex1(f)")), sol / "t.ipynb")
    assert ex.main(["check", *args]) == 1
    assert "Run `make exercises`" in capsys.readouterr().err
    assert ex.main(["build", *args]) == 0
    assert ex.main(["check", *args]) == 0
    assert "is in sync" in capsys.readouterr().out
    nbformat.write(solution_nb(code=new_code_cell(f"{B}\nx = 1\n{E}")), sol / "t.ipynb")
    assert ex.main(["build", *args]) == 2
    assert "error: " in capsys.readouterr().err


def test_module_runs_as_a_script():
    done = subprocess.run(
        [sys.executable, "-m", "qlearn.exercises", "check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "in sync" in done.stdout


# --------------------------------------------------------------------------------------------
# The repository's notebooks


def test_committed_exercises_are_in_sync_with_the_solutions():
    """`exercises/` must equal what `make exercises` generates from `solutions/`."""
    assert ex.check(ROOT / "solutions", ROOT / "exercises") == []


def test_every_solution_notebook_is_in_the_book():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = {ch["file"] for part in toc["parts"] for ch in part["chapters"]}
    for nb in sorted((ROOT / "solutions").glob("*.ipynb")):
        assert {f"solutions/{nb.stem}", f"exercises/{nb.stem}"} <= files, nb.name


def test_load_namespace_runs_definitions_but_not_checks():
    from qlearn import checks

    checks.reset()
    ns = ex.load_namespace(ROOT / "solutions" / "ch01_exercises.ipynb")
    assert callable(ns["ghz_state"]) and ns["ghz_state"](2).shape == (1, 4)
    assert checks.summary("ch01").n_passed == 0
    ex.load_namespace(ROOT / "solutions" / "ch01_exercises.ipynb", run_checks=True)
    assert checks.summary("ch01").n_passed == 5
    checks.reset()
    stubs = ex.load_namespace(ROOT / "exercises" / "ch01_exercises.ipynb")
    with pytest.raises(checks.NotDoneYet, match="ghz_state is not done yet"):
        stubs["ghz_state"](2)
