"""Time and peak memory of every notebook run top to bottom in a fresh kernel, as nbval runs them.

Runs the notebooks in order with an empty training cache (so notebook 5 may reuse what notebooks
2-4 trained, exactly as in ``pytest``), without writing them back, and reports wall time and the
kernel's peak resident memory. Timings on a shared CPU are noisy, so the whole sequence is
repeated (default 3 times) and the median and the range are reported. Writes
``benchmarks/results/notebook_budgets.md``.

    python benchmarks/notebook_budgets.py --repeats 3
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd

if not __package__:  # run as `python benchmarks/notebook_budgets.py`: import the package as `python -m` would
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.tables import markdown_table  # noqa: E402
from course_utils.maintain import notebooks  # noqa: E402

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


def run_all() -> list[dict]:
    """One pass over every notebook, in order, with a fresh empty training cache."""
    rows = []
    with tempfile.TemporaryDirectory() as cache:
        environment = {**os.environ, "COURSE_CACHE_DIR": cache}
        for path in notebooks.course_notebooks():
            result = measure(path, environment)
            rows.append({"notebook": path.stem, **result})
            print(f"{path.stem:<32} {result['seconds']:6.1f} s  {result['peak_mb']:7.0f} MB", flush=True)
    return rows


def budget_table(passes: list[list[dict]]) -> str:
    """Per notebook: the median and the range of its seconds over the passes, and its kernel's largest peak memory."""
    runs = pd.DataFrame([row for rows in passes for row in rows]).groupby("notebook", sort=False)
    seconds, peak_mb = runs["seconds"], runs["peak_mb"].max()
    table = {
        "seconds (median)": seconds.median().map("{:.1f}".format),
        "range": seconds.min().map("{:.1f}".format) + "-" + seconds.max().map("{:.1f}".format),
        "kernel peak memory (MB, max)": peak_mb.map("{:.0f}".format),
    }
    return markdown_table(pd.DataFrame(table).reset_index())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3, help="passes over all notebooks (default 3)")
    arguments = parser.parse_args()
    passes = [run_all() for _ in range(arguments.repeats)]
    lines = [
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}; "
        f"notebooks run in order with an empty training cache, the course's default data; {len(passes)} passes.",
        "",
        budget_table(passes),
    ]
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "notebook_budgets.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
