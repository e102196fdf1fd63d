"""Time and peak memory of every notebook run top to bottom in a fresh kernel, as nbval runs them.

Runs the notebooks in order with an empty training cache (so notebook 5 may reuse what notebooks
2-4 trained, exactly as in ``pytest``), without writing them back, and reports wall time and the
kernel's peak resident memory. Timings on a shared CPU are noisy, so the whole sequence is
repeated (default 3 times) and the median and the range are reported. Writes
``benchmarks/results/notebook_budgets.csv`` (one row per notebook: median, fastest and slowest
run in seconds, runs, peak memory, backend, date), the one file every stated run time comes from
(:mod:`course_utils.maintain.timings`), and ``benchmarks/results/notebook_budgets.md``, the same
table for reading. Then ``python -m course_utils guide`` writes the times into README.md and the
instructor guide.

    python benchmarks/notebook_budgets.py --repeats 3
    python benchmarks/notebook_budgets.py --dry-run     # what it would run and write, without running
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

if not __package__:  # run as `python benchmarks/notebook_budgets.py`: import the package as `python -m` would
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.tables import markdown_table  # noqa: E402
from course_utils.maintain import notebooks, timings  # noqa: E402

RESULTS = Path(__file__).parent / "results"
CHILD = """
import json, resource, sys, time
import nbformat
from nbclient import NotebookClient
path = sys.argv[1]
notebook = nbformat.read(path, as_version=4)
started = time.perf_counter()
NotebookClient(notebook, timeout=900, kernel_name="python3", resources={"metadata": {"path": sys.argv[2]}}).execute()
seconds = time.perf_counter() - started
peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "peak_mb": peak_mb}))
"""


def measure(path: Path, environment: dict[str, str]) -> dict:
    """Run one notebook in a child process and return its time and its kernel's peak memory."""
    output = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), str(path.parent)],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(output.stdout.strip().splitlines()[-1])


def run_all(only: list[str] | None = None) -> list[dict]:
    """One pass over every notebook (or those named in ``only``), in order, with a fresh empty training cache."""
    rows = []
    with tempfile.TemporaryDirectory() as cache:
        environment = {**os.environ, "COURSE_CACHE_DIR": cache}
        for path in notebooks.course_notebooks():
            if only and path.stem not in only:
                continue
            result = measure(path, environment)
            rows.append({"notebook": path.stem, **result})
            print(f"{path.stem:<32} {result['seconds']:6.1f} s  {result['peak_mb']:7.0f} MB", flush=True)
    return rows


def timings_frame(passes: list[list[dict]], backend: str, date: str) -> pd.DataFrame:
    """One row per notebook, in the order of the passes, with the columns of ``timings.COLUMNS``."""
    runs = pd.DataFrame([row for rows in passes for row in rows]).groupby("notebook", sort=False)
    seconds = runs["seconds"]
    frame = pd.DataFrame(
        {
            "median_s": seconds.median().round(1),
            "min_s": seconds.min().round(1),
            "max_s": seconds.max().round(1),
            "runs": seconds.count(),
            "peak_mb": runs["peak_mb"].max().round(0).astype(int),
        }
    ).reset_index()
    return frame.assign(cpus=os.cpu_count(), backend=backend, date=date)[list(timings.COLUMNS)]


def budget_table(frame: pd.DataFrame) -> str:
    """Per notebook: the median and the range of its seconds over the passes, and its kernel's largest peak memory."""
    table = {
        "notebook": frame["notebook"],
        "seconds (median)": frame["median_s"].map("{:.1f}".format),
        "range": frame["min_s"].map("{:.1f}".format) + "-" + frame["max_s"].map("{:.1f}".format),
        "kernel peak memory (MB, max)": frame["peak_mb"].map("{:.0f}".format),
        "measured": frame["date"],
    }
    return markdown_table(pd.DataFrame(table))


def write_results(passes: list[list[dict]], backend: str, date: str, folder: Path = RESULTS) -> str:
    """Write the CSV and the Markdown report of ``passes`` into ``folder``; the report.

    The CSV is written to a temporary name, read back with :func:`timings.read_timings` and only
    then put in place, so a malformed table never replaces a good one.
    """
    merged = merged_with_earlier(timings_frame(passes, backend, date), folder / timings.TIMINGS.name)
    lines = [
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, Keras backend "
        f"{backend}; notebooks run in order with an empty training cache, the course's default data; "
        f"{len(passes)} passes (a notebook measured on its own with --only keeps its own date).",
        "",
        budget_table(merged),
    ]
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / f".{timings.TIMINGS.name}.partial"
    merged.to_csv(partial, index=False)
    timings.read_timings(partial)
    partial.replace(folder / timings.TIMINGS.name)
    (folder / "notebook_budgets.md").write_text("\n".join(lines) + "\n")
    return "\n".join(lines)


def merged_with_earlier(measured: pd.DataFrame, earlier: Path) -> pd.DataFrame:
    """``measured``, plus the earlier rows of notebooks not measured this time (each keeps its date), in course order."""
    if not earlier.exists():
        return measured
    kept = pd.read_csv(earlier)
    kept = kept[~kept["notebook"].isin(measured["notebook"])]
    order = {path.stem: number for number, path in enumerate(notebooks.course_notebooks())}
    merged = pd.concat([kept, measured], ignore_index=True)
    return merged.sort_values("notebook", key=lambda stems: stems.map(order)).reset_index(drop=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3, help="passes over all notebooks (default 3)")
    parser.add_argument("--dry-run", action="store_true", help="say what would run and be written, and stop")
    parser.add_argument("--only", nargs="+", default=None, help="time only these notebooks (stems); keep the other rows")
    arguments = parser.parse_args(argv)
    backend = os.environ.get("KERAS_BACKEND", "tensorflow")  # the kernels inherit it
    if arguments.dry_run:
        stems = ", ".join(path.stem for path in notebooks.course_notebooks())
        print(f"would run {arguments.repeats} passes over {stems} with {backend}")
        print(f"and write {RESULTS / timings.TIMINGS.name} and {RESULTS / 'notebook_budgets.md'}")
        return
    passes = [run_all(arguments.only) for _ in range(arguments.repeats)]
    print(write_results(passes, backend, time.strftime("%Y-%m-%d", time.gmtime())))
    print("Now run `python -m course_utils guide` to write the times into README.md and the instructor guide.")


if __name__ == "__main__":
    main()
