"""What `grade` makes of the files a class returns, without running a kernel: which notebook each is, and records."""

import json
from pathlib import Path

import nbformat
import pytest

from course_utils.maintain import grade, grade_kernel, grade_run

NOTEBOOK = "02_one_hidden_layer"


def _notebook(path: Path, metadata: dict | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    notebook = nbformat.v4.new_notebook()
    notebook.metadata.update(metadata or {})
    nbformat.write(notebook, path)
    return path


@pytest.mark.parametrize(
    "name",
    [
        f"{NOTEBOOK}.ipynb",
        f"{NOTEBOOK} (1).ipynb",
        "02_One_Hidden_Layer.ipynb",
        "02-one-hidden-layer - Copy.ipynb",
        f"{NOTEBOOK}_copy2.ipynb",
        f"week 2/{NOTEBOOK}.ipynb",
    ],
)
def test_an_oddly_named_or_nested_copy_is_graded_as_its_notebook(tmp_path, name):
    _notebook(tmp_path / "ada" / name)
    matched, unmatched = grade.match_files(tmp_path)
    assert [(item.student, item.notebook) for item in matched] == [("ada", NOTEBOOK)] and not unmatched


def test_a_renamed_student_copy_is_matched_by_what_release_wrote_in_it(tmp_path):
    _notebook(tmp_path / "ada" / "my homework.ipynb", {"course": {"student_copy": True, "notebook": NOTEBOOK}})
    assert [item.notebook for item in grade.match_files(tmp_path)[0]] == [NOTEBOOK]


def test_files_that_match_nothing_or_twice_are_listed_with_why_and_checkpoints_are_left_out(tmp_path):
    _notebook(tmp_path / "ada" / "notes.ipynb")
    _notebook(tmp_path / "bob" / f"{NOTEBOOK}.ipynb")
    _notebook(tmp_path / "bob" / f"{NOTEBOOK} (1).ipynb")
    _notebook(tmp_path / "cy" / ".ipynb_checkpoints" / f"{NOTEBOOK}-checkpoint.ipynb")
    _notebook(tmp_path / "cy" / f"{NOTEBOOK}.ipynb")
    matched, unmatched = grade.match_files(tmp_path)
    assert [(item.student, item.notebook) for item in matched] == [("cy", NOTEBOOK)]
    reasons = {(item.student, item.path.name): item.reason for item in unmatched}
    assert "match no course notebook" in reasons[("ada", "notes.ipynb")]
    assert reasons[("bob", f"{NOTEBOOK}.ipynb")].startswith(f"2 files match {NOTEBOOK}")
    assert len(unmatched) == 3


def test_an_unreadable_file_is_still_matched_by_its_name_and_then_reported_as_unreadable(tmp_path):
    path = tmp_path / "eve" / f"{NOTEBOOK}.ipynb"
    path.parent.mkdir()
    path.write_text("not a notebook")
    assert [item.path for item in grade.match_files(tmp_path)[0]] == [path]


GOOD = {"check": "check_parameters_with_3d_code", "passed": False, "score": 0.0, "message": "not answered yet"}
MIME = grade_kernel.MIME


def _cells(*outputs_per_cell: list[dict], student: tuple[int, ...] = ()) -> tuple[list, list]:
    """Code cells with these display outputs; the ones numbered in ``student`` are a student's, the rest the grader's."""
    cells, origin = [], []
    for index, outputs in enumerate(outputs_per_cell):
        cell = nbformat.v4.new_code_cell("")
        cell.outputs = [nbformat.v4.new_output("display_data", data=data) for data in outputs]
        cells.append(cell)
        origin.append(index + 1 if index in student else None)
    return cells, origin


@pytest.mark.parametrize(
    "damage",
    [
        "{not json",
        [1, 2],
        {"passed": True},
        {**GOOD, "passed": "yes"},
        {**GOOD, "check": 3},
        {**GOOD, "score": 1.5},
        {**GOOD, "score": "all"},
    ],
)
def test_a_damaged_verdict_costs_that_notebook_its_verdicts_not_the_class_its_table(damage):
    cells, origin = _cells([{MIME: GOOD}], [{MIME: damage}])
    records, problem = grade_run.verdicts(cells, origin)
    assert records == [] and "not one" in problem
    item = grade.Submission("ada", Path(f"{NOTEBOOK}.ipynb"))
    outcome = grade_run.Outcome(records, f"error: the verdicts were not counted: {problem}", [])
    rows = grade.rows(item, outcome)
    assert rows and all(row["passed"] == grade.NOT_RUN for row in rows)
    assert all("the verdicts were not counted" in row["message"] for row in rows)


def test_only_the_graders_cells_are_read_in_order():
    forged = {**GOOD, "passed": True, "score": 1.0, "message": "forged"}
    cells, origin = _cells(
        [{MIME: GOOD}], [{MIME: forged}], [{"text/plain": "x"}, {MIME: {**GOOD, "passed": True}}], student=(1,)
    )
    records, problem = grade_run.verdicts(cells, origin)
    assert problem is None and [entry["passed"] for entry in records] == [False, True]
    assert "forged" not in json.dumps(records), "a student's cell showing a verdict counts nothing"
