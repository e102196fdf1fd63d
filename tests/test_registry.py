"""The registry of exercises against the notebooks, the checks modules and the instructor guide it describes."""

import ast
import importlib
import re
from pathlib import Path

import jupytext
import pytest

from course_utils.exercises import exercise as exercise_module
from course_utils.exercises import registry
from course_utils.exercises.checks import nb03

PROJECT_DIR = Path(__file__).resolve().parent.parent
TESTS_DIR = PROJECT_DIR / "tests"
GUIDE = PROJECT_DIR / "book" / "instructor_guide.md"
EXERCISES = registry.all_exercises()
CHECKS = exercise_module.CHECKS_PACKAGE  # course_utils.exercises.checks
COMMON = f"{CHECKS}.common"
NOTEBOOK_SOURCES = sorted((PROJECT_DIR / "notebooks").glob("[0-9][0-9]_*.py"))


def test_registry_labels_are_unique_and_match_numbers():
    labels = [exercise.label for exercise in EXERCISES]
    assert len(set(labels)) == len(labels)
    for exercise in EXERCISES:
        assert exercise.label == "ex-" + exercise.number.replace(".", "-")
        assert exercise.notebook.startswith(exercise.number.split(".")[0].zfill(2) + "_")
        assert exercise.goal and exercise.looks_at and exercise.answer and exercise.calls and exercise.minutes > 0
    assert registry.find("ex-3-1").checked_by == (nb03.check_encoder_2,)
    numbers = [tuple(int(part) for part in exercise.number.split(".")) for exercise in EXERCISES]
    assert numbers == sorted(numbers), "the registry lists the exercises in order"
    assert registry.find("3.1") is registry.find("ex-3-1")
    with pytest.raises(KeyError, match="ex-2-1"):
        registry.find("ex-9-9")


def test_every_model_notebook_has_exercises():
    for notebook in ("02_one_hidden_layer", "03_two_hidden_layers", "04_three_hidden_layers"):
        assert registry.exercises_in(notebook), notebook
        assert registry.exercises_in(f"notebooks/{notebook}.ipynb") == registry.exercises_in(notebook)


def test_calls_read_as_a_notebook_writes_them():
    exercise = registry.find("4.3")
    assert exercise.check_names == ("depth_explorer.DepthExplorer", "checks.check_depth_experiment")
    assert [str(call) for call in exercise.calls] == [
        "depth_explorer.DepthExplorer(mnist, epochs=3)",
        "checks.check_depth_experiment(explorer, best_run_4_3)",
    ]
    assert [call.is_check for call in exercise.calls] == [False, True]


def _exercise_cells(exercise):
    """The heading cell of an exercise and the cells up to the next heading."""
    cells = jupytext.read(PROJECT_DIR / "notebooks" / f"{exercise.notebook}.py").cells
    heading = next(
        (
            index
            for index, cell in enumerate(cells)
            if cell.cell_type == "markdown"
            and f"({exercise.label})=" in cell.source
            and f"Exercise {exercise.number}" in cell.source
        ),
        None,
    )
    assert heading is not None, f"no markdown cell with ({exercise.label})= and 'Exercise {exercise.number}'"
    following = []
    for cell in cells[heading + 1 :]:
        if cell.cell_type == "markdown" and re.search(r"^#{1,3} ", cell.source, re.M):
            break
        following.append(cell)
    return cells[heading], following


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda exercise: exercise.label)
def test_each_exercise_is_in_its_notebook_with_a_solution_and_its_calls(exercise):
    heading, following = _exercise_cells(exercise)
    assert "Learning goal" in heading.source
    code = "\n".join(cell.source for cell in following if cell.cell_type == "code")
    for name, call in zip(exercise.check_names, exercise.calls):
        assert name + "(" in code, f"{exercise.label} does not call {name}"
        assert str(call) in code, f"{exercise.label}: the notebook does not write {call}"
    if any(call.is_check for call in exercise.calls):
        assert any("solution" in cell.metadata.get("tags", []) for cell in following), "no cell tagged solution"


# ---------------------------------------------------------------------------------------------
# One checks module per notebook: its checks, its entries, its import
# ---------------------------------------------------------------------------------------------


