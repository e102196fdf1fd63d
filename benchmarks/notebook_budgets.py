"""Time and peak memory of every notebook run top to bottom in a fresh kernel, as nbval runs them.

Runs the notebooks in order with an empty training cache (so notebook 5 may reuse what notebooks
2-4 trained, exactly as in ``pytest``), without writing them back, and reports wall time and the
kernel's peak resident memory. Writes ``benchmarks/results/notebook_budgets.md``.

    python benchmarks/notebook_budgets.py
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

from course_utils import notebooks

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


def main() -> None:
    rows = []
    with tempfile.TemporaryDirectory() as cache:
        environment = {**os.environ, "COURSE_CACHE_DIR": cache}
        for path in notebooks.course_notebooks():
            result = measure(path, environment)
            rows.append({"notebook": path.stem, **result})
            print(f"{path.stem:<32} {result['seconds']:6.1f} s  {result['peak_mb']:7.0f} MB", flush=True)
    lines = [
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}; "
        "notebooks run in order with an empty training cache, offline data.",
        "",
        "| notebook | seconds | kernel peak memory (MB) |",
        "| --- | ---: | ---: |",
    ]
    lines += [f"| {row['notebook']} | {row['seconds']:.1f} | {row['peak_mb']:.0f} |" for row in rows]
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "notebook_budgets.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
