"""Grading students' copies: verdicts from the grader's own cells, forgeries ignored, crashes and timeouts local.

The student notebooks here are tiny synthetic ones that call a real, cheap check (Exercise 2.1);
the course's own notebook 2 runs once, as the instructor's run that fills the shared training cache.
Each hostile student below tries one attack from issue #25 against the real command line.
"""

import math
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pandas as pd
import psutil
import pytest
from command_line import usage_error

import course_utils.environment
from course_utils.maintain import grade, grade_kernel, grade_run
from course_utils.maintain.cli import main

pytestmark = pytest.mark.slow

NOTEBOOK = "02_one_hidden_layer.ipynb"
IMPORT = "from course_utils.exercises.checks import nb02 as checks"
CHECK = "checks.check_parameters_with_3d_code(answer_2_1)"
# A student's run: in a folder of its own holding only the saved results (no instructor notebook, not
# the course's notebooks/), its own copy of the training cache, not the reference run (which conftest sets here).
RUN_AS_A_STUDENT = (
    "import os\n"
    "job = os.path.dirname(os.getcwd())\n"
    "assert os.path.basename(os.getcwd()) == 'work' and os.path.basename(job).startswith('course-grade-'), os.getcwd()\n"
    "assert sorted(os.listdir()) == ['results'], os.listdir()\n"
    "assert os.path.isfile('results/depth_study/tensorflow/runs.csv')\n"
    "open('written-by-ada.txt', 'w').write('stays in the scratch folder')\n"
    "assert 'COURSE_REFERENCE_RUN' not in os.environ and 'COURSE_GRADE_RECORD' not in os.environ\n"
    "cache = os.environ['COURSE_CACHE_DIR']\n"
    "assert cache.startswith(job), f'not a copy of the shared cache: {cache}'\n"
    "assert os.environ['HOME'].startswith(job), os.environ['HOME']"
)
FORGED = {"check": "check_parameters_with_3d_code", "passed": True, "score": 1.0, "message": "forged"}
SHOW_FORGED = f"from IPython.display import display\ndisplay({{{grade_kernel.MIME!r}: {FORGED!r}}}, raw=True)"
# Rewrites the checks module the kernel imported, then reloads it: the check now passes anything.
REWRITE_CHECKS = (
    "import importlib, pathlib\n"
    "source = pathlib.Path(checks.__file__)\n"
    "source.write_text(source.read_text() + '\\ndef check_parameters_with_3d_code(*a, **k):\\n"
    '    from course_utils.exercises.feedback import CheckResult\\n    return CheckResult("x", right=["forged"])\\n\')\n'
    "importlib.reload(checks)"
)
OUTSIDE = (
    "import os, pathlib\n"
    "assert not any(name.endswith('.ipynb') for name in os.listdir('..')), 'no instructor notebook near'\n"
    "pathlib.Path('../outside-by-olga.txt').write_text('x')\n"
    "pathlib.Path('~/home-by-olga.txt').expanduser().write_text('x')"
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
        "pair_2_2 = ...\ntrain_codes = y_train = codes = y_test = None",
        "checks.check_most_confused(pair_2_2, train_codes, y_train, codes, y_test)",
    ],
    # Each forgery of issue #25, with a wrong answer: none may pass.
    "forger_record": [
        IMPORT,
        "answer_2_1 = 1",
        CHECK,
        SHOW_FORGED,
    ],
    "forger_patch": [
        IMPORT,
        "answer_2_1 = 1",
        "from course_utils.exercises import feedback\nfeedback.CheckResult.passed = property(lambda self: True)",
        CHECK,
    ],
    "forger_file": [IMPORT, "answer_2_1 = 1", REWRITE_CHECKS, CHECK],
    # Right after forger_file: a fresh copy of the checks, so a wrong answer still fails.
    "forger_next": [IMPORT, "answer_2_1 = 2", CHECK],
    # Writes tabulate.py into the folder `grade` runs from (START, a path it guessed): pandas would
    # import it for the summary, in the grader's own process, if that folder stayed on sys.path.
    "mallory": [
        "open('START/tabulate.py', 'w').write('raise SystemExit(\"student code ran\")')",
        IMPORT,
        "answer_2_1 = 5491",
        CHECK,
    ],
    "olga": [OUTSIDE, IMPORT, "answer_2_1 = '5491'", CHECK],
}
# Notebook 9's exercise 9.1 (2 points), three of its five measures right: partial credit.
PARTIAL = [
    "from course_utils.exercises.checks import nb09 as checks",
    "rewards_9_1 = {'bce': 'B', 'mse': 'E', 'knn_accuracy': 'D', 'trustworthiness': 'C', 'silhouette': 'A'}",
    "checks.check_measure_rewards(rewards_9_1)",
]
# The instructor's hidden check: the answer must be a number, not text (olga's "5491" fails it).
HIDDEN = (
    "def answer_is_a_number(answer):\n"
    "    assert isinstance(answer, int), f'give the count as a number, not {type(answer).__name__}'\n"
    "    return True\n"
    "HIDDEN_CHECKS = [('2.1', answer_is_a_number, 'answer_2_1')]\n"
)


