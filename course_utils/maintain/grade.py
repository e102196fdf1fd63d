"""Grade students' copies: run each in a fresh kernel and record every check's verdict.

``python -m course_utils grade FOLDER`` expects one sub-folder per student, named by the student's
id, holding that student's notebooks as ``release`` wrote them (``NN_name.ipynb``)::

    FOLDER/
        ada/02_one_hidden_layer.ipynb
        ada/03_two_hidden_layers.ipynb
        grace/02_one_hidden_layer.ipynb

Only notebooks with checked exercises (the registry's) are run. Each runs as a student would run
it: from a copy in memory (the student's file is only read), in a fresh kernel started in a
temporary folder that holds only the saved results the notebooks read (no instructor notebook),
with an empty training cache, on the course's data, outside the reference run, within a time
limit for the whole notebook. Before the student's first cell, the
grader's own cell wraps the check functions of :mod:`course_utils.exercises.checks` so that each
call appends its result (passed, message) to a JSON-lines file: verdicts are recorded, not read
back from the displayed text, and those recorded before a time limit are kept. A cell that raises
does not stop the run: its error is put on the exercise whose section holds the cell, and the
exercises after it are still checked.
"""

from __future__ import annotations

import contextlib
import functools
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

import nbformat
import pandas as pd

from course_utils import data, environment, results
from course_utils.exercises import registry
from course_utils.maintain import notebooks, release, timings

DEFAULT_TIMEOUT = 600
DEFAULT_NAME = "grades.csv"
COLUMNS = ("student", "notebook", "exercise", "title", "passed", "message", "status")
NOT_RUN = "not run"
MARKS = {"yes": "✓", "no": "✗", NOT_RUN: "–"}
# A kernel's start-up, added to each notebook's measured run time; and the guess for a notebook
# the timings file does not list yet (a new one), about the slowest measured notebook's time.
START_SECONDS = 5
UNMEASURED_SECONDS = 30
RECORD_VARIABLE = "COURSE_GRADE_RECORD"
# The grader's cell, run before the student's first cell.
RECORDER_CELL = "from course_utils.maintain import grade as _grade\n\n_grade.install_recorder()\ndel _grade"


class GradeError(ValueError):
    """Raised when a folder cannot be graded (its layout, or the output file)."""


@dataclass(frozen=True)
class Submission:
    """One student's notebook.

    Attributes:
        student: The student's id (the name of their sub-folder).
        path: The notebook.
    """

    student: str
    path: Path
    matched: str = ""

    @property
    def notebook(self) -> str:
        """The course notebook it was matched to, e.g. ``"02_one_hidden_layer"`` (by default its file's stem)."""
        return self.matched or self.path.stem


@dataclass(frozen=True)
class Unmatched:
    """A returned file that is not graded, and why (listed beside the grades, never dropped silently)."""

    student: str
    path: Path
    reason: str


def checked_exercises(notebook: str) -> tuple[registry.Exercise, ...]:
    """The registry's exercises of ``notebook`` that a check function marks (not widgets alone)."""
    return tuple(exercise for exercise in registry.exercises_in(notebook) if _check_names(exercise))


def _check_names(exercise: registry.Exercise) -> list[str]:
    return [call.function.__name__ for call in exercise.calls if call.is_check]


def _all_check_names() -> list[str]:
    return sorted({name for exercise in registry.all_exercises() for name in _check_names(exercise)})


# --------------------------------------------------------------------------------------------
# Inside the student's kernel
# --------------------------------------------------------------------------------------------


def install_recorder(record: str | None = None) -> None:
    """Wrap every check of the registry so that each call appends its verdict to a JSON-lines file.

    Runs in the student's kernel, before the student's first cell, so that ``checks.check_...``
    and ``from course_utils.exercises.checks.nb02 import check_...`` both reach the wrapper: it
    replaces each check in the checks module of its exercise's notebook, the module that notebook
    imports as ``checks``.

    Args:
        record: The file to append to; default ``$COURSE_GRADE_RECORD``.
    """
    import importlib

    path = record or os.environ[RECORD_VARIABLE]
    for exercise in registry.all_exercises():
        for call in exercise.calls:
            if call.is_check:
                module = importlib.import_module(exercise.checks_module)
                name = call.function.__name__
                check = getattr(module, name)
                if not hasattr(check, "__wrapped__"):
                    setattr(module, name, _recording(name, check, path))


