"""Grade students' copies: run each in a fresh kernel, its checks put back, and record every check's verdict.

``python -m course_utils grade FOLDER`` expects one sub-folder per student, named by the student's
id, holding that student's notebooks as ``release`` wrote them (``NN_name.ipynb``)::

    FOLDER/
        ada/02_one_hidden_layer.ipynb
        ada/03_two_hidden_layers.ipynb
        grace/02_one_hidden_layer.ipynb

Only notebooks with checked exercises (the registry's) are run, ``--jobs`` at a time. First, the
lessons' own models are trained once, by the copies ``release`` makes (the instructor's code),
into a training cache each student's run gets a copy of. Then each student's notebook runs as
:mod:`course_utils.maintain.grade_run` describes: its check cells put back from the instructor's
copy, its verdicts shown by the grader's own cells, in a folder and a worker process of its own,
within time and memory limits. A cell that raises does not stop the run: its error is put on the
exercise whose section holds the cell, and the exercises after it are still checked.
"""

from __future__ import annotations

import contextlib
import math
import re
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pandas as pd

from course_utils.exercises import registry
from course_utils.maintain import grade_run, gradebook, notebooks, timings

DEFAULT_TIMEOUT = grade_run.DEFAULT_TIMEOUT
DEFAULT_NAME = "grades.csv"
COLUMNS = ("student", "notebook", "exercise", "title", "passed", "score", "message", "status")
NOT_RUN = "not run"
MARKS = {"yes": "✓", "no": "✗", NOT_RUN: "–"}
# A kernel's start-up, added to each notebook's measured run time; and the guess for a notebook
# the timings file does not list yet (a new one), about the slowest measured notebook's time.
START_SECONDS = 5
UNMEASURED_SECONDS = 30


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


def estimate_minutes(chosen: list[Submission], timings_path: Path = timings.TIMINGS, jobs: int = 1) -> float:
    """About how long running ``chosen`` takes, ``jobs`` at a time, from the course's measured run times.

    The run times are read from ``benchmarks/results/notebook_budgets.csv`` (the file the README's
    table is written from); a notebook it does not list counts :data:`UNMEASURED_SECONDS`. The
    instructor's run of each notebook (which fills the shared training cache) counts once more.
    A student's run that finds its models trained is faster than its notebook's measured time, so
    this errs long.

    Raises:
        timings.TimingsError: If that file is missing or malformed, saying how to remake it.
    """
    measured = timings.seconds_by_notebook(timings_path)
    runs = [item.notebook for item in chosen] + sorted({item.notebook for item in chosen})
    seconds = sum(measured.get(notebook, UNMEASURED_SECONDS) + START_SECONDS for notebook in runs)
    return seconds / 60 / max(1, min(jobs, len(chosen)))


def estimate_line(chosen: list[Submission], timings_path: Path = timings.TIMINGS, jobs: int = 1) -> str:
    """The line that opens a grading run, e.g. ``"Grading 2 notebooks of 1 student, about 1 minute."``.

    When the timings file cannot be read the line says why instead of the estimate: the estimate is
    a courtesy, and a broken benchmark file never stops the grading.
    """
    students = len({item.student for item in chosen})
    what = f"Grading {_count(len(chosen), 'notebook')} of {_count(students, 'student')}, {jobs} at a time"
    try:
        minutes = math.ceil(estimate_minutes(chosen, timings_path, jobs))
    except timings.TimingsError as error:
        return f"{what} (no time estimate: {error})."
    return f"{what}, about {_count(minutes, 'minute')}."


# --------------------------------------------------------------------------------------------
# Rows and tables
# --------------------------------------------------------------------------------------------