def _write_student(folder: Path, student: str, cells: list[str], notebook: str = NOTEBOOK) -> Path:
    path = folder / student / notebook
    path.parent.mkdir(parents=True, exist_ok=True)
    made = [
        nbformat.v4.new_markdown_cell(cell) if cell.startswith("#") else nbformat.v4.new_code_cell(cell) for cell in cells
    ]
    nbformat.write(nbformat.v4.new_notebook(cells=made), path)
    return path


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """A class graded by the command line, two at a time: its folder, the CSV, what it printed, and the files before."""
    folder = tmp_path_factory.mktemp("class")
    start = tmp_path_factory.mktemp("start")  # where the instructor runs `grade` from, as `python -m` runs it
    students = {student: [cell.replace("START", str(start)) for cell in cells] for student, cells in STUDENTS.items()}
    paths = [_write_student(folder, student, cells) for student, cells in students.items()]
    paths.append(_write_student(folder, "quinn", PARTIAL, "09_conclusion.ipynb"))
    restored = _write_student(folder, "rita", [IMPORT, "answer_2_1 = 3922", "print('Exercise 2.1: right.')"])
    _give_the_check_cell_id(restored)
    paths.append(restored)
    (folder / "eve").mkdir()
    paths.append(folder / "eve" / NOTEBOOK)
    paths[-1].write_text("not a notebook")
    before = {path: path.read_bytes() for path in paths}
    hidden = tmp_path_factory.mktemp("instructor") / "hidden.py"
    hidden.write_text(HIDDEN)
    package = grade_run.read_package()
    jobs = str(min(2, course_utils.environment.cpu_count()))  # grade refuses more jobs than cores
    command = [sys.executable, "-m", "course_utils", "grade", str(folder), "--timeout", "180", "--jobs", jobs]
    command += ["--hidden-checks", str(hidden)]
    environment = {**os.environ, "PWD": str(start)}
    finished = subprocess.run(command, cwd=start, env=environment, capture_output=True, text=True, timeout=1200)
    assert finished.returncode == 0, finished.stderr
    assert (start / "tabulate.py").exists(), "mallory's file was written: the attack was tried"
    assert grade_run.read_package() == package, "no student changed the installed course package"
    table = pd.read_csv(folder / "grades.csv", dtype=str, keep_default_na=False)
    return folder, table, finished.stdout + finished.stderr, before


def _give_the_check_cell_id(path: Path) -> None:
    """Make the last cell the student copy's check cell of Exercise 2.1 (same id), edited to print a verdict."""
    check_cell = next(cell for cell in grade_run.instructor_copy(NOTEBOOK[:-6]).cells if CHECK in cell.source)
    notebook = nbformat.read(path, as_version=4)
    notebook.cells[-1]["id"] = check_cell["id"]
    nbformat.write(notebook, path)


def _row(table: pd.DataFrame, student: str, exercise: str = "2.1") -> pd.Series:
    found = table[(table["student"] == student) & (table["exercise"] == exercise)]
    assert len(found) == 1
    return found.iloc[0]


def test_one_row_per_student_and_exercise_then_a_total(graded):
    _, table, _, _ = graded
    assert tuple(table.columns) == (*grade.COLUMNS, "points", "earned")
    students = sorted([*STUDENTS, "eve", "rita"])
    rows = [(s, e) for s in students for e in ("2.1", "2.2", "2.3", "total")]
    rows += [("quinn", exercise) for exercise in ("9.1", "9.2", "9.C", "total")]
    assert sorted(zip(table["student"], table["exercise"])) == sorted(rows)
    assert set(table[table["exercise"] == "2.3"]["passed"]) == {"by hand"}
    assert set(table["title"]) >= {"predict the parameter count", "which digits does the code confuse most?"}
    total = _row(table, "ada", "total")
    assert (total["earned"], total["points"]) == ("2", "6")


