"""Run a student's notebook for grading: its check cells restored, its verdicts from the grader's own cells.

What a run does, and why (see :mod:`course_utils.maintain.grade` for the whole command):

- **Check cells restored.** Every cell of the instructor's copy that calls a check (found as
  ``release`` finds it) is put back: a student cell with the same id, or one that calls the same
  check, is replaced; a missing one is inserted after the cell that came before it. A cell the
  instructor's copy tags ``locked`` is restored the same way.
- **Verdicts from the grader's cells.** Each check cell runs as
  :func:`course_utils.maintain.grade_kernel.check`, with the check kept before the student's first
  cell; its verdict is a display output of a type only the grader reads, and only the grader's
  cells' outputs are read. The instructor's hidden checks, if any, run after the last cell.
- **A course package the student cannot change.** The package's files are read once, when grading
  starts; each run imports a fresh copy of them, so a change a run makes to the installed package
  reaches no other run. Such a change is named (as a flag on that student's rows), not undone: the
  instructor may be editing the package too.
- **A folder of its own.** The notebook runs in a temporary folder holding only the saved results,
  with a temporary home folder, a copy of the training cache the instructor's own run filled, time
  and memory limits, and every process it started ended (see
  :mod:`course_utils.maintain.grade_worker`).
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import nbformat

import course_utils
from course_utils import data, environment, results
from course_utils.exercises import registry
from course_utils.maintain import grade_kernel, grade_worker, notebooks, release

DEFAULT_TIMEOUT = 600
DEFAULT_MEMORY_GB = 6.0
LOCKED_TAG = "locked"
GRADER = "__import__('course_utils.maintain.grade_kernel', fromlist=['check'])"
START_CELL = f"{GRADER}.start()"
# Seconds a worker may take beyond the notebook's own limit (its kernel's start and end).
WORKER_SLACK = 120


@dataclass(frozen=True)
class CellError:
    """A student's cell that raised, and the exercise it belongs to.

    Attributes:
        cell: The cell's number among the student's cells, from 1 (0 for a cell the grader put back).
        text: The error, e.g. ``"NameError: name 'x' is not defined"``.
        exercise: The number of the exercise whose section holds the cell (``"2.1"``), or None in
            the lesson's own cells.
    """

    cell: int
    text: str
    exercise: str | None


@dataclass(frozen=True)
class Outcome:
    """What one run gave: the verdicts in order, the status, the cells that raised, and what the grader noticed."""

    records: list[dict]
    status: str
    errors: list[CellError]
    restored: int = 0
    flags: tuple[str, ...] = ()


@dataclass
class Setup:
    """What every run of one grading shares.

    Attributes:
        package: The course package's files (relative path -> bytes), read when grading started.
        cache: The training cache the instructor's own runs filled; each run gets a copy.
        timeout: Seconds for a whole notebook.
        memory_bytes: Memory a notebook's processes may use together.
        hidden: The instructor's hidden checks (Python source), or "".
    """

    package: dict[str, bytes]
    cache: Path
    timeout: int = DEFAULT_TIMEOUT
    memory_bytes: int = int(DEFAULT_MEMORY_GB * 2**30)
    hidden: str = ""


def package_root() -> Path:
    """The installed course package's folder."""
    return Path(course_utils.__file__).resolve().parent


def read_package(root: Path | None = None) -> dict[str, bytes]:
    """Every file of the course package (not its caches), by path relative to its parent folder."""
    root = root or package_root()
    return {
        str(path.relative_to(root.parent)): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


def write_package(files: dict[str, bytes], folder: Path) -> None:
    """Write the package's files under ``folder`` (which then goes first on ``PYTHONPATH``)."""
    for relative, content in files.items():
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)


def package_changes(before: dict[str, bytes], root: Path | None = None) -> list[str]:
    """The installed package's files that differ from ``before`` (added, changed or removed).

    They are named, never put back: the instructor may be editing the package at the same time,
    and the runs import their own copy of it anyway.
    """
    now = read_package(root)
    return sorted(name for name in before.keys() | now.keys() if before.get(name) != now.get(name))


# --------------------------------------------------------------------------------------------
# The notebook the grader runs
# --------------------------------------------------------------------------------------------


@functools.cache
def instructor_copy(notebook: str) -> nbformat.NotebookNode:
    """The student copy ``release`` makes of a course notebook: the cells a student received."""
    return release.prepare(notebooks.NOTEBOOK_DIR / f"{notebook}.ipynb")[0]


def _restorable(cell: nbformat.NotebookNode) -> bool:
    return cell.cell_type == "code" and (release.is_check(cell) or LOCKED_TAG in cell.metadata.get("tags", []))


