"""The registry of exercises against the notebooks and the instructor guide it describes."""

import re
from pathlib import Path

import jupytext
import pytest

from course_utils.exercises import checks, registry

PROJECT_DIR = Path(__file__).resolve().parent.parent
GUIDE = PROJECT_DIR / "book" / "instructor_guide.md"
EXERCISES = registry.all_exercises()


def test_registry_labels_are_unique_and_match_numbers():
    labels = [exercise.label for exercise in EXERCISES]
    assert len(set(labels)) == len(labels)
    for exercise in EXERCISES:
        assert exercise.label == "ex-" + exercise.number.replace(".", "-")
        assert exercise.notebook.startswith(exercise.number.split(".")[0].zfill(2) + "_")
        assert exercise.goal and exercise.looks_at and exercise.answer and exercise.calls and exercise.minutes > 0
    assert registry.find("ex-3-1").checked_by == (checks.check_encoder_2,)
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


def test_the_notebooks_import_the_modules_they_call():
    for notebook in ("02_one_hidden_layer", "03_two_hidden_layers", "04_three_hidden_layers"):
        source = (PROJECT_DIR / "notebooks" / f"{notebook}.py").read_text()
        names = [name for exercise in registry.exercises_in(notebook) for name in exercise.check_names]
        modules = sorted({name.split(".")[0] for name in names})
        assert f"from course_utils.exercises import {', '.join(modules)}\n" in source, notebook


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
