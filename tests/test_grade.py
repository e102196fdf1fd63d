"""Grading students' copies: verdicts recorded per student and exercise, crashes and timeouts reported, nothing lost.

The student notebooks here are tiny synthetic ones that call a real, cheap check (Exercise 2.1);
the course's own notebooks are never run (each trains for 20 s or more).
"""

import math
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from course_utils.exercises.checks import nb02
from course_utils.maintain import grade
from course_utils.maintain.cli import main

pytestmark = pytest.mark.slow

NOTEBOOK = "02_one_hidden_layer.ipynb"
IMPORT = "from course_utils.exercises.checks import nb02 as checks"
CHECK = "checks.check_parameters_with_3d_code(answer_2_1)"
# A student's run: in a folder of its own holding only the saved results (no instructor notebook, not
# the course's notebooks/), an empty training cache, not the reference run (which conftest sets here).
RUN_AS_A_STUDENT = (
    "import os\n"
    "assert os.path.basename(os.getcwd()).startswith('course-grade-work-'), os.getcwd()\n"
    "assert sorted(os.listdir()) == ['results'] and os.path.isfile('results/depth_study/tensorflow/runs.csv')\n"
    "open('written-by-ada.txt', 'w').write('stays in the scratch folder')\n"
    "assert 'COURSE_REFERENCE_RUN' not in os.environ\n"
    "assert not os.listdir(os.environ['COURSE_CACHE_DIR'])"
)
STUDENTS = {
    "ada": [RUN_AS_A_STUDENT, IMPORT, "answer_2_1 = 5491", CHECK],
    "bob": [IMPORT, "answer_2_1 = ...", CHECK],
    "cy": [
        IMPORT,
        "answer_2_1 = 3922",
        CHECK,
        "raise ValueError('broken on purpose\\nsecond line')",
        "answer_2_1 = 5491",
        CHECK,
    ],
    # An error inside exercise 2.1's section costs 2.1 only: 2.2, after it, is still checked.
    "dan": [
        "### Exercise 2.1: predict the parameter count",
        IMPORT,
        "answer_2_1 = undefined_name",
        CHECK,
        "### Exercise 2.2: which digits overlap?",
        "checks.check_most_confused(..., None, None, None, None)",
    ],
    # Writes tabulate.py into the folder `grade` runs from (its kernel knows it as $PWD): pandas would
    # import it for the summary, in the grader's own process, if that folder stayed on sys.path.
    "mallory": [
        "import os\nopen(os.environ['PWD'] + '/tabulate.py', 'w').write('raise SystemExit(\"student code ran\")')",
        IMPORT,
        "answer_2_1 = 5491",
        CHECK,
    ],
}


def _write_student(folder: Path, student: str, cells: list[str]) -> Path:
    path = folder / student / NOTEBOOK
    path.parent.mkdir(parents=True, exist_ok=True)
    made = [
        nbformat.v4.new_markdown_cell(cell) if cell.startswith("#") else nbformat.v4.new_code_cell(cell) for cell in cells
    ]
    nbformat.write(nbformat.v4.new_notebook(cells=made), path)
    return path


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """A class of six graded by the command line: its folder, the CSV, what it printed, and the files before."""
    folder = tmp_path_factory.mktemp("class")
    paths = [_write_student(folder, student, cells) for student, cells in STUDENTS.items()]
    (folder / "eve").mkdir()
    paths.append(folder / "eve" / NOTEBOOK)
    paths[-1].write_text("not a notebook")
    before = {path: path.read_bytes() for path in paths}
    start = tmp_path_factory.mktemp("start")  # where the instructor runs `grade` from, as `python -m` runs it
    command = [sys.executable, "-m", "course_utils", "grade", str(folder), "--timeout", "120"]
    environment = {**os.environ, "PWD": str(start)}
    finished = subprocess.run(command, cwd=start, env=environment, capture_output=True, text=True, timeout=900)
    assert finished.returncode == 0, finished.stderr
    assert (start / "tabulate.py").exists(), "mallory's file was written: the attack was tried"
    table = pd.read_csv(folder / "grades.csv", dtype=str, keep_default_na=False)
    return folder, table, finished.stdout + finished.stderr, before


def _row(table: pd.DataFrame, student: str, exercise: str = "2.1") -> pd.Series:
    found = table[(table["student"] == student) & (table["exercise"] == exercise)]
    assert len(found) == 1
    return found.iloc[0]


