"""The notebooks' measured run times: one CSV file, read by everything that states a run time.

``benchmarks/notebook_budgets.py`` measures how long each notebook takes and writes
``benchmarks/results/notebook_budgets.csv`` (:data:`COLUMNS`, one row per notebook). Nothing
else keeps a run time by hand:

- ``python -m course_utils grade`` estimates its duration from it (:func:`seconds_by_notebook`);
- the run-time column of the README's notebook table and of the instructor guide's, and the note
  under each, are written from it between marker comments by ``python -m course_utils guide``
  (:func:`write_timing_tables`); ``tests/test_timings.py`` fails when a committed file differs.

A course notebook the file does not list yet (a new one) is shown as "not measured yet" until
the benchmark runs again; it is never given an invented time.
"""

from __future__ import annotations

import csv
import math
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

from course_utils.maintain import notebooks

ROOT = Path(__file__).resolve().parents[2]
TIMINGS = ROOT / "benchmarks" / "results" / "notebook_budgets.csv"
README = ROOT / "README.md"
GUIDE = ROOT / "book" / "instructor_guide.md"
COLUMNS = ("notebook", "median_s", "min_s", "max_s", "runs", "peak_mb", "cpus", "backend", "date")
NUMBER_COLUMNS = ("median_s", "min_s", "max_s", "runs", "peak_mb", "cpus")
BACKEND_NAMES = {"tensorflow": "TensorFlow", "jax": "JAX", "torch": "PyTorch"}
NOT_MEASURED = "not measured yet"
MEASURE_COMMAND = "python benchmarks/notebook_budgets.py"
START, END = "<!-- notebook-times:start -->", "<!-- notebook-times:end -->"
# Which column of each file's table holds the run time.
TIME_COLUMNS = {README: "about", GUIDE: "run time"}
NOTE_WIDTH = 100
STEM = re.compile(r"\b(\d\d_[a-z0-9_]+)")


class TimingsError(ValueError):
    """The timings file is missing or malformed, or a file's timing table cannot be rewritten."""


@dataclass(frozen=True)
class NotebookTiming:
    """How long one notebook took, over several runs.

    Attributes:
        notebook: Its file stem, e.g. ``"02_one_hidden_layer"``.
        median_s: The median of its run times, in seconds.
        min_s: The fastest run.
        max_s: The slowest run.
        runs: How many runs.
        peak_mb: Its kernel's largest peak resident memory, in MB.
        cpus: The machine's CPU count.
        backend: The Keras backend it ran on.
        date: The day it was measured, ``YYYY-MM-DD``.
    """

    notebook: str
    median_s: float
    min_s: float
    max_s: float
    runs: int
    peak_mb: float
    cpus: int
    backend: str
    date: str

    @property
    def seconds(self) -> int:
        """The median in whole seconds, as every table shows it."""
        return round(self.median_s)


def read_timings(path: Path = TIMINGS) -> dict[str, NotebookTiming]:
    """Every notebook's measured run time, by file stem.

    Raises:
        TimingsError: Naming the file, the row and what is wrong, and the command that remakes it.
    """
    path = Path(path)
    if not path.is_file():
        raise TimingsError(f"no notebook timings at {path}: measure them with `{MEASURE_COMMAND}`")
    try:
        with path.open(newline="", encoding="utf-8") as file:
            reader = csv.DictReader(file)
            table = [(reader.line_num, row) for row in reader]
            header = reader.fieldnames or []
    except (UnicodeDecodeError, csv.Error) as error:
        raise _malformed(path, f"not a CSV table ({error})") from None
    missing = [column for column in COLUMNS if column not in header]
    if missing:
        raise _malformed(path, f"it lacks the column(s) {', '.join(missing)}; expected {', '.join(COLUMNS)}")
    timings: dict[str, NotebookTiming] = {}
    for line, row in table:
        if None in row or None in row.values():  # csv's marks of a row longer or shorter than the header
            raise _malformed(path, f"line {line} has {'more' if None in row else 'fewer'} cells than the header")
        timing = _timing(row, f"{path}, line {line}")
        if timing.notebook in timings:
            raise _malformed(path, f"line {line} repeats the notebook {timing.notebook}")
        timings[timing.notebook] = timing
    return timings


def _malformed(path: Path, problem: str) -> TimingsError:
    return TimingsError(f"{path} is malformed: {problem}. Measure again with `{MEASURE_COMMAND}`.")


def _timing(row: dict[str, str], where: str) -> NotebookTiming:
    """One row as a :class:`NotebookTiming`, after checking every value."""
    values: dict[str, float] = {}
    for column in NUMBER_COLUMNS:
        try:
            values[column] = float(row[column])
        except ValueError:
            values[column] = math.nan
        if not math.isfinite(values[column]) or values[column] < 0:
            raise TimingsError(f"{where}: {column} is {row[column]!r}, not a number of at least 0")
    if not values["min_s"] <= values["median_s"] <= values["max_s"]:
        raise TimingsError(f"{where}: expected min_s <= median_s <= max_s, got {values}")
    for column in ("runs", "cpus"):
        if values[column] < 1 or not values[column].is_integer():
            raise TimingsError(f"{where}: {column} is {row[column]!r}, not a whole number of at least 1")
    if not STEM.fullmatch(row["notebook"]) or not row["backend"] or not re.fullmatch(r"\d{4}-\d\d-\d\d", row["date"]):
        raise TimingsError(f"{where}: expected a notebook NN_name, a backend and a date YYYY-MM-DD, got {row}")
    return NotebookTiming(
        notebook=row["notebook"],
        median_s=values["median_s"],
        min_s=values["min_s"],
        max_s=values["max_s"],
        runs=int(values["runs"]),
        peak_mb=values["peak_mb"],
        cpus=int(values["cpus"]),
        backend=row["backend"],
        date=row["date"],
    )