def test_a_solved_copy_passes_run_as_a_student(graded):
    row = _row(graded[1], "ada")
    assert (row["passed"], float(row["score"]), row["earned"], row["status"]) == ("yes", 1.0, "2", "ok")
    assert "5,491 parameters" in row["message"]
    later = _row(graded[1], "ada", "2.2")
    assert later["passed"] == "no" and "not answered: name 'pair_2_2' is not defined" in later["message"]


def test_a_check_with_parts_gives_partial_credit_and_a_row_to_grade_by_hand(graded):
    row = _row(graded[1], "quinn", "9.1")
    assert (row["passed"], float(row["score"]), row["earned"], row["points"]) == ("no", 0.6, "1.2", "2")
    capstone = _row(graded[1], "quinn", "9.C")
    assert (capstone["passed"], capstone["earned"], capstone["points"]) == ("by hand", "", "15")
    total = _row(graded[1], "quinn", "total")
    assert (total["earned"], total["points"]) == ("1.2", "20")


def test_an_empty_copy_is_not_answered(graded):
    row = _row(graded[1], "bob")
    assert (row["passed"], float(row["score"]), row["earned"], row["status"]) == ("no", 0.0, "0", "ok")
    assert "Not answered yet" in row["message"]


def test_an_error_outside_the_exercises_stops_nothing_and_is_said(graded):
    row = _row(graded[1], "cy")
    assert row["passed"] == "yes", "the cells after the error ran: the last check counts"
    assert row["status"] == "ok (cell 4, outside the exercises, raised ValueError: broken on purpose)"


def test_an_error_in_one_answer_costs_that_exercise_only(graded):
    broken = _row(graded[1], "dan")
    assert broken["passed"] == "no" and "not answered: name 'answer_2_1' is not defined" in broken["message"]
    assert broken["status"] == "error in cell 3: NameError: name 'undefined_name' is not defined"
    later = _row(graded[1], "dan", "2.2")
    assert later["passed"] == "no" and later["status"] == "ok", "the next exercise was still checked"
    assert "Not answered yet" in later["message"]


def test_an_edited_check_cell_is_put_back(graded):
    _, table, printed, _ = graded
    row = _row(table, "rita")
    assert row["passed"] == "no" and "3,922" in row["message"]
    # 2.1's cell changed back, and 2.2's, which this copy lacks, put back after it
    assert "rita/02_one_hidden_layer.ipynb: 0 of 2 passed, ok, 2 check cells put back" in printed


@pytest.mark.parametrize("student", ["forger_record", "forger_patch", "forger_file"])
def test_no_forgery_passes_a_wrong_answer(graded, student):
    row = _row(graded[1], student)
    assert row["passed"] == "no" and float(row["score"]) == 0.0, row["message"]
    assert "forged" not in row["message"]


def test_a_changed_check_is_flagged_and_the_next_student_gets_the_real_one(graded):
    _, table, printed, _ = graded
    for student in ("forger_patch", "forger_file"):
        row = _row(table, student)
        assert "not counted: the notebook's code changed" in row["message"]
        assert "flagged: the notebook's code changed the course's checks" in row["status"]
        line = next(line for line in printed.splitlines() if f"] {student}/{NOTEBOOK}: 0 of 2 passed" in line)
        assert "FLAGGED: the notebook's code changed the course's checks" in line
    following = _row(table, "forger_next")
    assert following["passed"] == "no", following["message"]
    assert "the course's checks" not in following["status"], following["status"]


def test_a_hidden_check_counts_in_its_exercise(graded):
    row = _row(graded[1], "olga")
    assert row["passed"] == "no" and float(row["score"]) == 0.0, "the course's check passes text, the hidden one not"
    assert "give the count as a number, not str" in row["message"]
    assert _row(graded[1], "ada")["passed"] == "yes", "the hidden check passes a number"


def test_what_a_student_writes_outside_its_folder_stays_in_the_graders_scratch(graded):
    assert _row(graded[1], "olga")["status"] == "ok", "no instructor notebook was found next to the folder"
    assert not (Path.home() / "home-by-olga.txt").exists()
    assert not (grade.notebooks.NOTEBOOK_DIR / "written-by-ada.txt").exists()
    assert not (grade.notebooks.NOTEBOOK_DIR.parent / "outside-by-olga.txt").exists()