def rows(item: Submission, outcome: grade_run.Outcome) -> list[dict]:
    """One row per checked exercise of the notebook; the last verdict of each check counts.

    An exercise's score is the mean of its checks' scores, lowered to the mean of its hidden checks'
    scores when that is lower (a hidden check can only take points away); it passes when every
    check passed. A row's status is the first error raised in its exercise's section, else the
    notebook's status when it is not ``"ok"`` (a time limit, a dead kernel), else ``"ok"``, noting
    an error raised in the lesson's own cells (which may be why a later check did not pass). What
    the grader noticed (a changed check, a changed package) is added to every row's status.
    """
    latest = {record["check"]: record for record in outcome.records}
    outside = next((error for error in outcome.errors if error.exercise is None), None)
    table = []
    for exercise in checked_exercises(item.notebook):
        row_status = _row_status(exercise, outcome, outside)
        course = [latest[name] for name in _check_names(exercise) if name in latest]
        hidden = [record for name, record in sorted(latest.items()) if name.startswith(f"hidden:{exercise.number}:")]
        found = course + hidden
        if not found:
            passed, score = NOT_RUN, math.nan
            message = "its check did not run" + ("" if row_status == "ok" else f" ({row_status})")
        else:
            passed = "yes" if all(record["passed"] for record in found) else "no"
            score = round(min(_mean_score(group) for group in (course, hidden) if group), 4)
            message = " ".join(record["message"] for record in found if record["message"])
        values = (item.student, item.notebook, exercise.number, exercise.title, passed, score, message, row_status)
        table.append(dict(zip(COLUMNS, values)))
    return table


def _mean_score(records: list[dict]) -> float:
    return sum(record["score"] for record in records) / len(records)


def _row_status(exercise: registry.Exercise, outcome: grade_run.Outcome, outside: grade_run.CellError | None) -> str:
    own = next((error for error in outcome.errors if error.exercise == exercise.number), None)
    if own is not None:
        status = f"error in cell {own.cell}: {own.text}"
    elif outcome.status != "ok" or outside is None:
        status = outcome.status
    else:
        status = f"ok (cell {outside.cell}, outside the exercises, raised {outside.text})"
    return "; ".join([status, *(f"flagged: {flag}" for flag in outcome.flags)])


def _say_line(item: Submission, found: list[dict], outcome: grade_run.Outcome, seconds: float) -> str:
    status = outcome.status
    if outcome.errors:
        status = f"{status}, {_count(len(outcome.errors), 'cell')} raised"
    if outcome.restored:
        status = f"{status}, {_count(outcome.restored, 'check cell')} put back"
    if outcome.flags:
        status = f"{status}, FLAGGED: {'; '.join(outcome.flags)}"
    passed = sum(row["passed"] == "yes" for row in found)
    return f"{item.student}/{item.path.name}: {passed} of {len(found)} passed, {status} ({seconds:.0f} s)"


def fill_shared_cache(chosen: list[Submission], setup: grade_run.Setup, jobs: int, say: Callable[[str], None]) -> None:
    """Train the lesson's own models once, from the student copy ``release`` makes, into the cache every run copies.

    The instructor's code fills it, never a student's: a run gets a copy, so what one student's
    code writes there reaches no other student.
    """
    stems = sorted({item.notebook for item in chosen})
    say(f"Training the lessons' models once for all students ({_count(len(stems), 'notebook')})...")

    def one(stem: str) -> None:
        try:
            outcome, _ = grade_run.run(grade_run.instructor_copy(stem), setup, cache=setup.cache)
            status = outcome["status"]
        except Exception as error:  # the students' runs then train what they need themselves
            status = f"error: {type(error).__name__}: {error}"
        say(f"  {stem}: {status}")

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        list(pool.map(one, stems))


def grade(
    chosen: list[Submission], setup: grade_run.Setup, jobs: int = 1, say: Callable[[str], None] = print
) -> pd.DataFrame:
    """Run every submission, ``jobs`` at a time, and collect its rows, saying one line per notebook.

    Returns:
        A table with :data:`COLUMNS`, one row per student, notebook and checked exercise.
    """
    lock, done, table = threading.Lock(), [0], {}

    def one(index: int, item: Submission) -> None:
        started = time.perf_counter()
        outcome = grade_run.run_copy(item.path, item.notebook, setup)
        found = rows(item, outcome)
        with lock:  # one line at a time, and the package checked between runs
            done[0] += 1
            say(f"[{done[0]}/{len(chosen)}] {_say_line(item, found, outcome, time.perf_counter() - started)}")
            table[index] = found

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        list(pool.map(one, range(len(chosen)), chosen))
    return pd.DataFrame([row for index in sorted(table) for row in table[index]], columns=COLUMNS)


