"""What `grade` makes of the files a class returns, without running a kernel: which notebook each is, and records."""

import json
from pathlib import Path

import nbformat
import pytest

from course_utils.maintain import grade

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


GOOD = {"check": "check_parameters_with_3d_code", "passed": False, "message": "not answered yet"}


@pytest.mark.parametrize(
    "damage",
    [
        "{not json",
        "[1, 2]",
        json.dumps({"passed": True}),
        json.dumps({**GOOD, "passed": "yes"}),
        json.dumps({**GOOD, "check": 3}),
    ],
)
def test_a_damaged_record_costs_that_notebook_its_verdicts_not_the_class_its_table(tmp_path, damage):
    record = tmp_path / "checks.jsonl"
    record.write_text(json.dumps(GOOD) + "\n" + damage + "\n")
    records, problem = grade._read_records(record)
    assert records == [] and "line 2 of the grading record" in problem
    item = grade.Submission("ada", tmp_path / f"{NOTEBOOK}.ipynb")
    rows = grade.rows(item, records, f"error: the verdicts were not counted: {problem}")
    assert rows and all(row["passed"] == grade.NOT_RUN for row in rows)
    assert all("the verdicts were not counted" in row["message"] for row in rows)


def test_a_whole_record_is_read_in_order(tmp_path):
    record = tmp_path / "checks.jsonl"
    record.write_text(json.dumps(GOOD) + "\n\n" + json.dumps({**GOOD, "passed": True}) + "\n")
    records, problem = grade._read_records(record)
    assert problem is None and [entry["passed"] for entry in records] == [False, True]