def test_an_unreadable_copy_is_reported_and_the_others_are_graded(graded):
    row = _row(graded[1], "eve")
    assert row["passed"] == grade.NOT_RUN
    assert row["status"].startswith("error: cannot read the notebook")


def test_it_says_what_it_does_and_prints_the_summary(graded):
    _, _, printed, _ = graded
    count = len(STUDENTS) + 3
    assert f"Grading {count} notebooks of {count} students, 2 at a time, about " in printed
    assert "Training the lessons' models once for all students (2 notebooks)..." in printed
    assert "  02_one_hidden_layer: ok" in printed and "  09_conclusion: ok" in printed
    assert f"[{count}/{count}] " in printed
    line = next(line for line in printed.splitlines() if line.startswith("| ada"))
    assert line.replace(" ", "") == "|ada|✓|✗|–|–|2of6(1byhand)|", "9.1 and 9.2: quinn's, not ada's"


def test_students_files_are_not_touched(graded):
    folder, _, _, before = graded
    assert {path: path.read_bytes() for path in before} == before
    written = ["grades.csv", "grades-canvas.csv", "grades-moodle.csv"]
    notebooks = [NOTEBOOK] * (len(STUDENTS) + 2) + ["09_conclusion.ipynb"]
    assert sorted(path.name for path in folder.rglob("*") if path.is_file()) == sorted(notebooks + written)


def test_the_estimate_counts_the_instructors_run_and_the_jobs():
    chosen = [grade.Submission(name, Path(NOTEBOOK)) for name in ("a", "b", "c")]
    seconds = grade.timings.seconds_by_notebook()[NOTEBOOK[:-6]] + grade.START_SECONDS
    assert grade.estimate_minutes(chosen, jobs=1) == pytest.approx(4 * seconds / 60)
    assert grade.estimate_minutes(chosen, jobs=2) == pytest.approx(2 * seconds / 60)


def _setup(tmp_path: Path, **limits) -> grade_run.Setup:
    (tmp_path / "cache").mkdir()
    return grade_run.Setup(grade_run.read_package(), tmp_path / "cache", **limits)


DETACHED = (
    "import subprocess, sys\n"
    "late = {late!r}\n"
    'code = f\'import time; time.sleep(60); open({{late!r}}, "w").write("late")\'\n'
    "child = subprocess.Popen([sys.executable, '-c', code], start_new_session=True)\n"
    "open({pid!r}, 'w').write(str(child.pid))\n"
    "import time\ntime.sleep(600)"
)


def test_a_copy_that_runs_too_long_is_stopped_with_every_process_it_started(tmp_path):
    late, pid = tmp_path / "late.txt", tmp_path / "pid.txt"
    path = _write_student(tmp_path, "slow", [DETACHED.format(late=str(late), pid=str(pid))])
    outcome = grade_run.run_copy(path, "02_one_hidden_layer", _setup(tmp_path, timeout=20))
    assert outcome.status.startswith("timeout: stopped after 20 s")
    assert not psutil.pid_exists(int(pid.read_text())), "the detached process (asleep for a minute) was ended"
    assert not late.exists()


def test_a_copy_over_its_memory_limit_is_stopped(tmp_path):
    hungry = "import numpy as np\nblock = np.ones(300_000_000)\nimport time\ntime.sleep(30)"
    path = _write_student(tmp_path, "hungry", [hungry])
    outcome = grade_run.run_copy(path, "02_one_hidden_layer", _setup(tmp_path, timeout=60, memory_bytes=2**30))
    assert outcome.status.startswith("memory limit: stopped above 1.0 GB"), outcome.status


def test_the_last_verdict_of_a_check_counts_and_the_summary_marks_each_verdict():
    item = grade.Submission("ada", Path("02_one_hidden_layer.ipynb"))
    first = {"check": "check_parameters_with_3d_code", "passed": False, "score": 0.0, "message": "too low"}
    last = {"check": "check_parameters_with_3d_code", "passed": True, "score": 1.0, "message": "right"}
    rows = grade.rows(item, grade_run.Outcome([first, last], "ok", []))
    assert [(row["exercise"], row["passed"], row["message"]) for row in rows] == [
        ("2.1", "yes", "right"),
        ("2.2", grade.NOT_RUN, "its check did not run"),
    ]
    assert math.isnan(rows[1]["score"])
    table = pd.DataFrame(rows + grade.rows(grade.Submission("bob", item.path), grade_run.Outcome([first], "ok", [])))
    assert grade.summary(table).to_dict("index") == {"ada": {"2.1": "✓", "2.2": "–"}, "bob": {"2.1": "✗", "2.2": "–"}}


