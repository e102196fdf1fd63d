"""Time and peak memory of the depth study (depths 1-3, seeds 0-2, course settings, offline data).

Runs the study from scratch, never from saved results, and writes
``benchmarks/results/study_budget.md``. The budget is 3 minutes on a 2-core CPU.

    python benchmarks/study_budget.py
"""

from __future__ import annotations

import os
import platform
import resource
import time
from pathlib import Path

from course_utils import environment

RESULTS = Path(__file__).parent / "results"


def main() -> None:
    environment.setup(seed=0)
    found = environment.versions()
    from course_utils import data, study

    mnist = data.load_mnist("offline")
    started = time.perf_counter()
    result = study.run_study(study.StudyConfig(), mnist)
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    lines = [
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs; Keras {found['keras']} on {found['backend']}.",
        f"Study: depths 1-3 x seeds 0-2 + PCA, {len(mnist.x_train):,} training images (offline subset).",
        "",
        f"- wall time: {seconds:.0f} s (budget 180 s)",
        f"- peak memory of the process: {peak_mb:.0f} MB",
        "",
        "```",
        result.table(),
        "```",
    ]
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "study_budget.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