def summary(table: pd.DataFrame, book: pd.DataFrame | None = None) -> pd.DataFrame:
    """Students × exercises: ✓ passed, ✗ not passed, – not run; with ``book``, each student's points too."""
    marks = table.assign(mark=table["passed"].map(MARKS))
    order = sorted(table["exercise"].unique(), key=lambda number: tuple(int(part) for part in number.split(".")))
    wide = marks.pivot(index="student", columns="exercise", values="mark").reindex(columns=order)
    wide = wide.fillna(MARKS[NOT_RUN])
    if book is not None:
        totals = gradebook.totals(book).set_index("student")
        wide["points"] = [_points_text(totals.loc[student]) for student in wide.index]
    return wide


def _points_text(total: pd.Series) -> str:
    text = f"{total['earned']:g} of {total['possible']:g}"
    return text + (f" ({total['open_points']:g} by hand)" if total["open_items"] else "")


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


def read_hidden_checks(path: Path | None) -> str:
    """The instructor's hidden checks file, checked to compile; "" without one.

    Raises:
        GradeError: If it cannot be read, does not compile or defines no ``HIDDEN_CHECKS``.
    """
    if path is None:
        return ""
    try:
        source = path.read_text(encoding="utf-8")
        compile(source, str(path), "exec")
    except (OSError, SyntaxError, ValueError) as error:
        raise GradeError(f"--hidden-checks {path}: {type(error).__name__}: {error}") from None
    if "HIDDEN_CHECKS" not in source:
        raise GradeError(
            f"--hidden-checks {path} defines no HIDDEN_CHECKS: a list of (exercise number, check function, "
            'arguments as the notebook names them), e.g. HIDDEN_CHECKS = [("3.1", my_check, "my_encoder")]'
        )
    return source


@dataclass(frozen=True)
class Options:
    """How to grade: seconds and memory per notebook, notebooks at a time, the hidden checks' file."""

    timeout: int = DEFAULT_TIMEOUT
    jobs: int = 1
    memory_gb: float = grade_run.DEFAULT_MEMORY_GB
    hidden_checks: Path | None = None


def main(folder: Path, output: Path, options: Options = Options(), force: bool = False) -> int:
    """Grade ``folder`` into ``output`` and print the summary; the exit code.

    Raises:
        GradeError: Before any work, for a folder, an output or a hidden checks file that cannot be used.
    """
    problem = layout_problem(folder)
    if problem:
        raise GradeError(problem)
    check_output(output, force)
    hidden = read_hidden_checks(options.hidden_checks)
    _close_the_working_folder()
    chosen, left_out = match_files(folder)
    print(estimate_line(chosen, jobs=options.jobs))
    with tempfile.TemporaryDirectory(prefix="course-grade-cache-") as cache:
        setup = grade_run.Setup(
            grade_run.read_package(), Path(cache), options.timeout, int(options.memory_gb * 2**30), hidden
        )
        fill_shared_cache(chosen, setup, options.jobs, print)
        table = grade(chosen, setup, options.jobs)
    book = gradebook.gradebook(table)
    written = {output: gradebook.write(book, output), **gradebook.write_exports(book, output)}
    print()
    print(summary(table, book).to_markdown())
    print(
        f"\n✓ passed, ✗ not passed, – not run. One row per student and exercise, the rows to grade by hand and "
        f"each student's total in {output}; for Canvas and Moodle: "
        f"{', '.join(path.name for path in list(written)[1:])} (see the instructor guide)."
    )
    for path, backup in written.items():
        if backup is not None:
            print(f"The previous {path.name} is kept as {backup.name}.")
    for item in left_out:
        print(f"Not graded: {item.student}/{item.path.relative_to(folder / item.student)}: {item.reason}.")
    return 0