def _recording(name: str, check: Callable[..., object], path: str) -> Callable[..., object]:
    """``check``, which also appends ``{"check", "passed", "message"}`` to ``path`` at each call."""

    @functools.wraps(check)
    def recorded(*args: object, **kwargs: object) -> object:
        try:
            result = check(*args, **kwargs)
        except Exception as error:
            _append(path, {"check": name, "passed": False, "message": f"the check raised {type(error).__name__}: {error}"})
            raise
        _append(path, {"check": name, "passed": bool(getattr(result, "passed", False)), "message": _message(result)})
        return result

    return recorded


def _message(result: object) -> str:
    """What a check result says: what to fix, else what is right."""
    lines = list(getattr(result, "fix", [])) or list(getattr(result, "right", []))
    return " ".join(lines) if lines else str(result)


def _append(path: str, entry: dict) -> None:
    with open(path, "a", encoding="utf-8") as file:
        file.write(json.dumps(entry, ensure_ascii=False) + "\n")


# --------------------------------------------------------------------------------------------
# The folder
# --------------------------------------------------------------------------------------------


def layout_problem(folder: Path) -> str | None:
    """Why ``folder`` is not one sub-folder of notebooks per student, or None."""
    if not folder.is_dir():
        return f"{folder} is not a folder"
    loose = sorted(path.name for path in folder.glob("*.ipynb"))
    if loose:
        return (
            f"{folder} holds notebooks directly ({', '.join(loose[:3])}{', ...' if len(loose) > 3 else ''}): "
            "put each student's notebooks in a sub-folder named by the student's id, e.g. "
            f"{folder / 'ada' / '02_one_hidden_layer.ipynb'}"
        )
    if not submissions(folder):
        return f"{folder} has no student sub-folder with a notebook NN_name.ipynb that has checked exercises"
    return None


def submissions(folder: Path) -> list[Submission]:
    """Every student's notebooks with checked exercises, by student then notebook (see :func:`match_files`)."""
    return match_files(folder)[0]


def match_files(folder: Path) -> tuple[list[Submission], list[Unmatched]]:
    """Match every notebook a student returned to a course notebook, or list it as unmatched.

    A student's notebooks may lie anywhere below the student's folder (a copy one folder deeper
    counts). A file is matched by the course notebook a student copy names in its metadata
    (``release`` writes it), else by its name, read tolerantly: case, spaces and hyphens, and a
    copy's suffix (``" (1)"``, ``" - Copy"``, ``"_copy2"``) do not count. Jupyter's checkpoints are
    left out. Two files of one student that match the same notebook are both listed, not guessed.

    Returns:
        The submissions to grade, by student then notebook; and the files not graded, with why.
    """
    stems = [path.stem for path in notebooks.course_notebooks()]
    matched: list[Submission] = []
    unmatched: list[Unmatched] = []
    for student in sorted(path for path in folder.iterdir() if path.is_dir() and not path.name.startswith(".")):
        by_notebook: dict[str, list[Path]] = {}
        for path in sorted(student.rglob("*.ipynb")):
            if any(part.startswith(".") for part in path.relative_to(student).parts):
                continue  # .ipynb_checkpoints and other hidden folders
            stem = _course_notebook(path, stems)
            if stem is None:
                unmatched.append(Unmatched(student.name, path, "its name and content match no course notebook"))
            elif not checked_exercises(stem):
                unmatched.append(Unmatched(student.name, path, f"{stem} has no checked exercise"))
            else:
                by_notebook.setdefault(stem, []).append(path)
        for stem, paths in sorted(by_notebook.items()):
            if len(paths) == 1:
                matched.append(Submission(student.name, paths[0], stem))
            else:
                names = ", ".join(str(path.relative_to(student)) for path in paths)
                reason = f"{len(paths)} files match {stem} ({names}): keep one"
                unmatched += [Unmatched(student.name, path, reason) for path in paths]
    return matched, unmatched


COPY_SUFFIX = re.compile(r"(\s*\(\d+\)|[\s_-]*-?\s*copy(\s*\(?\d+\)?)?|[\s_-]+\d+)+$", re.IGNORECASE)