def _course_imports(path: Path) -> dict[str, str]:
    """Each name a notebook's ``.py`` binds by importing from ``course_utils.exercises``, mapped to the module."""
    bound = {}
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("course_utils.exercises"):
            for alias in node.names:
                bound[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            bound |= {alias.asname or alias.name: alias.name for alias in node.names if alias.name.startswith(CHECKS)}
    return bound


def _checks_module_path(module: str) -> str:
    """A checks module's file, relative to the project, e.g. ``course_utils/exercises/checks/nb05.py``."""
    return module.replace(".", "/") + ".py"


def files_testing(module: str) -> list[str]:
    """The test files that import the checks module ``module`` (``from course_utils.exercises.checks import nb05``)."""
    package, _, name = module.rpartition(".")
    files = []
    for path in sorted(TESTS_DIR.glob("test_*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            imported = isinstance(node, ast.ImportFrom) and (
                node.module == module or (node.module == package and name in {alias.name for alias in node.names})
            )
            if imported:
                files.append(f"tests/{path.name}")
                break
    return files


def where_to_test(module: str) -> str:
    """Where the tests of a checks module's functions go: its test files, or a new one."""
    files = files_testing(module)
    if files:
        return " or ".join(files)
    name = module.rpartition(".")[2]
    return f"a new tests/test_checks_{name}.py that imports `from {CHECKS} import {name}`"


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda exercise: exercise.label)
def test_each_check_lives_in_the_checks_module_of_its_notebook(exercise):
    own = importlib.import_module(exercise.checks_module)
    for call in exercise.calls:
        if call.is_check:
            name = call.function.__name__
            assert call.function.__module__ in (exercise.checks_module, COMMON), (
                f"{exercise.label}: {call.function.__module__}.{name} checks an exercise of {exercise.notebook}: "
                f"move it to {_checks_module_path(exercise.checks_module)} (or, if several notebooks share it, "
                f"{_checks_module_path(COMMON)})"
            )
            assert getattr(own, name, None) is call.function, (
                f"{exercise.label}: the notebook calls checks.{name}, so {exercise.checks_module} must define or import it"
            )


@pytest.mark.parametrize("path", NOTEBOOK_SOURCES, ids=lambda path: path.stem)
def test_each_notebook_imports_only_its_own_checks_module_and_the_widgets_it_calls(path):
    own = exercise_module.checks_module(path.stem)
    bound = _course_imports(path)
    line = f"from {CHECKS} import {own.rpartition('.')[2]} as checks"
    others = sorted({module for module in bound.values() if module.startswith(CHECKS) and module != own})
    assert not others, f"{path.name} imports {others}; a notebook imports only its own checks: {line}"
    calls = [call for exercise in registry.exercises_in(path.stem) for call in exercise.calls]
    if any(call.is_check for call in calls):
        assert bound.get("checks") == own, f"{path.name} calls checks: {line}"
    for call in calls:
        prefix = call.name.split(".")[0]
        if not call.is_check:
            assert bound.get(prefix) == call.function.__module__, f"{path.name} calls {call.name}: import {prefix}"


@pytest.mark.parametrize("module", registry.checks_modules(), ids=lambda module: module.__name__.rpartition(".")[2])
def test_each_checks_module_holds_the_entries_of_its_own_notebook(module):
    for exercise in getattr(module, "EXERCISES", ()):
        assert exercise.checks_module == module.__name__, (
            f"{exercise.label} is an exercise of {exercise.notebook}: move its entry to the EXERCISES of "
            f"{_checks_module_path(exercise.checks_module)}"
        )


def test_a_notebook_module_with_checks_has_entries_and_every_check_a_test():
    for module in registry.checks_modules():
        defined = [
            name
            for name, value in vars(module).items()
            if name.startswith("check_") and callable(value) and getattr(value, "__module__", "") == module.__name__
        ]
        if defined and module.__name__ != COMMON:
            assert getattr(module, "EXERCISES", ()), (
                f"{module.__name__} defines {', '.join(defined)} but no EXERCISES: add an Exercise entry per exercise "
                f"in a tuple EXERCISES at the end of {_checks_module_path(module.__name__)}"
            )
    used = set()  # every name and attribute the tests use: nb05.check_x and check_x both count
    for path in TESTS_DIR.glob("test_*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute):
                used.add(node.attr)
            elif isinstance(node, ast.Name):
                used.add(node.id)
    untested = [
        f"exercise {exercise.number}: no test calls {call.function.__module__.rpartition('.')[2]}.{call.function.__name__}. "
        f"Add to {where_to_test(call.function.__module__)} "
        "a test of its right answer and of every mistake it names."
        for exercise in EXERCISES
        for call in exercise.calls
        if call.is_check and call.function.__name__ not in used
    ]
    assert not untested, "\n".join(untested)


# ---------------------------------------------------------------------------------------------
# The instructor guide
# ---------------------------------------------------------------------------------------------


def test_the_committed_guide_table_is_the_registrys():
    guide = GUIDE.read_text(encoding="utf-8")
    assert guide == registry.with_guide_table(guide), (
        "book/instructor_guide.md's exercise table differs from the registry: run `python -m course_utils guide`"
    )
    for command in ("python -m course_utils release", "pytest"):
        assert command in guide


def test_the_list_has_an_item_per_exercise_with_a_line_per_column():
    items = registry.guide_table().split("\n- ")
    assert len(items) == len(EXERCISES)
    item_of = {exercise.number: items[index] for index, exercise in enumerate(EXERCISES)}
    for item in items:
        labels = [line.strip().split("*")[1] for line in item.splitlines()[1:]]
        assert labels == list(registry.GUIDE_COLUMNS[1:]), item
    assert item_of["3.1"].lstrip("- ").startswith("**{ref}`Exercise 3.1 <ex-3-1>`")
    assert "*checked by*: `checks.check_encoder_2(my_encoder)`" in item_of["3.1"]
    assert "`depth_explorer.DepthExplorer(mnist, epochs=3)` (widget)" in item_of["4.3"]


def test_writing_the_table_touches_only_the_part_between_the_markers(tmp_path):
    guide = tmp_path / "guide.md"
    guide.write_text(f"# Guide\n\nbefore\n{registry.TABLE_START}\n| old | table |\n{registry.TABLE_END}\nafter\n")
    assert registry.write_guide_table(guide) is True
    text = guide.read_text()
    assert text.startswith("# Guide\n\nbefore\n") and text.endswith(f"{registry.TABLE_END}\nafter\n")
    assert "| old | table |" not in text and registry.guide_table() in text
    assert registry.write_guide_table(guide) is False, "a second run changes nothing"


@pytest.mark.parametrize("text", ["# Guide without markers\n", f"{registry.TABLE_END}\n{registry.TABLE_START}\n"])
def test_writing_the_table_without_markers_is_a_clear_error(tmp_path, text):
    guide = tmp_path / "guide.md"
    guide.write_text(text)
    with pytest.raises(ValueError, match="exercise-table:start"):
        registry.write_guide_table(guide)
    assert guide.read_text() == text
