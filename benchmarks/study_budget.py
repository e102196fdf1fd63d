"""Time and peak memory of the depth study (``study.StudyConfig()``: depths 1-3, ten seeds, the course's data).

Runs the study from scratch, never from saved results, and writes
``benchmarks/results/study_budget.md``. Students load the saved study; this is what a maintainer
waits for after changing the code that trains or measures.

    python benchmarks/study_budget.py
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import time
from pathlib import Path

from course_utils import environment

RESULTS = Path(__file__).parent / "results"


def budget_report(result, seconds: float, peak_mb: float, found: dict[str, str], training_images: int) -> str:
    """The report: machine, what the study trained, its wall time and peak memory, and its summary table."""
    config = result.config
    lines = [
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs; Keras {found['keras']} on {found['backend']}.",
        f"Study: depths {list(config.depths)} x seeds {list(config.seeds)} + PCA, {training_images:,} training images "
        "(the course's subset).",
        "",
        f"- wall time: {seconds:.0f} s",
        f"- peak memory of the process: {peak_mb:.0f} MB",
        "",
        result.table().rename_axis("model").to_markdown(intfmt=","),
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter).parse_args()
    environment.setup(seed=0)
    found = environment.versions()
    from course_utils import data, study

    mnist = data.load_mnist("subset")
    started = time.perf_counter()
    result = study.run_study(study.StudyConfig(), mnist)
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    report = budget_report(result, seconds, peak_mb, found, len(mnist.x_train))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "study_budget.md").write_text(report)
    print(report)


if __name__ == "__main__":
    main()