def _course_notebook(path: Path, stems: list[str]) -> str | None:
    """The course notebook a returned file is a copy of, by its metadata, else by its tolerantly read name; or None."""
    with contextlib.suppress(Exception):  # not JSON, not a notebook: then its name decides
        named = nbformat.read(path, as_version=4).metadata.get(notebooks.METADATA_KEY, {}).get("notebook")
        if named in stems:
            return named
    name = COPY_SUFFIX.sub("", path.stem).strip().lower()
    name = re.sub(r"[\s-]+", "_", name)
    return name if name in stems else None


def estimate_minutes(chosen: list[Submission], timings_path: Path = timings.TIMINGS) -> float:
    """About how long running ``chosen`` takes, from the course's measured run times.

    The run times are read from ``benchmarks/results/notebook_budgets.csv`` (the file the README's
    table is written from); a notebook it does not list counts :data:`UNMEASURED_SECONDS`.

    Raises:
        timings.TimingsError: If that file is missing or malformed, saying how to remake it.
    """
    measured = timings.seconds_by_notebook(timings_path)
    seconds = sum(measured.get(item.notebook, UNMEASURED_SECONDS) + START_SECONDS for item in chosen)
    return seconds / 60


def estimate_line(chosen: list[Submission], timings_path: Path = timings.TIMINGS) -> str:
    """The line that opens a grading run, e.g. ``"Grading 2 notebooks of 1 student, about 1 minute."``.

    When the timings file cannot be read the line says why instead of the estimate: the estimate is
    a courtesy, and a broken benchmark file never stops the grading.
    """
    students = len({item.student for item in chosen})
    what = f"Grading {_count(len(chosen), 'notebook')} of {_count(students, 'student')}"
    try:
        minutes = math.ceil(estimate_minutes(chosen, timings_path))
    except timings.TimingsError as error:
        return f"{what} (no time estimate: {error})."
    return f"{what}, about {_count(minutes, 'minute')}."


# --------------------------------------------------------------------------------------------
# Running one copy
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CellError:
    """A student's cell that raised, and the exercise it belongs to.

    Attributes:
        cell: The cell's number among the student's cells, from 1.
        text: The error, e.g. ``"NameError: name 'x' is not defined"``.
        exercise: The number of the exercise whose section holds the cell (``"2.1"``), or None in
            the lesson's own cells.
    """

    cell: int
    text: str
    exercise: str | None


def run_copy(path: Path, timeout: int = DEFAULT_TIMEOUT) -> tuple[list[dict], str, list[CellError]]:
    """Run a student's notebook as a student would, with the checks recorded.

    A cell that raises does not stop the run: the cells after it still run, so a mistake in one
    answer costs that exercise only (:func:`rows` attributes each error to its exercise). Only
    the time limit, or a kernel that dies, ends a run early.

    Args:
        path: The student's notebook; it is only read.
        timeout: Seconds for the whole notebook.

    Returns:
        The recorded check calls, in order; the notebook's status (``"ok"``, ``"error ..."`` or
        ``"timeout: ..."``); and the cells that raised. A crash never raises.
    """
    with (
        tempfile.TemporaryDirectory(prefix="course-grade-") as scratch,
        tempfile.TemporaryDirectory(prefix="course-grade-work-") as work,
    ):
        record = Path(scratch) / "checks.jsonl"
        try:
            notebook = nbformat.read(path, as_version=4)
        except Exception as error:  # not JSON, not a notebook, unreadable
            return [], f"error: cannot read the notebook: {_first_line(error)}", []
        working_folder(Path(work))
        with _student_kernel_environment(record):
            status, errors = _run_cells(notebook, timeout, Path(work))
        records, damage = _read_records(record)
        if damage is not None:
            return [], f"error: the verdicts were not counted: {damage} (was the record written to?)", errors
        return records, status, errors


def working_folder(folder: Path) -> None:
    """Fill the folder a student's copy runs in: the saved results the notebooks read, as ``release`` hands them out.

    A copy runs there, not in the course's ``notebooks/``: what its code writes, deletes or reads
    by a relative path is that folder's, and no instructor notebook (with its solutions) lies there.
    """
    for source, target in release.saved_results(notebooks.course_notebooks(), folder).items():
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)