def test_a_grader_cell_is_one_check_call_per_check_the_cell_calls():
    source = grade_run.grader_source("x = 1\n" + CHECK)
    assert source == f"{grade_run.GRADER}.check('2.1', 0)"
    assert grade_run.grader_source("print('no check here')") is None


def test_package_changes_are_named(tmp_path):
    root = tmp_path / "course_utils"
    root.mkdir()
    (root / "a.py").write_text("a")
    before = grade_run.read_package(root)
    (root / "a.py").write_text("changed")
    (root / "b.py").write_text("added")
    assert grade_run.package_changes(before, root) == ["course_utils/a.py", "course_utils/b.py"]


@pytest.fixture
def no_run(monkeypatch):
    """Running a notebook fails the test."""

    def refused(*args, **kwargs):
        raise AssertionError("a notebook ran although the command line was wrong")

    monkeypatch.setattr(grade.grade_run, "run", refused)


def test_an_existing_csv_is_kept_without_force(tmp_path, no_run, capsys):
    _write_student(tmp_path, "ada", [IMPORT])
    (tmp_path / "grades.csv").write_text("the instructor's grades")
    says = usage_error(["grade", str(tmp_path)], capsys)
    assert "already exists: nothing graded. Pass --force" in says
    assert (tmp_path / "grades.csv").read_text() == "the instructor's grades"


def test_force_replaces_the_csv_after_keeping_it(tmp_path, monkeypatch, capsys):
    _write_student(tmp_path, "ada", [IMPORT])
    output = tmp_path / "out" / "marks.csv"
    output.parent.mkdir()
    output.write_text("the instructor's grades")
    record = {"check": "check_parameters_with_3d_code", "passed": True, "score": 1.0, "message": "right"}
    monkeypatch.setattr(grade.grade_run, "run_copy", lambda path, notebook, setup: grade_run.Outcome([record], "ok", []))
    monkeypatch.setattr(grade, "fill_shared_cache", lambda *arguments: None)
    assert main(["grade", str(tmp_path), "--output", str(output), "--force"]) == 0
    book = pd.read_csv(output, dtype=str, keep_default_na=False)
    assert list(book["exercise"]) == ["2.1", "2.2", "2.3", "total"], "the checked rows, the row to grade by hand, the total"
    assert list(book["passed"])[:2] == ["yes", grade.NOT_RUN]
    assert book.iloc[-1]["earned"] == "2" and book.iloc[-1]["points"] == "6"
    backups = list(output.parent.glob("marks.csv.bak-*"))
    assert [backup.read_text() for backup in backups] == ["the instructor's grades"]
    printed = capsys.readouterr().out
    assert f"kept as {backups[0].name}" in printed
    assert "marks-canvas.csv, marks-moodle.csv" in printed and "2 of 6 (1 by hand)" in printed
    assert sorted(path.name for path in output.parent.glob("marks-*.csv")) == ["marks-canvas.csv", "marks-moodle.csv"]


@pytest.mark.parametrize(
    "argv, says",
    [
        (["grade", "{folder}/nowhere"], "nowhere is not a folder"),
        (["grade", "{folder}", "--timeout", "0"], "--timeout: 0 is not a positive whole number"),
        (["grade", "{folder}", "--timeout", "ten"], "--timeout: 'ten' is not a whole number"),
        (["grade", "{folder}", "--timeout", "5", "--timeout", "6"], "--timeout: given twice"),
        (["grade", "{folder}", "--jobs", "0"], "--jobs: 0 is not a positive whole number"),
        (["grade", "{folder}", "--memory-gb", "0.1"], "0.1 GB is too little memory"),
        (["grade", "{folder}", "--hidden-checks", "{folder}/none.py"], "--hidden-checks"),
        (["grade", "{folder}", "--hidden-checks", "{folder}/ada/02_one_hidden_layer.ipynb"], "defines no HIDDEN_CHECKS"),
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
    last = usage_error([part.format(folder=tmp_path) for part in argv], capsys)
    assert last.startswith("python -m course_utils grade: error: ") and says in last
    assert not (tmp_path / "grades.csv").exists()


def test_a_module_a_student_writes_where_grade_started_is_never_imported_by_the_grader(graded):
    _, table, printed, _ = graded
    assert "student code ran" not in printed
    assert _row(table, "mallory")["passed"] == "yes"
