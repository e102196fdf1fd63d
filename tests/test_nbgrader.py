"""The nbgrader export: a course folder that the real nbgrader turns into student versions and grades.

The fast tests read what ``release --format nbgrader`` writes (nbgrader's metadata, points from the
exercise registry, what nbgrader's own ClearSolutions leaves of a solution). The slow one runs the
real nbgrader command line on the cheapest notebook (benchmarks/results/notebook_budgets.csv):
``generate_assignment``, then ``autograde`` of the instructor's solved notebook and of the
untouched student version, and reads the points from nbgrader's gradebook.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest
from nbgrader.api import Gradebook
from nbgrader.nbgraderformat import MetadataValidator
from nbgrader.preprocessors import ClearSolutions
from nbgrader.utils import determine_grade
from traitlets.config.loader import PyFileConfigLoader

from course_utils import environment
from course_utils.exercises import feedback, registry
from course_utils.maintain import nbgrader_export, notebooks, release
from course_utils.maintain.cli import main

COURSE = notebooks.course_notebooks()
BUDGETS = notebooks.PROJECT_DIR / "benchmarks" / "results" / "notebook_budgets.csv"


def _cheapest_notebook() -> str:
    """The notebook whose reference run is quickest: the one the slow test grades."""
    with BUDGETS.open() as budgets:
        return min(csv.DictReader(budgets), key=lambda row: float(row["median_s"]))["notebook"]


@pytest.fixture(scope="module")
def course_folder(tmp_path_factory) -> Path:
    """What ``release --format nbgrader`` writes for the whole course."""
    folder = tmp_path_factory.mktemp("nbgrader-course")
    nbgrader_export.export(folder)
    return folder


def _source(folder: Path, stem: str) -> nbformat.NotebookNode:
    return nbformat.read(folder / nbgrader_export.SOURCE_FOLDER / stem / f"{stem}.ipynb", as_version=4)


def _nbgrader(cell: nbformat.NotebookNode) -> dict:
    return cell.metadata["nbgrader"]


@pytest.mark.parametrize("path", COURSE, ids=[path.stem for path in COURSE])
def test_each_check_is_a_locked_test_cell_worth_the_registry_points(course_folder, path):
    source = _source(course_folder, path.stem)
    MetadataValidator().validate_nb(source)  # nbgrader's own schema
    graded = {_nbgrader(cell)["grade_id"]: _nbgrader(cell) for cell in source.cells if release.is_check(cell)}
    checked = [exercise for exercise in registry.exercises_in(path.stem) if exercise.is_checked]
    assert {grade_id: meta["points"] for grade_id, meta in graded.items()} == {
        f"{exercise.label}-check": exercise.points for exercise in checked
    }
    assert all(meta["grade"] and meta["locked"] and not meta["solution"] for meta in graded.values())
    for cell in source.cells:
        meta = _nbgrader(cell)
        assert meta["schema_version"] == nbgrader_export.SCHEMA_VERSION
        if not meta["grade"] and not meta["solution"]:
            assert meta["locked"], f"cell {meta['grade_id']} is neither an answer nor a test, so nbgrader must restore it"


@pytest.mark.parametrize("path", COURSE, ids=[path.stem for path in COURSE])
def test_solution_cells_hold_the_placeholder_then_the_marked_solution(course_folder, path):
    source = _source(course_folder, path.stem)
    instructor, _ = release.load_instructor_notebook(path)
    solutions = [cell.source for cell in instructor.cells if release.is_solution(cell)]
    answers = [cell for cell in source.cells if _nbgrader(cell)["solution"]]
    assert len(answers) == len(solutions) and answers
    for cell, solution in zip(answers, solutions):
        assert not _nbgrader(cell)["grade"] and not _nbgrader(cell)["locked"]
        placeholder, rest = cell.source.split(f"\n{nbgrader_export.BEGIN_SOLUTION}\n")
        assert rest == f"{solution.rstrip()}\n{nbgrader_export.END_SOLUTION}"
        assert placeholder.startswith("# Exercise ") and not cell.outputs
    assert not any(release.is_claim(cell) for cell in source.cells)


def test_nbgraders_own_stub_keeps_the_student_version_runnable_and_free_of_solutions(course_folder):
    """nbgrader's ClearSolutions, set up by the nbgrader_config.py written, on every notebook."""
    config = PyFileConfigLoader(nbgrader_export.CONFIG_NAME, path=str(course_folder)).load_config()
    clear = ClearSolutions(config=config)
    for path in COURSE:
        student, _ = clear.preprocess(_source(course_folder, path.stem), {})
        text = nbformat.writes(student)
        assert "NotImplementedError" not in text and nbgrader_export.BEGIN_SOLUTION not in text
        assert [cell.source for cell in student.cells] == [
            cell.source for cell in nbgrader_export.student_version(_source(course_folder, path.stem)).cells
        ]
        instructor, _ = release.load_instructor_notebook(path)
        assert release.solution_leaks(instructor, nbgrader_export.student_version(student), path.stem) == []
        copy, _ = release.prepare(path)  # the release copy's placeholders, above nbgrader's comment
        answers = [cell.source for cell in student.cells if _nbgrader(cell)["solution"]]
        placeholders = [cell.source for cell in copy.cells if release.PLACEHOLDER_TAG in cell.metadata.get("tags", [])]
        assert answers == [f"{placeholder}\n{nbgrader_export.CODE_STUB}" for placeholder in placeholders]


