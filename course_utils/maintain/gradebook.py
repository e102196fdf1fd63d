"""The instructor's gradebook made from the grader's table: points, work to grade by hand, totals, LMS exports.

:func:`~course_utils.maintain.grade.rows` gives one row per student and checked exercise, with
``student, notebook, exercise, title, passed, score, message, status`` (``passed`` is ``"yes"``,
``"no"`` or ``"not run"``; ``score`` the fraction of the exercise earned, 0 to 1, empty when its
check did not run). :func:`gradebook` turns that table into the long gradebook:

- every row gets the exercise's ``points`` (the registry's) and the ``earned`` part of them
  (:func:`with_points`);
- each notebook a student returned gets a row per piece of work graded by hand there (the
  registry's :func:`~course_utils.exercises.registry.manual_items`: widget-only exercises, the
  capstone), with ``earned`` empty for the instructor to fill in (:func:`manual_rows`);
- each student ends with a ``total`` row (:func:`with_totals`; :func:`totals` as a table of its own).

An instructor who fills in the hand-graded rows of the written CSV reads it back with :func:`read`
and runs :func:`with_totals` again. :func:`canvas` and :func:`moodle` turn the gradebook into a
CSV file each LMS imports: one column per notebook (one assignment per notebook, which is how the
course is handed out and returned) and one per piece of work graded by hand.

Students are known only by the name of their folder. The exports put that name where the LMS
looks for a student's identifier (Canvas: the ``SIS Login ID``; Moodle: the column mapped to
``username``): name the folders by that identifier, or pass ``ids``, a mapping from folder name to
identifier. A student the LMS does not know is refused or listed by its import, never guessed.

The writers never replace a file in silence: one already there is kept as ``NAME.bak-<time>``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from course_utils.exercises import registry
from course_utils.maintain import release

REQUIRED = ("student", "notebook", "exercise", "title", "passed", "status")
ADDED = ("points", "earned")
PASSED = "yes"
BY_HAND = "by hand"  # ``passed`` of a row graded by hand
TO_GRADE = "to grade by hand"
TOTAL = "total"  # ``exercise`` of a student's total row
DECIMALS = 2
NUMBER_FORMAT = "%.10g"  # 5 points as 5, not 5.0; 2.57 as 2.57, never 2.5700000000000003
CANVAS_STUDENT_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
CANVAS_POINTS_ROW = "Points Possible"
MOODLE_IDENTIFIERS = ("username", "useremail", "useridnumber", "userid")


class GradebookError(ValueError):
    """Raised when a table cannot be made into a gradebook (a missing column, an unknown exercise)."""


# --------------------------------------------------------------------------------------------
# The long gradebook
# --------------------------------------------------------------------------------------------


def with_points(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` with each exercise's ``points`` (from the registry) and the points ``earned``.

    ``earned`` is ``score × points`` rounded to 2 decimals; 0 for a check that did not run. A
    table without a ``score`` column (written before partial credit) counts a pass as 1, else 0.

    Args:
        table: The grader's table, one row per student and checked exercise.

    Raises:
        GradebookError: If a column is missing or an exercise is not in the registry.
    """
    _require(table, REQUIRED)
    scored = table.copy()
    scored["points"] = [_points(number) for number in scored["exercise"]]
    scored["earned"] = (_scores(scored) * scored["points"]).round(DECIMALS)
    return scored


def _require(table: pd.DataFrame, columns: tuple[str, ...]) -> None:
    missing = [column for column in columns if column not in table.columns]
    if missing:
        raise GradebookError(f"the grade table has no column {', '.join(missing)}; it needs {', '.join(columns)}")


def _points(number: object) -> int:
    """The registry's points of exercise ``number`` (``"3.1"``)."""
    try:
        return registry.find(str(number)).points
    except KeyError:
        raise GradebookError(
            f"exercise {number!r} of the grade table is not in the registry: regrade with this course"
        ) from None


def _scores(table: pd.DataFrame) -> pd.Series:
    """Each row's fraction earned, from 0 to 1: its score, else 1 for a pass; 0 for a check that did not run."""
    passed = (table["passed"] == PASSED).astype(float)
    if "score" not in table.columns:
        return passed
    score = pd.to_numeric(table["score"], errors="coerce")
    return score.where(score.notna(), passed).clip(0.0, 1.0)  # a score outside [0, 1] never earns more than the points


