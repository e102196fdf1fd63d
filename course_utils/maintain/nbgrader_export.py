"""An nbgrader course folder made from the course notebooks, for instructors who grade with nbgrader.

``python -m course_utils release --format nbgrader`` writes, into an output folder that nbgrader
then uses as its course folder::

    FOLDER/
        nbgrader_config.py          the settings below; nbgrader reads it from the folder it runs in
        README.txt                  the nbgrader commands that follow
        source/01_introduction/     one assignment per notebook: the instructor version and the
            01_introduction.ipynb   saved results it reads (results/)
            results/...

Each source notebook is the notebook's student copy (:func:`~course_utils.maintain.release.prepare`:
claim cells left out, check outputs cleared, every leak refused) with nbgrader's cell metadata:

- a solution cell (tagged ``solution``) holds the student copy's placeholder (``my_encoder = ...``)
  and, after it, the instructor's solution between ``### BEGIN SOLUTION`` and ``### END SOLUTION``.
  ``nbgrader generate_assignment`` replaces that region with :data:`CODE_STUB`, a comment (the
  ``nbgrader_config.py`` written here says so; nbgrader's default stub raises
  ``NotImplementedError``), so the student version runs from top to bottom like a release copy
  and each check says "not answered yet";
- a check cell (one that calls a check of the exercise registry) becomes an autograded test cell
  worth the exercise's points from the registry. It shows the check's feedback as in any copy, and
  its value is the points earned, ``CheckResult.score`` times the exercise's points (nbgrader reads
  a number a test cell gives as partial credit). Only when nbgrader runs it (``nbgrader autograde``
  or ``validate`` set ``NBGRADER_EXECUTION``) does it raise for an answer that earns nothing, so
  that a student's own run never stops;
- every other cell is locked: nbgrader puts its source back before it grades.

No ``.py`` pair is written: nbgrader hands out every file of an assignment's source folder.
Nothing is lost in silence: a file already in the folder that would change is only replaced with
``force``, after it has been kept as ``NAME.bak-YYYYmmdd-HHMMSS`` next to it.
"""

from __future__ import annotations

import ast
import copy
import filecmp
import json
import re
import shutil
import sys
import textwrap
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from course_utils.exercises import registry
from course_utils.maintain import notebooks, release

DEFAULT_OUTPUT = Path("build/nbgrader")  # git ignores build/
SOURCE_FOLDER = "source"  # nbgrader's default CourseDirectory.source_directory
CONFIG_NAME = "nbgrader_config.py"
README_NAME = "README.txt"
SCHEMA_VERSION = 3  # nbgrader 0.9's cell metadata schema
# nbgrader's default solution delimiters (ClearSolutions.begin/end_solution_delimeter find these words in a line).
BEGIN_WORDS, END_WORDS = "BEGIN SOLUTION", "END SOLUTION"
BEGIN_SOLUTION, END_SOLUTION = f"### {BEGIN_WORDS}", f"### {END_WORDS}"
# What a removed solution leaves: a comment, so that the placeholders above it keep the notebook running.
CODE_STUB = "# YOUR CODE HERE"
EXECUTION_VARIABLE = "NBGRADER_EXECUTION"  # set by nbgrader autograde and validate while they run a notebook


@dataclass
class AssignmentReport:
    """What one nbgrader assignment contains.

    Attributes:
        source: The instructor notebook it was made from.
        target: The source notebook written (None until written).
        solutions: The exercises whose solutions nbgrader removes, e.g. ``["Exercise 3.1"]``.
        graded: The autograded exercises and their points, e.g. ``{"Exercise 3.1": 3}``.
        locked: How many cells nbgrader restores before it grades.
        removed_claims: How many cells that check the text's claims were left out.
        warnings: For example a stale ``.ipynb`` whose outputs could not all be used.
        results: The saved results written into the assignment.
    """

    source: Path
    target: Path | None = None
    solutions: list[str] = field(default_factory=list)
    graded: dict[str, int] = field(default_factory=dict)
    locked: int = 0
    removed_claims: int = 0
    warnings: list[str] = field(default_factory=list)
    results: list[Path] = field(default_factory=list)