def _run_cells(notebook: nbformat.NotebookNode, timeout: int, folder: Path) -> tuple[str, list[CellError]]:
    """Run the grader's cell, then each of the notebook's cells, until the deadline; the status and the cells that raised."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    student_cells = list(notebook.cells)
    notebook.cells.insert(0, nbformat.v4.new_code_cell(RECORDER_CELL))
    client = NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name="python3",
        shutdown_kernel="immediate",
        resources={"metadata": {"path": str(folder)}},
    )
    deadline, index, errors = time.monotonic() + timeout, 0, []
    try:
        with client.setup_kernel(stderr=subprocess.DEVNULL):  # the kernel's own log, not the cells' output
            for index, cell in enumerate(notebook.cells):
                client.timeout = math.ceil(deadline - time.monotonic())
                if client.timeout <= 0:
                    raise CellTimeoutError("deadline")
                try:
                    client.execute_cell(cell, index)
                except CellExecutionError as error:  # this cell only: the next ones still run
                    text = f"{error.ename}: {_first_line(error.evalue)}"
                    errors.append(CellError(index, text, exercise_of_cell(student_cells, index - 1)))
    except CellTimeoutError:
        return f"timeout: stopped after {timeout} s, in cell {index}", errors
    except DeadKernelError:
        return f"error in cell {index}: the kernel died (out of memory?)", errors
    except Exception as error:  # a kernel that does not start, ...
        return f"error: {type(error).__name__}: {_first_line(error)}", errors
    return "ok", errors


HEADING = re.compile(r"^#+\s+(.*)$", re.MULTILINE)
EXERCISE_TITLE = re.compile(r"Exercise\s+(\d+\.\d+)\b")


def exercise_of_cell(cells: list[nbformat.NotebookNode], index: int) -> str | None:
    """The exercise whose section holds cell ``index``: the last heading above it, if it is an exercise's; else None."""
    for cell in reversed(cells[:index]):
        headings = HEADING.findall(cell.source) if cell.cell_type == "markdown" else []
        if headings:
            found = EXERCISE_TITLE.match(headings[-1].strip())
            return found.group(1) if found else None
    return None


@contextlib.contextmanager
def _student_kernel_environment(record: Path) -> Iterator[None]:
    """A student's run: an empty training cache, the course's data, not the reference run."""
    with (
        tempfile.TemporaryDirectory() as empty,
        mock.patch.dict(
            os.environ, {results.CACHE_VARIABLE: empty, data.SOURCE_VARIABLE: "subset", RECORD_VARIABLE: str(record)}
        ),
    ):
        os.environ.pop(environment.REFERENCE_RUN_VARIABLE, None)  # patch.dict puts it back
        yield