def test_the_folder_holds_no_py_pair_and_the_saved_results(course_folder):
    written = [path for path in course_folder.rglob("*") if path.is_file()]
    assert not [path for path in written if path.suffix == ".py" and path.name != nbgrader_export.CONFIG_NAME]
    assert (course_folder / nbgrader_export.CONFIG_NAME).exists()
    assert "nbgrader generate_assignment" in (course_folder / nbgrader_export.README_NAME).read_text()
    for path in COURSE:
        folder = course_folder / nbgrader_export.SOURCE_FOLDER / path.stem
        for result, target in release.saved_results([path], folder).items():
            assert target.read_bytes() == result.read_bytes()


def _run_test_cell(source: str, result: feedback.CheckResult, grading: bool) -> dict:
    """Run a test cell's code with a check that returns ``result``; returns its namespace."""
    shown: list = []
    checks = SimpleNamespace(check_pca_knn_accuracy=lambda *arguments: result)
    namespace = {"checks": checks, "knn_1_1": 0.5, "mnist": None, "display": shown.append, "shown": shown}
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv(nbgrader_export.EXECUTION_VARIABLE, raising=False)
        if grading:
            patch.setenv(nbgrader_export.EXECUTION_VARIABLE, "autograde")  # as nbgrader autograde sets it
        exec(compile(source, "<test cell>", "exec"), namespace)
    return namespace


def test_a_test_cell_gives_nbgrader_partial_credit_and_fails_only_under_nbgrader():
    exercise = registry.find("1.1")
    source = nbgrader_export.graded_check_source("checks.check_pca_knn_accuracy(knn_1_1, mnist)", exercise)
    _, points = nbgrader_export.graded_names(exercise)
    half = feedback.CheckResult("Exercise 1.1", fix=["one part wrong"], parts={"a": True, "b": False})
    for result, expected in ((feedback.CheckResult("Exercise 1.1"), exercise.points), (half, exercise.points / 2)):
        namespace = _run_test_cell(source, result, grading=True)
        assert namespace[points] == expected and namespace["shown"] == [result]
        cell = nbformat.v4.new_code_cell(source, metadata={"nbgrader": {"grade": True, "points": exercise.points}})
        cell.outputs = [nbformat.v4.new_output("execute_result", {"text/plain": repr(namespace[points])})]
        assert determine_grade(cell) == (expected, exercise.points)  # nbgrader's reading of the cell's value
    unanswered = feedback.not_answered("Exercise 1.1")
    assert _run_test_cell(source, unanswered, grading=False)[points] == 0  # a student's own run goes on
    with pytest.raises(AssertionError, match="not answered yet"):
        _run_test_cell(source, unanswered, grading=True)