def cell_metadata(
    grade_id: str, *, solution: bool = False, grade: bool = False, locked: bool = False, points: int | None = None
) -> dict:
    """nbgrader's metadata of a cell (schema 3): ``points`` only for a graded cell, as the schema wants."""
    metadata = {"grade": grade, "grade_id": grade_id, "locked": locked, "solution": solution}
    metadata["schema_version"] = SCHEMA_VERSION
    if grade:
        metadata["points"] = points
    return metadata


def solution_source(placeholder: str, solution: str) -> str:
    """A solution cell: the student copy's placeholder, then the solution between nbgrader's delimiters.

    Raises:
        ReleaseError: If the solution itself holds a delimiter (nbgrader would refuse it).
    """
    if BEGIN_WORDS in solution or END_WORDS in solution:
        raise release.ReleaseError(f"a solution holds nbgrader's {BEGIN_WORDS!r} or {END_WORDS!r}: {solution[:80]!r}")
    return f"{placeholder}\n{BEGIN_SOLUTION}\n{solution.rstrip()}\n{END_SOLUTION}"


def graded_check_source(source: str, exercise: registry.Exercise) -> str:
    """A check cell as an nbgrader test cell: the check's feedback, and under nbgrader the points it earns.

    The cell's last statement, the check's call, is kept as the student copy has it; its result is
    shown with ``display``. The cell's value is the points earned (``CheckResult.score`` times the
    exercise's points, a plain float), which nbgrader reads as partial credit. It is the value in a
    student's own run too: a cell without one would earn full points from nbgrader, so no setting
    of the kernel may turn it off. Only while nbgrader runs the notebook (``NBGRADER_EXECUTION``)
    does the cell raise for an answer that earns nothing, so that its traceback shows in formgrader
    and in the Validate button's report, while a student's own run never stops. A test cell that
    writes to stderr gets no credit from nbgrader, so a warning the check prints goes to stdout.

    Args:
        source: The check cell's code, ending in the check's call.
        exercise: The exercise the check judges.

    Raises:
        ReleaseError: If the cell does not end with an expression (the check's call).
    """
    try:
        statements = ast.parse(source).body
    except SyntaxError:
        statements = []
    last = statements[-1] if statements else None
    lines = source.splitlines()
    if not isinstance(last, ast.Expr) or lines[last.lineno - 1][: last.col_offset].strip():
        raise release.ReleaseError(
            f"the check cell of Exercise {exercise.number} must end with its check's call: {source!r}"
        )
    result, points = graded_names(exercise)
    before = "\n".join(lines[: last.lineno - 1]).rstrip()
    call = textwrap.indent(f"{result} = {ast.get_source_segment(source, last.value)}", "    ")
    graded = f"""\
# Exercise {exercise.number}, graded by nbgrader: {_points(exercise.points)}. The check shows its feedback; the
# cell's value is the points the answer earns, which nbgrader records. When nbgrader runs the
# notebook (it sets {EXECUTION_VARIABLE}), the cell also fails for an answer that earns none.
import contextlib, os, sys

with contextlib.redirect_stderr(sys.stdout):  # nbgrader gives no points to a test cell that writes to stderr
{call}
display({result})
{points} = round(float(min(max({result}.score, 0.0), 1.0)) * {exercise.points}, 2)
if os.environ.get("{EXECUTION_VARIABLE}") and not {points}:
    raise AssertionError(f"no points for this answer:\\n{{{result}}}")
{points}"""
    return f"{before}\n{graded}" if before else graded


def graded_names(exercise: registry.Exercise) -> tuple[str, str]:
    """The names a test cell binds: the check's result and the points, e.g. ``result_3_1`` and ``points_3_1``."""
    number = re.sub(r"\W", "_", exercise.number)
    return f"result_{number}", f"points_{number}"


def _check_cell(
    original: nbformat.NotebookNode, cells: list[nbformat.NotebookNode], notebook: str, taken: set[str]
) -> tuple[str, dict, registry.Exercise]:
    """The test cell's source and nbgrader metadata for a check cell, and its exercise.

    Raises:
        ReleaseError: If another check cell grades the same exercise, or another cell uses a name the test
            cell binds.
    """
    exercise = _exercise_of_check(original, notebook)
    grade_id = f"{exercise.label}-check"
    if grade_id in taken:
        raise release.ReleaseError(f"{notebook}: two check cells grade Exercise {exercise.number}; keep one.")
    for name in graded_names(exercise):
        if any(re.search(rf"\b{name}\b", cell.source) for cell in cells if cell is not original):
            raise release.ReleaseError(f"{notebook}: a cell uses {name}, which the test cell binds; rename it.")
    metadata = cell_metadata(grade_id, grade=True, locked=True, points=exercise.points)
    return graded_check_source(original.source, exercise), metadata, exercise