def seconds_by_notebook(path: Path = TIMINGS) -> dict[str, int]:
    """Each measured notebook's median run time in whole seconds.

    Raises:
        TimingsError: If the file is missing or malformed.
    """
    return {stem: timing.seconds for stem, timing in read_timings(path).items()}


def run_time(stem: str, timings: dict[str, NotebookTiming]) -> str:
    """What a table shows as the run time of notebook ``stem``: ``"12 s"`` or "not measured yet"."""
    timing = timings.get(stem)
    return NOT_MEASURED if timing is None else f"{timing.seconds} s"


def course_stems(directory: Path = notebooks.NOTEBOOK_DIR) -> list[str]:
    """The stems of the course's numbered notebooks, in order."""
    return [path.stem for path in notebooks.course_notebooks(directory)]


# --------------------------------------------------------------------------------------------
# The tables in README.md and the instructor guide
# --------------------------------------------------------------------------------------------


def timing_note(timings: dict[str, NotebookTiming], stems: list[str]) -> str:
    """The sentence under a timing table: how the times were measured, and which are missing."""
    measured = [timings[stem] for stem in stems if stem in timings]
    if not measured:
        return f"No notebook has been measured yet: run `{MEASURE_COMMAND}`."
    runs = " or ".join(sorted({str(timing.runs) for timing in measured}))
    cpus = " or ".join(sorted({str(timing.cpus) for timing in measured}))
    backends = " and ".join(sorted({BACKEND_NAMES.get(timing.backend, timing.backend) for timing in measured}))
    dates = " and ".join(sorted({timing.date for timing in measured}))
    note = (
        f"Run times: the median of {runs} runs of the notebooks in order, as the tests run them, on a "
        f"{cpus}-core CPU with {backends} and the course's data, measured on {dates} by `{MEASURE_COMMAND}` "
        f"(ranges in `benchmarks/results/notebook_budgets.csv`); the slowest run of any notebook took "
        f"{max(timing.max_s for timing in measured):.1f} s, and a kernel peaked at "
        f"{max(timing.peak_mb for timing in measured) / 1000:.1f} GB."
    )
    unmeasured = [stem for stem in stems if stem not in timings]
    if unmeasured:
        note += f" Not measured yet: {', '.join(unmeasured)} (run `{MEASURE_COMMAND}` again)."
    return textwrap.fill(note, width=NOTE_WIDTH, break_long_words=False, break_on_hyphens=False)


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def with_run_times(
    text: str, column: str, timings: dict[str, NotebookTiming], stems: list[str], name: str = "the file"
) -> str:
    """``text`` with the table between :data:`START` and :data:`END` given the measured run times.

    The table's rows are kept as written, one per course notebook (the first cell names it, e.g.
    ```01_introduction``` or a link to ``01_introduction.ipynb``); only the cells of ``column``
    are rewritten, and the note under the table is written anew by :func:`timing_note`.

    Raises:
        TimingsError: If the markers, the column or a notebook's row is missing, or a row names a
            notebook the course does not have.
    """
    start, end = text.find(START), text.find(END)
    if start < 0 or end < start:
        raise TimingsError(
            f"{name} needs the lines {START} and {END}, in this order, around its notebook table; "
            "put them back and run `python -m course_utils guide` again."
        )
    lines = [line for line in text[start + len(START) : end].splitlines() if line.startswith("|")]
    if len(lines) < 2 or column not in _cells(lines[0]):
        raise TimingsError(f"{name}: the table between {START} and {END} has no column {column!r}")
    index = _cells(lines[0]).index(column)
    rows, found = lines[:2], []
    for line in lines[2:]:
        cells = _cells(line)
        stem = STEM.search(cells[0])
        if stem is None or stem.group(1) not in stems:
            raise TimingsError(f"{name}: the row {line!r} names no notebook of the course ({', '.join(stems)})")
        found.append(stem.group(1))
        cells[index] = run_time(stem.group(1), timings)
        rows.append(_row(cells))
    missing = [stem for stem in stems if stem not in found]
    if missing:
        raise TimingsError(f"{name}: its notebook table has no row for {', '.join(missing)}; add one (any time will do)")
    block = "\n".join(rows) + "\n\n" + timing_note(timings, stems)
    return f"{text[: start + len(START)]}\n\n{block}\n\n{text[end:]}"


def write_timing_tables(
    timings_path: Path = TIMINGS, files: dict[Path, str] | None = None, directory: Path = notebooks.NOTEBOOK_DIR
) -> list[Path]:
    """Rewrite the run times of the README's and the guide's notebook tables from the timings file.

    Every file is checked before any is written, so an error leaves them all as they were.

    Returns:
        The files that changed.

    Raises:
        TimingsError: If the timings file is missing or malformed, or a table cannot be rewritten.
    """
    timings, stems = read_timings(timings_path), course_stems(directory)
    updates = {}
    for path, column in (files or TIME_COLUMNS).items():
        text = Path(path).read_text(encoding="utf-8")
        updated = with_run_times(text, column, timings, stems, name=Path(path).name)
        if updated != text:
            updates[Path(path)] = updated
    for path, updated in updates.items():
        path.write_text(updated, encoding="utf-8")
    return list(updates)