def grader_source(source: str) -> str | None:
    """The grader's cell for a cell that calls checks: one :func:`grade_kernel.check` per check it calls; or None."""
    lines = []
    for exercise in registry.all_exercises():
        calls = [call for call in exercise.calls if call.is_check]
        for index, call in enumerate(calls):
            if re.search(rf"\b{re.escape(call.name)}\s*\(", source):
                lines.append(f"{GRADER}.check({exercise.number!r}, {index})")
    return "\n".join(lines) or None


def graded_notebook(
    student: nbformat.NotebookNode, notebook: str, hidden: str = ""
) -> tuple[nbformat.NotebookNode, list[int | None], int]:
    """The notebook the grader runs for a student's copy of ``notebook``.

    Returns:
        The notebook; for each of its cells, the student's cell number (from 1), or None for a
        cell of the grader; and how many check or locked cells were put back or changed back.
    """
    canonical = [cell for cell in instructor_copy(notebook).cells if _restorable(cell)]
    by_id = {cell.get("id"): cell for cell in canonical}
    cells, origin, restored, present, checked = [], [], 0, set(), set()
    for number, cell in enumerate(student.cells, start=1):
        original = by_id.get(cell.get("id")) if cell.cell_type == "code" else None
        if original is not None:  # the instructor's cell, put back
            present.add(original.get("id"))
            restored += cell.source != original.source
            cell = original
        source = grader_source(cell.source) if cell.cell_type == "code" else None
        if original is not None and source is not None:
            cells.append(nbformat.v4.new_code_cell(source))
            origin.append(None)
            continue
        cells.append(cell)
        origin.append(number)
        if source is not None:  # a student's own call of a check: the grader checks right after it
            cells.append(nbformat.v4.new_code_cell(source))
            origin.append(None)
            checked.update(source.splitlines())
    for missing in canonical:
        source = grader_source(missing.source)
        if missing.get("id") in present or (source and set(source.splitlines()) <= checked):
            continue
        position = _insertion_point(cells, instructor_copy(notebook).cells, missing)
        cells.insert(position, nbformat.v4.new_code_cell(source) if source is not None else missing)
        origin.insert(position, None)
        restored += 1
    cells.insert(0, nbformat.v4.new_code_cell(START_CELL))
    origin.insert(0, None)
    if hidden:
        cells.append(nbformat.v4.new_code_cell(f"{GRADER}.hidden({hidden!r})"))
        origin.append(None)
    graded = nbformat.v4.new_notebook(cells=cells, metadata=student.metadata)
    return graded, origin, restored


def _insertion_point(cells: list, instructor_cells: list, missing: nbformat.NotebookNode) -> int:
    """Just after the cell that comes before ``missing`` in the instructor's copy, if the student kept it; else the end."""
    ids = [cell.get("id") for cell in cells]
    before = [cell.get("id") for cell in instructor_cells]
    for earlier in reversed(before[: before.index(missing.get("id"))]):
        if earlier in ids:
            return ids.index(earlier) + 1
    return len(cells)


# --------------------------------------------------------------------------------------------
# Running it
# --------------------------------------------------------------------------------------------


def working_folder(folder: Path) -> None:
    """Fill the folder a student's copy runs in: the saved results the notebooks read, as ``release`` hands them out.

    A copy runs there, not in the course's ``notebooks/``: what its code writes, deletes or reads
    by a relative path is that folder's, and no instructor notebook (with its solutions) lies there.
    """
    for source, target in release.saved_results(notebooks.course_notebooks(), folder).items():
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)


def kernel_environment(job: Path, cache: Path) -> dict[str, str]:
    """A student's run: a fresh package copy first on the path, a home and a training cache of its own, the course's data."""
    home = job / "home"
    home.mkdir(exist_ok=True)
    matplotlib_cache = Path(os.environ.get("MPLCONFIGDIR") or Path.home() / ".cache" / "matplotlib")
    if matplotlib_cache.is_dir():  # its font list: without it every run rebuilds it
        shutil.copytree(matplotlib_cache, home / "matplotlib", dirs_exist_ok=True)
    path = os.pathsep.join(filter(None, [str(job / "package"), os.environ.get("PYTHONPATH")]))
    keras_home = os.environ.get("KERAS_HOME") or str(Path.home() / ".keras")  # the datasets Keras keeps, read only
    environment_ = {
        **os.environ,
        "HOME": str(home),
        "MPLCONFIGDIR": str(home / "matplotlib"),
        "KERAS_HOME": keras_home,
        "PYTHONPATH": path,
        "PWD": str(job / "work"),
        results.CACHE_VARIABLE: str(cache),
        data.SOURCE_VARIABLE: "subset",
    }
    environment_.pop(environment.REFERENCE_RUN_VARIABLE, None)
    return environment_