def _exercise_of_check(cell: nbformat.NotebookNode, notebook: str) -> registry.Exercise:
    """The exercise of ``notebook`` whose check the cell calls (the registry says which check judges which)."""
    found = [
        exercise
        for exercise in registry.exercises_in(notebook)
        if release._calls(cell, [call.name for call in exercise.calls if call.is_check])
    ]
    if len(found) != 1:
        named = ", ".join(f"Exercise {exercise.number}" for exercise in found) or "no exercise of the registry"
        raise release.ReleaseError(f"{notebook}: a check cell must check one exercise, not {named}: {cell.source!r}")
    return found[0]


def _solution_id(exercise: str, taken: set[str], index: int) -> str:
    """``ex-3-1-solution`` (``-2``, ``-3`` for an exercise's further solution cells) from the registry's label."""
    number = exercise.removeprefix("Exercise ")
    try:
        base = f"{registry.find(number).label}-solution"
    except KeyError:  # a solution under no numbered heading of the registry
        base = f"solution-{index}"
    grade_id, count = base, 1
    while grade_id in taken:
        count += 1
        grade_id = f"{base}-{count}"
    return grade_id


def source_notebook(path: Path, from_ipynb: bool = False) -> tuple[nbformat.NotebookNode, AssignmentReport]:
    """The nbgrader source notebook of one course notebook, and what it contains.

    Raises:
        ReleaseError: Naming the notebook, if its student copy would leak a solution, a solution
            is written in Markdown (nbgrader would need it graded by hand), or what nbgrader would
            make of it would still hold a solution.
    """
    path = Path(path)
    student, copied = release.prepare(path, from_ipynb)  # the student copy, checked against every leak
    instructor, _ = release.load_instructor_notebook(path, from_ipynb)
    cells = [cell for cell in instructor.cells if not release.is_claim(cell)]  # as the student copy's, one to one
    report = AssignmentReport(path, warnings=copied.warnings, removed_claims=copied.removed_claims)
    source = copy.deepcopy(student)
    solutions, taken = iter(copied.solutions), set()  # the exercises in the order of their solution cells
    for index, (original, cell) in enumerate(zip(cells, source.cells, strict=True)):
        if release.is_solution(original):
            exercise = next(solutions)
            if cell.cell_type != "code":
                raise release.ReleaseError(
                    f"{path.name}: the solution of {exercise} is text; nbgrader grades text by hand only, so it has no "
                    "autograded form: write it as code, or leave the notebook out of the nbgrader export."
                )
            cell.source = solution_source(cell.source, original.source)
            cell.metadata["nbgrader"] = cell_metadata(_solution_id(exercise, taken, index), solution=True)
            report.solutions.append(exercise)
        elif release.is_check(original):
            cell.source, cell.metadata["nbgrader"], exercise = _check_cell(original, cells, path.stem, taken)
            report.graded[f"Exercise {exercise.number}"] = exercise.points
        else:
            cell.metadata["nbgrader"] = cell_metadata(f"cell-{index}", locked=True)
            report.locked += 1
        taken.add(cell.metadata["nbgrader"]["grade_id"])
    leaks = release.solution_leaks(instructor, student_version(source), path.stem)
    if leaks:
        raise release.ReleaseError(f"{path.name}: nbgrader's student version would keep a solution: {leaks[0]}")
    return source, report