def test_the_command_line_writes_the_folder_and_keeps_what_it_replaces(tmp_path, capsys):
    notebook = str(COURSE[0].with_suffix(".py"))
    argv = ["release", "--format", "nbgrader", notebook, "--output", str(tmp_path)]
    assert main(argv) == 0
    target = tmp_path / nbgrader_export.SOURCE_FOLDER / COURSE[0].stem / f"{COURSE[0].stem}.ipynb"
    assert target.exists() and [path.name for path in tmp_path.rglob("*.py")] == [nbgrader_export.CONFIG_NAME]
    assert main(argv) == 0, "an unchanged folder is written again without --force"
    target.write_text(target.read_text().replace("Exercise", "Task"))
    assert main(argv) == 1 and "--force" in capsys.readouterr().err
    assert main([*argv, "--force"]) == 0
    assert "Task" in next(tmp_path.rglob(f"{target.name}.bak-*")).read_text()


def _student_environment(config_dir: Path) -> dict[str, str]:
    """A student's kernel environment: the course's data and the test run's training cache, outside the reference run."""
    student = {key: value for key, value in os.environ.items() if key != environment.REFERENCE_RUN_VARIABLE}
    # nbgrader runs the `alembic` command: found beside this Python even when its environment is not activated
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    return {**student, "JUPYTER_CONFIG_DIR": str(config_dir), "PATH": path}  # no nbgrader setting of this machine's user


def _nbgrader_command(folder: Path, *arguments: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "nbgrader", *arguments],
        cwd=folder,
        env=_student_environment(folder / ".jupyter"),
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, f"nbgrader {' '.join(arguments)}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"


def _errors(notebook: nbformat.NotebookNode) -> dict[str, str]:
    """The cells that raised, by nbgrader id, with the error's name."""
    return {
        cell.metadata["nbgrader"]["grade_id"]: output.ename
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if output.output_type == "error"
    }


@pytest.mark.slow
def test_nbgrader_gives_the_solution_full_points_and_the_student_version_none(course_folder):
    """The real nbgrader command line: generate_assignment, then autograde of two returned copies."""
    stem = _cheapest_notebook()
    _nbgrader_command(course_folder, "generate_assignment", stem)
    released = course_folder / "release" / stem / f"{stem}.ipynb"
    returned = {"solved": course_folder / nbgrader_export.SOURCE_FOLDER / stem / f"{stem}.ipynb", "unsolved": released}
    for student, notebook in returned.items():
        folder = course_folder / "submitted" / student / stem
        folder.mkdir(parents=True)
        shutil.copy(notebook, folder)
    _nbgrader_command(course_folder, "autograde", stem)

    points = {f"{exercise.label}-check": exercise.points for exercise in registry.exercises_in(stem) if exercise.is_checked}
    with Gradebook(f"sqlite:///{course_folder / 'gradebook.db'}") as gradebook:
        scores = {
            student: {grade.name: grade.score for grade in gradebook.find_submission(stem, student).notebooks[0].grades}
            for student in returned
        }
    assert scores["solved"] == points and sum(points.values()) > 0
    assert scores["unsolved"] == dict.fromkeys(points, 0)

    graded = {
        student: nbformat.read(course_folder / "autograded" / student / stem / f"{stem}.ipynb", 4) for student in returned
    }
    assert _errors(graded["solved"]) == {}
    assert _errors(graded["unsolved"]) == dict.fromkeys(points, "AssertionError"), "only the test cells fail"
    unanswered = feedback.not_answered("").verdict
    for cell in graded["unsolved"].cells:
        if cell.metadata["nbgrader"]["grade_id"] in points:
            assert f": {unanswered}." in cell.outputs[0]["data"]["text/plain"]


def test_the_nbgrader_folder_has_its_own_default(monkeypatch):
    written = []
    monkeypatch.setattr(nbgrader_export, "main", lambda output, *arguments, **options: written.append(output) or 0)
    assert main(["release", "--format", "nbgrader"]) == 0
    assert main(["release", "--format", "nbgrader", "--output", "student"]) == 0
    assert written == [nbgrader_export.DEFAULT_OUTPUT, Path("student")]