def manual_rows(student: str, notebook: str, columns: list[str]) -> list[dict]:
    """The rows of work graded by hand in ``notebook`` for ``student``: ``earned`` empty, the rubric in ``status``.

    Args:
        student: The student's folder name.
        notebook: The notebook's file stem, e.g. ``"09_conclusion"``.
        columns: The gradebook's columns; those a hand-graded row has no value for stay empty.
    """
    rows = []
    for item in registry.manual_items(notebook):
        rubric = item.rubric.removeprefix(f"{BY_HAND}: ")  # the registry's own wording for a widget-only exercise
        values = {"student": student, "notebook": notebook, "exercise": item.number, "title": item.title}
        values |= {"passed": BY_HAND, "points": item.points, "earned": math.nan, "status": f"{TO_GRADE}: {rubric}"}
        rows.append({column: values.get(column, _empty(column)) for column in columns})
    return rows


def _empty(column: str) -> object:
    """The value of a column a row has nothing for: NaN for a number, else empty text."""
    return math.nan if column in ("score", *ADDED) else ""


def gradebook(table: pd.DataFrame) -> pd.DataFrame:
    """The instructor's gradebook: points and earned, the rows to grade by hand, a total row per student.

    Each student's rows come notebook by notebook (the grader's rows, then the notebook's rows to
    grade by hand), then the student's ``total`` row.

    Args:
        table: The grader's table (:func:`~course_utils.maintain.grade.rows`).

    Raises:
        GradebookError: If a column is missing or an exercise is not in the registry.
    """
    scored = with_points(table)
    columns = list(scored.columns)
    records: list[dict] = []
    for (student, notebook), rows in scored.groupby(["student", "notebook"], sort=False):
        records += rows.to_dict("records") + manual_rows(student, notebook, columns)
    return with_totals(pd.DataFrame(records, columns=columns))


# --------------------------------------------------------------------------------------------
# Totals
# --------------------------------------------------------------------------------------------


def totals(book: pd.DataFrame) -> pd.DataFrame:
    """One row per student: points earned, points possible, and the work still to grade by hand.

    Counts the rows of the notebooks the student returned (a notebook not returned counts in no
    total here; the LMS, which knows every assignment's points, counts it as missing).

    Args:
        book: A gradebook (:func:`gradebook`, or one read back with hand-graded rows filled in);
            its total rows are left out.

    Returns:
        ``student``, ``earned`` (every row's earned points that are filled in), ``possible``
        (the points of all the student's rows), ``open_items`` and ``open_points`` (the rows
        whose ``earned`` is still empty, to grade by hand), ``complete`` (none is open).
    """
    rows = _without_totals(book)
    open_points = rows["points"].where(rows["earned"].isna(), 0)
    summed = rows.assign(open_items=rows["earned"].isna().astype(int), open_points=open_points).groupby(
        "student", sort=False
    )
    table = summed[["earned", "points", "open_items", "open_points"]].sum().reset_index()
    table = table.rename(columns={"points": "possible"})
    table["earned"] = table["earned"].round(DECIMALS)
    table["complete"] = table["open_items"] == 0
    return table


def _without_totals(book: pd.DataFrame) -> pd.DataFrame:
    _require(book, (*REQUIRED, *ADDED))
    return book[book["exercise"].astype(str) != TOTAL]


def with_totals(book: pd.DataFrame) -> pd.DataFrame:
    """``book`` with each student's total row after the student's other rows (any older total row replaced).

    A total row has ``exercise`` :data:`TOTAL`, the points ``earned`` and ``possible`` (in
    ``points``), their ratio in ``score``, and in ``status`` whether work is still to grade by hand.
    """
    rows = _without_totals(book).reset_index(drop=True)
    columns = list(rows.columns)
    totals_rows = [_total_row(total, columns) for total in totals(rows).to_dict("records")]
    order = {student: index for index, student in enumerate(dict.fromkeys(rows["student"]))}
    every = pd.concat([rows, pd.DataFrame(totals_rows, columns=columns)], ignore_index=True)
    key = every["student"].map(order) * 2 + (every["exercise"] == TOTAL)  # a student's total after the student's rows
    return every.iloc[key.argsort(kind="stable")].reset_index(drop=True)


def _total_row(total: dict, columns: list[str]) -> dict:
    """The total row of one student of :func:`totals`."""
    if total["complete"]:
        status, message = "complete", ""
    else:
        status = TO_GRADE
        message = f"{total['open_items']} still to grade by hand ({total['open_points']:g} points): not final yet"
    score = round(total["earned"] / total["possible"], 4) if total["possible"] else math.nan
    values = {"student": total["student"], "notebook": "", "exercise": TOTAL, "title": "total of the notebooks returned"}
    values |= {"passed": "", "score": score, "points": total["possible"], "earned": total["earned"]}
    values |= {"message": message, "status": status}
    return {column: values.get(column, _empty(column)) for column in columns}