def test_one_row_per_student_and_checked_exercise(graded):
    _, table, _, _ = graded
    assert tuple(table.columns) == grade.COLUMNS
    assert sorted(zip(table["student"], table["exercise"])) == [
        (student, exercise) for student in ("ada", "bob", "cy", "dan", "eve", "mallory") for exercise in ("2.1", "2.2")
    ]
    assert set(table["title"]) == {"predict the parameter count", "which digits does the code confuse most?"}


def test_a_solved_copy_passes_run_as_a_student(graded):
    row = _row(graded[1], "ada")
    assert (row["passed"], row["status"]) == ("yes", "ok")
    assert "5,491 parameters" in row["message"]
    assert _row(graded[1], "ada", "2.2")["passed"] == grade.NOT_RUN


def test_an_empty_copy_is_not_answered(graded):
    row = _row(graded[1], "bob")
    assert (row["passed"], row["status"]) == ("no", "ok")
    assert "Not answered yet" in row["message"]


def test_an_error_outside_the_exercises_stops_nothing_and_is_said(graded):
    row = _row(graded[1], "cy")
    assert row["passed"] == "yes", "the cells after the error ran: the last call of the check counts"
    assert row["status"] == "ok (cell 4, outside the exercises, raised ValueError: broken on purpose)"
    later = _row(graded[1], "cy", "2.2")
    assert later["passed"] == grade.NOT_RUN and "broken on purpose" in later["message"]


def test_an_error_in_one_answer_costs_that_exercise_only(graded):
    broken = _row(graded[1], "dan")
    assert broken["passed"] == grade.NOT_RUN
    assert broken["status"] == "error in cell 3: NameError: name 'undefined_name' is not defined"
    later = _row(graded[1], "dan", "2.2")
    assert later["passed"] == "no" and later["status"] == "ok", "the next exercise was still checked"


def test_an_unreadable_copy_is_reported_and_the_others_are_graded(graded):
    row = _row(graded[1], "eve")
    assert row["passed"] == grade.NOT_RUN
    assert row["status"].startswith("error: cannot read the notebook")


def test_it_says_what_it_does_and_prints_the_summary(graded):
    _, _, printed, _ = graded
    seconds = 6 * (grade.timings.seconds_by_notebook()[NOTEBOOK.removesuffix(".ipynb")] + grade.START_SECONDS)
    assert f"Grading 6 notebooks of 6 students, about {math.ceil(seconds / 60)} minutes." in printed
    assert "[5/6] eve/02_one_hidden_layer.ipynb" in printed
    line = next(line for line in printed.splitlines() if line.startswith("| ada"))
    assert line.replace(" ", "") == "|ada|✓|–|"
    assert next(line for line in printed.splitlines() if line.startswith("| bob")).replace(" ", "") == "|bob|✗|–|"


def test_students_files_are_not_touched(graded):
    folder, _, _, before = graded
    assert {path: path.read_bytes() for path in before} == before
    assert sorted(path.name for path in folder.rglob("*") if path.is_file()) == sorted([NOTEBOOK] * 6 + ["grades.csv"])
    course = grade.notebooks.NOTEBOOK_DIR
    assert not (course / "written-by-ada.txt").exists(), "a student's relative writes stay in its scratch folder"


def test_a_copy_that_runs_too_long_is_stopped(tmp_path):
    path = _write_student(tmp_path, "slow", [IMPORT, "import time\ntime.sleep(600)"])
    records, status, _ = grade.run_copy(path, timeout=2)
    assert records == [] and status.startswith("timeout: stopped after 2 s")


def test_the_last_call_of_a_check_counts_and_the_summary_marks_each_verdict():
    item = grade.Submission("ada", Path("02_one_hidden_layer.ipynb"))
    first = {"check": "check_parameters_with_3d_code", "passed": False, "message": "too low"}
    last = {"check": "check_parameters_with_3d_code", "passed": True, "message": "right"}
    rows = grade.rows(item, [first, last], "ok")
    assert [(row["exercise"], row["passed"], row["message"]) for row in rows] == [
        ("2.1", "yes", "right"),
        ("2.2", grade.NOT_RUN, "its check did not run"),
    ]
    table = pd.DataFrame(rows + grade.rows(grade.Submission("bob", item.path), [first], "ok"))
    assert grade.summary(table).to_dict("index") == {"ada": {"2.1": "✓", "2.2": "–"}, "bob": {"2.1": "✗", "2.2": "–"}}