def student_version(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """What ``nbgrader generate_assignment`` makes of a source notebook's cells: solutions replaced by the stub.

    The same rule as nbgrader's ClearSolutions, for this module's own check: every line from one
    holding the begin delimiter to the one holding the end delimiter becomes :data:`CODE_STUB`,
    indented as the begin line; outputs are cleared.
    """
    student = copy.deepcopy(notebook)
    for cell in student.cells:
        lines, inside = [], False
        for line in cell.source.split("\n"):
            if BEGIN_WORDS in line:
                inside = True
                indent = line[: len(line) - len(line.lstrip())]
                lines += [indent + stub for stub in CODE_STUB.split("\n")]
            elif END_WORDS in line:
                inside = False
            elif not inside:
                lines.append(line)
        cell.source = "\n".join(lines)
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return student


def config_text() -> str:
    """The ``nbgrader_config.py`` of the course folder."""
    return f'''\
"""nbgrader's settings for the autoencoder course (written by `python -m course_utils release --format nbgrader`).

nbgrader reads this file from the folder it runs in: run its commands from here.
"""

c = get_config()  # noqa: F821 (nbgrader defines it)

# A removed solution leaves a comment. The placeholders above it (`my_encoder = ...`) keep the student
# version running from top to bottom, and each check then says "not answered yet"; nbgrader's default
# stub, `raise NotImplementedError()`, would stop the notebook at the first exercise.
c.ClearSolutions.code_stub = {{"python": {json.dumps(CODE_STUB)}}}
c.ClearSolutions.begin_solution_delimeter = {json.dumps(BEGIN_WORDS)}
c.ClearSolutions.end_solution_delimeter = {json.dumps(END_WORDS)}

# Seconds per cell while nbgrader runs a notebook: some cells train models; nbgrader's default is 30.
c.Execute.timeout = {notebooks.CELL_TIMEOUT_SECONDS}
'''


def _points(points: int) -> str:
    return f"{points} point{'' if points == 1 else 's'}"


def readme_text(reports: list[AssignmentReport]) -> str:
    """The ``README.txt`` of the course folder: what it holds and the nbgrader commands that follow."""
    first = reports[0].source.stem if reports else "01_introduction"
    assignments = "\n".join(
        f"  {report.source.stem}: "
        + (", ".join(f"{exercise} ({_points(points)})" for exercise, points in report.graded.items()) or "none")
        for report in reports
    )
    manual = "\n".join(
        f"  {item.number} {item.title} ({item.notebook}, {_points(item.points)})"
        for report in reports
        for item in registry.manual_items(report.source.stem)
    )
    steps = [
        (f"nbgrader generate_assignment {first}", f"the student version, in release/{first}/"),
        (f"nbgrader release_assignment {first}", f"hand it out on JupyterHub (or hand out release/{first}/)"),
        (f"nbgrader collect {first}", f"the returned copies, into submitted/<student>/{first}/"),
        (f"nbgrader autograde {first}", "run them; the points go into gradebook.db"),
        ("nbgrader formgrader", "or the Formgrader tab of Jupyter: review and comment"),
        (f"nbgrader generate_feedback {first}", "a feedback page per student"),
        ("nbgrader export", "every student's points, as grades.csv"),
    ]
    width = max(len(command) for command, _ in steps)
    commands = "\n".join(f"  {command.ljust(width)}  # {what}" for command, what in steps)
    return f"""\
An nbgrader course folder for the autoencoder course, written by
`python -m course_utils release --format nbgrader`.

source/ holds one assignment per notebook: the instructor version, every solution between
{BEGIN_SOLUTION} and {END_SOLUTION}, every check cell an autograded test worth the exercise's
points (from the course's exercise registry), every other cell locked, and the saved results the
notebook reads. nbgrader_config.py makes nbgrader leave a comment where it removes a solution, so
the student version still runs from top to bottom.

Autograded exercises:
{assignments}

Graded by hand, outside nbgrader (no cell of a notebook holds them):
{manual or "  none"}

The next steps, run from this folder (nbgrader reads nbgrader_config.py from here):
{commands}

A check cell shows students the course's feedback as usual, and its value is the points earned;
only when nbgrader runs the notebook (autograde, or the Validate button) does it fail for none.
autograde runs each notebook again in a fresh kernel: what a student did only with a widget's
buttons and sliders is not replayed, so where a check reads a widget, ask students to answer in
code as well (the widget's methods, which the task names).
"""


def _planned_files(
    output_dir: Path, prepared: list[tuple[nbformat.NotebookNode, AssignmentReport]], from_paths: list[Path]
) -> dict[Path, bytes | Path]:
    """Every file of the course folder: its content, or the course file it copies."""
    files: dict[Path, bytes | Path] = {
        output_dir / CONFIG_NAME: config_text().encode(),
        output_dir / README_NAME: readme_text([report for _, report in prepared]).encode(),
    }
    for (notebook, report), path in zip(prepared, from_paths):
        folder = output_dir / SOURCE_FOLDER / path.stem
        report.target = folder / f"{path.stem}.ipynb"
        files[report.target] = nbformat.writes(notebook).encode()
        results = {target: result for result, target in release.saved_results([path], folder).items()}
        files.update(results)
        report.results = sorted(results)
    return files


def _differs(target: Path, content: bytes | Path) -> bool:
    if isinstance(content, Path):
        return not filecmp.cmp(content, target, shallow=False)
    return target.read_bytes() != content


def _write(files: dict[Path, bytes | Path], output_dir: Path, force: bool) -> list[Path]:
    """Write the files; returns where the files they replaced were kept.

    Raises:
        ReleaseError: If a file would change and ``force`` is False (then nothing is written).
    """
    changed = [target for target, content in files.items() if target.exists() and _differs(target, content)]
    if changed and not force:
        names = ", ".join(str(target.relative_to(output_dir)) for target in changed[:5])
        raise release.ReleaseError(
            f"{output_dir} already holds {names}{' ...' if len(changed) > 5 else ''}, which would change: nothing "
            "written. Pass --force to replace them, each first kept as NAME.bak-<time>."
        )
    stamp = time.strftime("%Y%m%d-%H%M%S")
    kept = []
    for target, content in files.items():
        if target in changed:
            kept.append(release.backup_path(target, stamp))
            target.rename(kept[-1])
        elif target.exists():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, Path):
            shutil.copy2(content, target)
        else:
            target.write_bytes(content)
    return kept