# --------------------------------------------------------------------------------------------
# LMS exports
# --------------------------------------------------------------------------------------------


def assignments(book: pd.DataFrame) -> pd.DataFrame:
    """The exports' assignments, in course order: each notebook returned, then its work graded by hand.

    Returns:
        ``assignment`` (the column name in an export), ``notebook``, ``exercise`` (empty for a
        notebook's column, else the hand-graded item's number) and ``points`` (possible: a notebook's
        checked exercises' points, from the registry; a hand-graded item's).
    """
    rows = _without_totals(book)
    table = []
    for notebook in sorted(set(rows["notebook"])):
        checked = sum(exercise.points for exercise in registry.exercises_in(notebook) if exercise.is_checked)
        table.append({"assignment": notebook, "notebook": notebook, "exercise": "", "points": checked})
        by_hand = rows[(rows["notebook"] == notebook) & (rows["passed"] == BY_HAND)]
        for (number, title), items in by_hand.groupby(["exercise", "title"], sort=False):
            name = f"{notebook} {number} {title} ({BY_HAND})"
            table.append({"assignment": name, "notebook": notebook, "exercise": number, "points": items["points"].max()})
    return pd.DataFrame(table, columns=["assignment", "notebook", "exercise", "points"])


def _earned_by_assignment(book: pd.DataFrame, names: Mapping[str, str]) -> pd.DataFrame:
    """Students × assignments: a notebook's points earned by its checks, a hand-graded item's earned (empty until graded).

    A notebook a student did not return is empty, as is a hand-graded item not graded yet.
    """
    rows = _without_totals(book)
    wanted = assignments(rows)
    checked = rows[rows["passed"] != BY_HAND]
    by_notebook = checked.groupby(["student", "notebook"], sort=False)["earned"].sum(min_count=1).round(DECIMALS)
    by_hand = rows[rows["passed"] == BY_HAND].set_index(["student", "notebook", "exercise"])["earned"]
    students = list(dict.fromkeys(rows["student"]))
    columns = {}
    for item in wanted.to_dict("records"):
        source = by_notebook if not item["exercise"] else by_hand
        key = (item["notebook"],) if not item["exercise"] else (item["notebook"], item["exercise"])
        columns[names.get(item["assignment"], item["assignment"])] = [source.get((student, *key)) for student in students]
    return pd.DataFrame(columns, index=students)


def canvas(book: pd.DataFrame, ids: Mapping[str, str] | None = None, names: Mapping[str, str] | None = None) -> pd.DataFrame:
    """The gradebook as Canvas imports it (Grades > Import): student columns, then one column per assignment.

    The columns are ``Student, ID, SIS User ID, SIS Login ID, Section``, then one per assignment of
    :func:`assignments`; the first row, ``Points Possible``, gives each assignment's points (Canvas
    uses it for an assignment the import creates). Canvas finds a student by ``ID`` (its own user
    number), else ``SIS User ID``, else ``SIS Login ID``, else the name in ``Student``: here
    ``Student`` and ``SIS Login ID`` hold the folder name (or ``ids[folder]``); ``ID``, ``SIS User ID``
    and ``Section`` are left empty. An empty cell is "no score" to Canvas and changes nothing: a
    notebook not returned, an item not graded by hand yet. No total column: Canvas computes its own.

    Args:
        book: The gradebook (:func:`gradebook`).
        ids: Each folder name's Canvas SIS login ID, when the folders are not named by it.
        names: A column name for an assignment, e.g. ``{"02_one_hidden_layer": "Notebook 2 (1234)"}``:
            Canvas matches a column ``Title (id)`` to its existing assignment with that id, and
            creates a new assignment for a name it does not know.

    Returns:
        The table, an empty score as NaN (:func:`write` writes it as an empty cell).
    """
    ids, names = ids or {}, names or {}
    earned = _earned_by_assignment(book, names)
    points = assignments(book)
    people = pd.DataFrame("", index=earned.index, columns=list(CANVAS_STUDENT_COLUMNS))
    people["Student"] = people["SIS Login ID"] = [ids.get(student, student) for student in earned.index]
    possible = {names.get(name, name): value for name, value in zip(points["assignment"], points["points"])}
    header = pd.DataFrame([{"Student": CANVAS_POINTS_ROW, **possible}], columns=[*CANVAS_STUDENT_COLUMNS, *earned.columns])
    table = pd.concat([header, pd.concat([people, earned], axis=1)], ignore_index=True)
    table[list(CANVAS_STUDENT_COLUMNS)] = table[list(CANVAS_STUDENT_COLUMNS)].fillna("")
    return table


