"""Every exercise of the course in one place, and the instructor guide's exercise table made from it.

Each notebook's module of :mod:`~course_utils.exercises.checks` ends with ``EXERCISES``, that
notebook's :class:`~course_utils.exercises.exercise.Exercise` entries in order: label, number,
title, notebook, learning goal, what the check looks at, the answer, and the calls the notebook
makes (each a check function or a widget, with its arguments as the notebook writes them). This
module collects them from every module of the package, found by name in order (``nb01``,
``nb02``, ...), so a new notebook's checks module needs no edit here.
:func:`write_guide_table` writes the table into ``book/instructor_guide.md``; the tests fail when
the committed guide differs from it.

This is the only module that imports all the checks modules (and with them the widgets).
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path
from types import ModuleType

from course_utils.exercises import checks
from course_utils.exercises.exercise import Call, Exercise, ManualItem  # noqa: F401 (Call: part of the registry's API)

GUIDE = Path(__file__).resolve().parents[2] / "book" / "instructor_guide.md"
TABLE_START, TABLE_END = "<!-- exercise-table:start -->", "<!-- exercise-table:end -->"
GUIDE_COLUMNS = ("exercise", "checked by", "learning goal", "what the check looks at", "answer")


def checks_modules() -> tuple[ModuleType, ...]:
    """Every module of :mod:`~course_utils.exercises.checks` (``common``, ``nb01``, ...), imported, by name."""
    names = sorted(module.name for module in pkgutil.iter_modules(checks.__path__))
    return tuple(importlib.import_module(f"{checks.__name__}.{name}") for name in names)


EXERCISES: tuple[Exercise, ...] = tuple(
    exercise for module in checks_modules() for exercise in getattr(module, "EXERCISES", ())
)

MANUAL: tuple[ManualItem, ...] = tuple(item for module in checks_modules() for item in getattr(module, "MANUAL", ()))


def all_exercises() -> tuple[Exercise, ...]:
    """Every exercise of the course, in order."""
    return EXERCISES


def exercises_in(notebook: str) -> tuple[Exercise, ...]:
    """The exercises of one notebook, given by its file stem or name (``03_two_hidden_layers(.ipynb)``)."""
    stem = notebook.rsplit("/", 1)[-1].removesuffix(".ipynb").removesuffix(".py")
    return tuple(exercise for exercise in EXERCISES if exercise.notebook == stem)


def manual_items(notebook: str | None = None) -> tuple[ManualItem, ...]:
    """The work graded by hand: every exercise no check judges (widgets only), then each module's ``MANUAL`` items.

    Args:
        notebook: Only this notebook's (a file stem); default all.
    """
    unchecked = tuple(
        ManualItem(exercise.number, exercise.title, exercise.notebook, exercise.points, f"by hand: {exercise.looks_at}")
        for exercise in EXERCISES
        if not exercise.is_checked
    )
    return tuple(item for item in unchecked + MANUAL if notebook in (None, item.notebook))


def check_names() -> frozenset[str]:
    """Every check function as a notebook calls it (``checks.check_encoder_2``)."""
    return frozenset(call.name for exercise in EXERCISES for call in exercise.calls if call.is_check)


def find(label: str) -> Exercise:
    """The exercise with a label such as ``"ex-3-1"`` or a number such as ``"3.1"``.

    Raises:
        KeyError: With the known labels, when there is no such exercise.
    """
    for exercise in EXERCISES:
        if label in (exercise.label, exercise.number):
            return exercise
    raise KeyError(f"no exercise {label!r}; known: {', '.join(exercise.label for exercise in EXERCISES)}")


def guide_table() -> str:
    """The instructor guide's list of exercises, in Markdown: an item per exercise, a line per column.

    An item rather than a table row: the five columns of :data:`GUIDE_COLUMNS` (long calls,
    goals and answers) fit neither a phone nor a desktop page side by side, so each exercise's
    heading is followed by its other columns, one labelled line each.
    """
    items = []
    for exercise in EXERCISES:
        heading, *details = exercise.guide_row()
        lines = [f"- **{heading}**"]
        lines += [f"  - *{column}*: {value}" for column, value in zip(GUIDE_COLUMNS[1:], details)]
        items.append("\n".join(lines))
    return "\n".join(items)


def with_guide_table(text: str) -> str:
    """``text`` (the guide) with the part between the exercise-table markers replaced by :func:`guide_table`.

    Raises:
        ValueError: If the markers are missing or out of order.
    """
    start, end = text.find(TABLE_START), text.find(TABLE_END)
    if start < 0 or end < start:
        raise ValueError(
            f"the instructor guide needs the lines {TABLE_START} and {TABLE_END}, in this order, around the "
            "exercise table; put them back and run `python -m course_utils guide` again."
        )
    return f"{text[: start + len(TABLE_START)]}\n\n{guide_table()}\n\n{text[end:]}"


def write_guide_table(path: Path = GUIDE) -> bool:
    """Rewrite the exercise table of the instructor guide at ``path`` (only between its markers).

    Returns:
        True if the file changed.

    Raises:
        ValueError: If the markers are missing (the file is then left as it was).
    """
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    updated = with_guide_table(text)
    if updated != text:
        path.write_text(updated, encoding="utf-8")
    return updated != text
