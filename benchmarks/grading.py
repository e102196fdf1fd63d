"""How long ``grade`` takes per notebook with one job and with two, on a synthetic class.

The class: ``--students`` students, each returning notebooks 2-4; every other student returns the
instructor's solutions (the notebook without the cells that check the text's claims), the others
the student copies ``release`` makes, unanswered. Each repetition grades the whole class from
scratch with ``python -m course_utils grade`` (the instructor's runs that fill the shared training
cache included), one job and two jobs alternating, ``--repeats`` times each. Reports the median and
range of the wall time per notebook, the speed-up, and whether every verdict was the same in every
run. Writes ``benchmarks/results/grading.md``.

    python benchmarks/grading.py --students 3 --repeats 3
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

if not __package__:  # run as `python benchmarks/grading.py`: import the package as `python -m` would
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import nbformat  # noqa: E402
import pandas as pd  # noqa: E402

from benchmarks.tables import markdown_table  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
NOTEBOOKS = ("02_one_hidden_layer", "03_two_hidden_layers", "04_three_hidden_layers")
VERDICT_COLUMNS = ["student", "exercise", "passed", "score", "earned"]


def solved_copy(stem: str) -> nbformat.NotebookNode:
    """The instructor's notebook as a student who solved everything would return it (no claim cells, no outputs)."""
    from course_utils.maintain import notebooks, release

    notebook, _ = release.load_instructor_notebook(notebooks.NOTEBOOK_DIR / f"{stem}.ipynb")
    notebook.cells = [cell for cell in notebook.cells if not release.is_claim(cell)]
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return notebook


def write_class(folder: Path, students: int) -> int:
    """Write the synthetic class into ``folder``; how many notebooks it holds."""
    from course_utils.maintain import grade_run

    for number in range(students):
        for stem in NOTEBOOKS:
            notebook = solved_copy(stem) if number % 2 == 0 else grade_run.instructor_copy(stem)
            path = folder / f"student{number:02d}" / f"{stem}.ipynb"
            path.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(notebook, path)
    return students * len(NOTEBOOKS)


def timed_grading(folder: Path, jobs: int, output: Path) -> tuple[float, pd.DataFrame]:
    """Seconds to grade the class with ``jobs`` jobs, and the verdicts."""
    command = [sys.executable, "-m", "course_utils", "grade", str(folder), "--jobs", str(jobs), "--output", str(output)]
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    table = pd.read_csv(output, dtype=str, keep_default_na=False)
    return seconds, table[VERDICT_COLUMNS]


def report(seconds: dict[int, list[float]], notebooks: int, students: int, identical: bool) -> str:
    """The results file's text."""
    from course_utils.backend import keras

    rows = [
        {
            "jobs": jobs,
            "seconds per notebook (median)": f"{statistics.median(times) / notebooks:.1f}",
            "range": f"{min(times) / notebooks:.1f}-{max(times) / notebooks:.1f}",
            "whole class (median, s)": f"{statistics.median(times):.0f}",
            "speed-up": f"{statistics.median(seconds[1]) / statistics.median(times):.2f}",
        }
        for jobs, times in seconds.items()
    ]
    return "\n".join(
        [
            "# Grading a class: one job or two",
            "",
            f"Machine: {platform.machine()}, {os.cpu_count()} CPUs; Keras {keras.__version__} on "
            f"{keras.backend.backend()}; measured {time.strftime('%Y-%m-%d %H:%M')}, load average "
            f"{os.getloadavg()[0]:.2f} at the end.",
            f"Class: {students} students x notebooks 2-4 = {notebooks} notebooks, every other student solved, the "
            "others unanswered; each run from scratch, the instructor's runs that fill the shared training cache "
            f"included; one and two jobs alternating, {len(seconds[1])} times each. Made by "
            "`python benchmarks/grading.py`.",
            "",
            markdown_table(rows),
            "",
            f"Every verdict and score the same in every run: {'yes' if identical else 'NO'}.",
            "",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=3, help="students in the synthetic class (default 3)")
    parser.add_argument("--repeats", type=int, default=3, help="runs per number of jobs (default 3)")
    arguments = parser.parse_args(argv)
    seconds: dict[int, list[float]] = {1: [], 2: []}
    tables = []
    with tempfile.TemporaryDirectory(prefix="grading-benchmark-") as scratch:
        folder = Path(scratch) / "class"
        notebooks = write_class(folder, arguments.students)
        for repeat in range(arguments.repeats):
            for jobs in (1, 2):
                taken, table = timed_grading(folder, jobs, Path(scratch) / f"grades-{jobs}-{repeat}.csv")
                seconds[jobs].append(taken)
                tables.append(table)
                print(f"run {repeat + 1}/{arguments.repeats}, {jobs} job(s): {taken:.0f} s", flush=True)
    identical = all(table.equals(tables[0]) for table in tables)
    text = report(seconds, notebooks, arguments.students, identical)
    (RESULTS / "grading.md").write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