def moodle(
    book: pd.DataFrame,
    ids: Mapping[str, str] | None = None,
    names: Mapping[str, str] | None = None,
    identifier: str = "username",
) -> pd.DataFrame:
    """The gradebook as Moodle imports it (Grades > Import > CSV file): an identifier column, then one per assignment.

    In the import's mapping step, map ``identifier``'s column ("Map from") to the same user field
    ("Map to": ``username``, ``useremail``, ``useridnumber`` or ``userid``) and each assignment's
    column to its grade item, or to a new grade item (give that item the points of
    :func:`assignments` as its maximum grade). Moodle reads an empty cell as "no grade", which
    clears a grade already entered there: map a column whose cells are empty (work not graded by
    hand yet) to "Ignore". No total column: Moodle computes its own.

    Args:
        book: The gradebook (:func:`gradebook`).
        ids: Each folder name's Moodle identifier (of the kind ``identifier`` names), when the
            folders are not named by it.
        names: A column name for an assignment (e.g. the name of its grade item in Moodle).
        identifier: The user field the identifier column holds, which names the column.

    Returns:
        The table, an empty grade as NaN (:func:`write` writes it as an empty cell).

    Raises:
        GradebookError: If ``identifier`` is not a field Moodle maps users by.
    """
    if identifier not in MOODLE_IDENTIFIERS:
        raise GradebookError(f"Moodle maps users by {', '.join(MOODLE_IDENTIFIERS)}, not {identifier!r}")
    ids = ids or {}
    earned = _earned_by_assignment(book, names or {})
    people = pd.DataFrame({identifier: [ids.get(student, student) for student in earned.index]}, index=earned.index)
    return pd.concat([people, earned], axis=1).reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# Files
# --------------------------------------------------------------------------------------------


def read(path: Path) -> pd.DataFrame:
    """A gradebook (or grade table) CSV read back as written: ids and exercise numbers as text."""
    text = {"student": str, "notebook": str, "exercise": str, "title": str, "passed": str, "message": str, "status": str}
    table = pd.read_csv(path, dtype=text, keep_default_na=False, na_values={"score": [""], "earned": [""], "points": [""]})
    return table


def filled_in(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` as the instructor filled it in, checked: each ``earned`` empty or a number from 0 to ``points``.

    Raises:
        GradebookError: Naming the first row that is neither, and what to write there.
    """
    _require(table, (*REQUIRED, *ADDED))
    earned = pd.to_numeric(table["earned"], errors="coerce")
    points = pd.to_numeric(table["points"], errors="coerce")
    wrong = (earned.isna() & table["earned"].notna()) | (earned < 0) | (earned > points)
    if wrong.any():
        row = table[wrong].iloc[0]
        raise GradebookError(
            f"{row['student']}, exercise {row['exercise']}: earned {row['earned']!r} is not a number from 0 to "
            f"{row['points']}; write the points earned, or leave it empty while it is still to grade"
        )
    return table.assign(earned=earned, points=points)


def write(table: pd.DataFrame, path: Path) -> Path | None:
    """Write ``table`` to ``path`` as CSV, keeping a file already there as ``NAME.bak-<time>``.

    The file appears whole or not at all (written beside it, then renamed).

    Returns:
        Where the file that was there is kept, or None.
    """
    path = Path(path)
    backup = None
    if path.exists():
        backup = release.backup_path(path, time.strftime("%Y%m%d-%H%M%S"))
        path.rename(backup)
    partial = path.with_name(f".{path.name}.partial")
    table.to_csv(partial, index=False, float_format=NUMBER_FORMAT)
    partial.replace(path)
    return backup


def export_path(output: Path, lms: str) -> Path:
    """Where the export for ``lms`` goes beside the gradebook ``output``: ``grades.csv`` → ``grades-canvas.csv``."""
    return Path(output).with_name(f"{Path(output).stem}-{lms}.csv")


def write_exports(
    book: pd.DataFrame, output: Path, ids: Mapping[str, str] | None = None, names: Mapping[str, str] | None = None
) -> dict[Path, Path | None]:
    """Write the Canvas and the Moodle export beside the gradebook ``output`` (see :func:`export_path`).

    Returns:
        Each file written, with where the file it replaced is kept (or None).
    """
    return {
        export_path(output, lms): write(export(book, ids, names), export_path(output, lms))
        for lms, export in EXPORTS.items()
    }


EXPORTS = {"canvas": canvas, "moodle": moodle}  # each LMS's name, as in its file's name, and its export