def test_the_recorder_records_each_call_and_returns_the_result(tmp_path, monkeypatch):
    record = tmp_path / "checks.jsonl"
    import importlib

    from course_utils.exercises import registry

    for call in (call for exercise in registry.all_exercises() for call in exercise.calls if call.is_check):
        module = importlib.import_module(call.function.__module__)  # put back after the test
        monkeypatch.setattr(module, call.function.__name__, getattr(module, call.function.__name__))
    grade.install_recorder(str(record))
    assert nb02.check_parameters_with_3d_code(5491).passed
    assert not nb02.check_parameters_with_3d_code(...).passed
    records, problem = grade._read_records(record)
    assert problem is None and [entry["passed"] for entry in records] == [True, False]


@pytest.fixture
def no_run(monkeypatch):
    """Running a notebook fails the test."""

    def refused(*args, **kwargs):
        raise AssertionError("a notebook ran although the command line was wrong")

    monkeypatch.setattr(grade, "run_copy", refused)


def _usage_error(argv: list[str], capsys) -> str:
    with pytest.raises(SystemExit) as stopped:
        main(argv)
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return err.strip().splitlines()[-1]


def test_an_existing_csv_is_kept_without_force(tmp_path, no_run, capsys):
    _write_student(tmp_path, "ada", [IMPORT])
    (tmp_path / "grades.csv").write_text("the instructor's grades")
    says = _usage_error(["grade", str(tmp_path)], capsys)
    assert "already exists: nothing graded. Pass --force" in says
    assert (tmp_path / "grades.csv").read_text() == "the instructor's grades"


def test_force_replaces_the_csv_after_keeping_it(tmp_path, monkeypatch, capsys):
    _write_student(tmp_path, "ada", [IMPORT])
    output = tmp_path / "out" / "marks.csv"
    output.parent.mkdir()
    output.write_text("the instructor's grades")
    record = {"check": "check_parameters_with_3d_code", "passed": True, "message": "right"}
    monkeypatch.setattr(grade, "run_copy", lambda path, timeout: ([record], "ok", []))
    assert main(["grade", str(tmp_path), "--output", str(output), "--force"]) == 0
    assert list(pd.read_csv(output)["passed"]) == ["yes", grade.NOT_RUN]
    backups = list(output.parent.glob("marks.csv.bak-*"))
    assert [backup.read_text() for backup in backups] == ["the instructor's grades"]
    assert f"kept as {backups[0].name}" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv, says",
    [
        (["grade", "{folder}/nowhere"], "nowhere is not a folder"),
        (["grade", "{folder}", "--timeout", "0"], "--timeout: 0 is not a positive whole number"),
        (["grade", "{folder}", "--timeout", "ten"], "--timeout: 'ten' is not a whole number"),
        (["grade", "{folder}", "--timeout", "5", "--timeout", "6"], "--timeout: given twice"),
        (["grade", "{folder}", "--output", "{folder}"], "is a folder; give a file such as"),
        (["grade", "{folder}", "--output", "{folder}/grades.txt"], "must end in .csv"),
        (["grade", "{folder}/empty"], "has no student sub-folder with a notebook"),
        (["grade", "{folder}/flat"], "holds notebooks directly (ada__02_one_hidden_layer.ipynb)"),
    ],
)
def test_a_bad_value_is_a_usage_error_before_any_run(argv, says, tmp_path, no_run, capsys):
    _write_student(tmp_path, "ada", [IMPORT])
    (tmp_path / "empty" / "ada").mkdir(parents=True)
    (tmp_path / "flat").mkdir()
    nbformat.write(nbformat.v4.new_notebook(), tmp_path / "flat" / "ada__02_one_hidden_layer.ipynb")
    last = _usage_error([part.format(folder=tmp_path) for part in argv], capsys)
    assert last.startswith("python -m course_utils grade: error: ") and says in last
    assert not (tmp_path / "grades.csv").exists()


def test_a_module_a_student_writes_where_grade_started_is_never_imported_by_the_grader(graded):
    _, table, printed, _ = graded
    assert "student code ran" not in printed
    assert _row(table, "mallory")["passed"] == "yes"