def export(
    output_dir: Path = DEFAULT_OUTPUT, paths: Iterable[Path] | None = None, from_ipynb: bool = False, force: bool = False
) -> tuple[list[AssignmentReport], list[Path]]:
    """Write an nbgrader course folder: one assignment per course notebook (or per one of ``paths``).

    Every notebook is made and checked before anything is written.

    Args:
        output_dir: The course folder (nbgrader's; its ``source/`` gets the assignments).
        paths: The notebooks (``.py`` or ``.ipynb``); default: the course's.
        from_ipynb: Use the executed ``.ipynb`` files as they are, ignoring the ``.py`` pairs.
        force: Replace files that would change, keeping each as ``NAME.bak-<time>``.

    Returns:
        A report per assignment, and where replaced files were kept.

    Raises:
        ReleaseError: If ``output_dir`` is a file or the folder of the notebooks, a notebook cannot
            be exported safely, or files would change and ``force`` is False.
        OSError: If a file cannot be written.
    """
    chosen = [Path(path) for path in paths] if paths else notebooks.course_notebooks()
    output_dir = Path(output_dir)
    release._check_output(output_dir, chosen)
    unique = list({path.resolve().with_suffix(""): path for path in chosen}.values())
    prepared = [source_notebook(path, from_ipynb) for path in unique]
    kept = _write(_planned_files(output_dir, prepared, unique), output_dir, force)
    return [report for _, report in prepared], kept


def main(
    output_dir: Path = DEFAULT_OUTPUT, paths: Iterable[Path] | None = None, from_ipynb: bool = False, force: bool = False
) -> int:
    """Run :func:`export` and print one line per assignment; returns an exit code."""
    try:
        reports, kept = export(output_dir, paths, from_ipynb, force)
    except release.ReleaseError as error:
        print(f"release: {error}", file=sys.stderr)
        return 1
    except OSError as error:
        print(f"release: cannot write the nbgrader course folder {output_dir}: {error}", file=sys.stderr)
        return 1
    for report in reports:
        graded = ", ".join(f"{exercise} ({_points(points)})" for exercise, points in report.graded.items()) or "none"
        print(
            f"{report.target}: {len(report.solutions)} solution(s) for nbgrader to remove, autograded: {graded}; "
            f"{report.locked} locked cell(s), {len(report.results)} saved result file(s)"
        )
        for warning in report.warnings:
            print(f"  warning: {warning}")
    for path in kept:
        print(f"  a file that would have changed is kept as {path}")
    print(f"nbgrader course folder in {Path(output_dir).resolve()}: next steps in {README_NAME}")
    return 0
