"""How much faster the depth study runs in worker processes (``--jobs``) than in one, and that the numbers are the same.

Runs a small depth study (depths 1-3, four seeds, the course's data, its settings) from scratch
with one job and with two, alternating, ``--repeats`` times each, on the backend Keras runs on;
reports the median and range of the wall times, the speed-up, and whether every number of every
run was identical. Writes ``benchmarks/results/parallel_speedup.md``.

    python benchmarks/parallel_speedup.py --repeats 3
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

if not __package__:  # run as `python benchmarks/parallel_speedup.py`: import the package as `python -m` would
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.tables import markdown_table  # noqa: E402
from course_utils import environment  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
SEEDS = (0, 1, 2, 3)


def timed_study(jobs: int) -> tuple[float, list[dict]]:
    """Seconds of one study from scratch with ``jobs`` worker processes, and its runs."""
    from course_utils import data, study
    from course_utils.maintain import parallel

    config = study.StudyConfig(depths=(1, 2, 3), seeds=SEEDS)
    mnist = data.load_mnist("subset", verbose=False)
    started = time.perf_counter()
    result = study.run_study(config, mnist, verbose=False, runner=parallel.runner(jobs=jobs, verbose=False))
    return time.perf_counter() - started, sorted(result.runs, key=lambda row: (row["model"], row["seed"]))


def report(seconds: dict[int, list[float]], identical: bool, found: dict[str, str]) -> str:
    rows = [
        {
            "jobs": jobs,
            "seconds (median)": f"{statistics.median(times):.1f}",
            "range": f"{min(times):.1f}-{max(times):.1f}",
            "speed-up": f"{statistics.median(seconds[1]) / statistics.median(times):.2f}",
        }
        for jobs, times in seconds.items()
    ]
    return "\n".join(
        [
            "# The depth study in worker processes",
            "",
            f"Machine: {platform.machine()}, {os.cpu_count()} CPUs; Keras {found['keras']} on {found['backend']}; "
            f"measured {time.strftime('%Y-%m-%d %H:%M')}, load average {os.getloadavg()[0]:.2f} at the end.",
            f"Study: depths 1-3 x seeds {list(SEEDS)} + PCA, the course's 4,000 training images and settings, from "
            f"scratch; one and two jobs alternating, {len(seconds[1])} times each.",
            "",
            markdown_table(rows),
            "",
            f"Every number of every run identical between one and two jobs: {'yes' if identical else 'NO'}.",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3)
    arguments = parser.parse_args()
    environment.setup(seed=0)
    seconds: dict[int, list[float]] = {1: [], 2: []}
    runs: dict[int, list[dict]] = {}
    for repeat in range(arguments.repeats):
        for jobs in (1, 2):
            took, runs[jobs] = timed_study(jobs)
            seconds[jobs].append(took)
            print(f"  · repeat {repeat + 1}, {jobs} job(s): {took:.1f} s", flush=True)
    text = report(seconds, runs[1] == runs[2], environment.versions())
    (RESULTS / "parallel_speedup.md").write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