def run(notebook: nbformat.NotebookNode, setup: Setup, cache: Path | None = None) -> tuple[dict, nbformat.NotebookNode]:
    """Run ``notebook`` in a worker process of its own, in a fresh folder; the worker's outcome and the run notebook.

    Args:
        notebook: What to run (made by :func:`graded_notebook`).
        setup: The grading's shared setup.
        cache: The training cache to use as it is (the instructor's run fills the shared one); by
            default a copy of the shared cache, thrown away after the run.
    """
    with (
        tempfile.TemporaryDirectory(prefix="course-grade-") as scratch,
        tempfile.TemporaryDirectory(prefix="course-grade-control-") as control_folder,
    ):
        job, control = Path(scratch), Path(control_folder)  # what the kernel may see; what only the grader uses
        (job / "work").mkdir()
        working_folder(job / "work")
        write_package(setup.package, job / "package")
        if cache is None:
            cache = job / "cache"
            shutil.copytree(setup.cache, cache)
        nbformat.write(notebook, control / "in.ipynb")
        description = {
            "notebook": str(control / "in.ipynb"),
            "output_notebook": str(control / "out.ipynb"),
            "output": str(control / "outcome.json"),
            "folder": str(job / "work"),
            "timeout": setup.timeout,
            "memory_bytes": setup.memory_bytes,
        }
        (control / "job.json").write_text(json.dumps(description), encoding="utf-8")
        command = [sys.executable, "-m", "course_utils.maintain.grade_worker", str(control / "job.json")]
        before = read_package()
        try:
            subprocess.run(
                command,
                env=kernel_environment(job, cache),
                cwd=job,
                timeout=setup.timeout + WORKER_SLACK,
                capture_output=True,
                check=False,
            )
            outcome = json.loads((control / "outcome.json").read_text(encoding="utf-8"))
            ran = nbformat.read(control / "out.ipynb", as_version=4)
        except Exception as error:  # a worker that hangs or dies
            return {"status": f"error: the grader's worker failed: {type(error).__name__}", "errors": []}, notebook
        changes = package_changes(before)
        if changes:
            outcome["changed_package"] = changes
        return outcome, ran


def run_copy(path: Path, notebook: str, setup: Setup) -> Outcome:
    """Grade one student's copy of ``notebook``: restore, run, read the grader's verdicts. A crash never raises."""
    try:
        student = nbformat.read(path, as_version=4)
    except Exception as error:  # not JSON, not a notebook, unreadable
        return Outcome([], f"error: cannot read the notebook: {grade_worker.first_line(error)}", [])
    graded, origin, restored = graded_notebook(student, notebook, setup.hidden)
    outcome, ran = run(graded, setup)
    errors = [_cell_error(ran.cells, origin, error) for error in outcome.get("errors", [])]
    records, damage = verdicts(ran.cells, origin)
    flags = tuple(
        f"the installed course package's {name} changed while this notebook ran: if you did not change it, "
        "restore it (git checkout, or reinstall)"
        for name in outcome.get("changed_package", [])
    )
    if damage is not None:
        return Outcome([], f"error: the verdicts were not counted: {damage}", errors, restored, flags)
    if any(record.get("tampered") for record in records):
        flags += ("the notebook's code changed the course's checks: its verdicts were not counted",)
    return Outcome(records, outcome["status"], errors, restored, flags)


def _cell_error(cells: list, origin: list[int | None], error: dict) -> CellError:
    index = error["cell"]
    return CellError(origin[index] or 0, error["text"], exercise_of_cell(cells, index))


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


def verdicts(cells: list[nbformat.NotebookNode], origin: list[int | None]) -> tuple[list[dict], str | None]:
    """The verdicts the grader's cells showed, in order, and why they cannot be trusted (or None).

    Only the grader's own cells are read; a verdict-like output of a student's cell counts nothing.
    """
    found = []
    for cell, number in zip(cells, origin):
        if number is not None or cell.cell_type != "code":
            continue
        for output in cell.get("outputs", []):
            entry = output.get("data", {}).get(grade_kernel.MIME) if output.get("output_type") == "display_data" else None
            if entry is None:
                continue
            if not is_verdict(entry):
                return [], "a grader's cell showed a verdict that is not one"
            found.append(dict(entry))
    return found, None


def is_verdict(entry: object) -> bool:
    """Whether ``entry`` is what :func:`grade_kernel.check` shows: a check's name, a bool, a score in [0, 1], a message."""
    return (
        isinstance(entry, dict)
        and isinstance(entry.get("check"), str)
        and isinstance(entry.get("passed"), bool)
        and isinstance(entry.get("score"), (int, float))
        and 0 <= entry["score"] <= 1
        and isinstance(entry.get("message"), str)
    )