def _read_records(record: Path) -> tuple[list[dict], str | None]:
    """The recorded check calls, and why the record cannot be trusted (a damaged or foreign line), or None.

    Every line must be what :func:`_recording` writes: an object with a check's name, a boolean
    verdict and a message. One that is not costs this notebook's verdicts, never the class's table.
    """
    if not record.exists():
        return [], None
    entries = []
    for number, line in enumerate(record.read_text(encoding="utf-8", errors="replace").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except ValueError:
            return [], f"line {number} of the grading record is not JSON"
        if not _is_record(entry):
            return [], f"line {number} of the grading record is not a check's verdict"
        entries.append(entry)
    return entries, None


def _is_record(entry: object) -> bool:
    return (
        isinstance(entry, dict)
        and isinstance(entry.get("check"), str)
        and isinstance(entry.get("passed"), bool)
        and isinstance(entry.get("message"), str)
    )


def _first_line(error: object) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


# --------------------------------------------------------------------------------------------
# Rows and tables
# --------------------------------------------------------------------------------------------


def rows(item: Submission, records: list[dict], status: str, errors: list[CellError] = ()) -> list[dict]:
    """One row per checked exercise of the notebook; the last call of each check counts.

    A row's status is the first error raised in its exercise's section, else the notebook's status
    when it is not ``"ok"`` (a time limit, a dead kernel), else ``"ok"``, noting an error raised in
    the lesson's own cells (which may be why a later check did not run).
    """
    latest = {record["check"]: record for record in records}
    outside = next((error for error in errors if error.exercise is None), None)
    table = []
    for exercise in checked_exercises(item.notebook):
        own = next((error for error in errors if error.exercise == exercise.number), None)
        if own is not None:
            row_status = f"error in cell {own.cell}: {own.text}"
        elif status != "ok" or outside is None:
            row_status = status
        else:
            row_status = f"ok (cell {outside.cell}, outside the exercises, raised {outside.text})"
        found = [latest[name] for name in _check_names(exercise) if name in latest]
        if not found:
            passed, message = NOT_RUN, "its check did not run" + ("" if row_status == "ok" else f" ({row_status})")
        else:
            passed = "yes" if all(record["passed"] for record in found) else "no"
            message = " ".join(record["message"] for record in found)
        values = (item.student, item.notebook, exercise.number, exercise.title, passed, message, row_status)
        table.append(dict(zip(COLUMNS, values)))
    return table


def grade(chosen: list[Submission], timeout: int = DEFAULT_TIMEOUT, say: Callable[[str], None] = print) -> pd.DataFrame:
    """Run every submission and collect its rows, saying one line per notebook.

    Returns:
        A table with :data:`COLUMNS`, one row per student, notebook and checked exercise.
    """
    table = []
    for number, item in enumerate(chosen, start=1):
        started = time.perf_counter()
        records, status, errors = run_copy(item.path, timeout)
        found = rows(item, records, status, errors)
        if errors:
            status = f"{status}, {_count(len(errors), 'cell')} raised"
        passed = sum(row["passed"] == "yes" for row in found)
        seconds = time.perf_counter() - started
        where = f"[{number}/{len(chosen)}] {item.student}/{item.path.name}"
        say(f"{where}: {passed} of {len(found)} passed, {status} ({seconds:.0f} s)")
        table += found
    return pd.DataFrame(table, columns=COLUMNS)


def summary(table: pd.DataFrame) -> pd.DataFrame:
    """Students × exercises: ✓ passed, ✗ not passed, – not run."""
    marks = table.assign(mark=table["passed"].map(MARKS))
    order = sorted(table["exercise"].unique(), key=lambda number: tuple(int(part) for part in number.split(".")))
    wide = marks.pivot(index="student", columns="exercise", values="mark").reindex(columns=order)
    return wide.fillna(MARKS[NOT_RUN])


def check_output(output: Path, force: bool) -> None:
    """Refuse an output that is a folder, or a file already there without ``force``.

    Raises:
        GradeError: Saying what to do.
    """
    if output.is_dir():
        raise GradeError(f"--output {output} is a folder; give a file such as {output / DEFAULT_NAME}")
    if output.suffix.lower() != ".csv":
        raise GradeError(f"--output {output} must end in .csv")
    if output.exists() and not force:
        raise GradeError(
            f"{output} already exists: nothing graded. Pass --force to replace it (kept first as NAME.bak-<time>), "
            "or give another --output."
        )


def write(table: pd.DataFrame, output: Path) -> Path | None:
    """Write ``table`` to ``output``, keeping a file already there as ``NAME.bak-<time>``; that backup, or None."""
    backup = None
    if output.exists():
        backup = release.backup_path(output, time.strftime("%Y%m%d-%H%M%S"))
        output.rename(backup)
    partial = output.with_name(f".{output.name}.partial")
    table.to_csv(partial, index=False)
    partial.replace(output)
    return backup


def _close_the_working_folder() -> None:
    """Never import a file a student's code wrote: load what the grader imports later, and drop the working folder.

    ``python -m`` puts the folder it was started from first on ``sys.path``, and a student's kernel
    may write there (``tabulate.py``, which pandas imports for the summary table). The course is
    loaded by now, so the grader needs that folder no more.
    """
    import tabulate  # noqa: F401  (pandas' to_markdown imports it after the students' runs)

    working = Path.cwd().resolve()
    sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != working]


def _count(number: int, thing: str) -> str:
    return f"{number} {thing}{'' if number == 1 else 's'}"


def main(folder: Path, output: Path, timeout: int = DEFAULT_TIMEOUT, force: bool = False) -> int:
    """Grade ``folder`` into ``output`` and print the summary; the exit code.

    Raises:
        GradeError: Before any work, for a folder or an output that cannot be used.
    """
    problem = layout_problem(folder)
    if problem:
        raise GradeError(problem)
    check_output(output, force)
    _close_the_working_folder()
    chosen, left_out = match_files(folder)
    print(estimate_line(chosen))
    table = grade(chosen, timeout)
    backup = write(table, output)
    print()
    print(summary(table).to_markdown())
    print(f"\n✓ passed, ✗ not passed, – not run. One row per student and exercise in {output}.")
    if backup is not None:
        print(f"The previous {output.name} is kept as {backup.name}.")
    for item in left_out:
        print(f"Not graded: {item.student}/{item.path.relative_to(folder / item.student)}: {item.reason}.")
    return 0
