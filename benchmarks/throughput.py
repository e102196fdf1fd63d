"""Training throughput of the three article models, per training code and Keras backend.

Measures, in one run and on the same images, how many images per second each of these trains
(the median of several epochs after a warm-up; the first epoch, which includes compilation, is
reported apart):

- ``course``: the course's own :func:`course_utils.training.train` at its default settings;
- ``fit``: a bare ``model.fit`` as tutorials write it (``compile("adam", "binary_crossentropy")``,
  ``fit(x, x, batch_size, epochs)``, defaults otherwise);
- both on the TensorFlow (the course default), JAX and PyTorch backends, each backend in its own
  process because Keras fixes the backend per process; a backend that is not installed is
  reported as not available;
- ``numpy``: the NumPy baseline, the same forward and backward matrix products and Adam updates in
  NumPy alone. A baseline, not a lower bound: JAX beats it at batch 32.

Sizes: the offline training set (4,000 images) and 60,000 images made by repeating them, the
size of the real MNIST training set: a speed test only, not full MNIST.

The budget part trains the three models for 50 epochs on the 60,000 images with the course's
``train()``, on TensorFlow and on the fastest backend found, and reports total seconds and peak
memory. Writes ``benchmarks/results/throughput.json`` and ``throughput.md``.

The report also gives each run's hardware bound (``hardware.py``): the time the run's matrix
products would take at the machine's peak float32 matrix-product rate, measured with NumPy before
the runs (a few seconds), and the fraction of that peak the run reached.

    nice python benchmarks/throughput.py            # the full run, on a quiet machine
    python benchmarks/throughput.py --quick         # a check that every part runs (a few minutes)
    python benchmarks/throughput.py --report-only   # rebuild throughput.md from throughput.json, no training

This file holds the command line, the runs and the report; it never imports Keras. Each job runs
in a process of its own (``runner.py``); the NumPy baseline is ``numpy_autoencoder.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path

if not __package__:  # run as `python benchmarks/throughput.py`: import the package as `python -m` would
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import hardware  # noqa: E402
from benchmarks.runner import BACKENDS, run_in_subprocess, runner_names, split_runner  # noqa: E402
from benchmarks.tables import markdown_table  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
ARTICLE_MODELS = ("Autoencoder_1", "Autoencoder_2", "Autoencoder_3")
OFFLINE_TRAIN_SIZE = 4_000
DEFAULT_BACKEND = "tensorflow"
REFERENCE = "course-tensorflow"
# The performance issue's budgets: seconds for the three models x 50 epochs x 60,000 images on the
# default and on the fastest backend, peak memory, and how much slower than a bare fit train() may be.
TIME_TARGETS = {"default": 180.0, "fastest": 60.0}
MEMORY_TARGET_MB = 2_000
FIT_TOLERANCE = 0.05
# A 1-minute load average above this before the benchmark starts means other work was running. The
# value at the end is not a sign of that: it counts the benchmark's own threads (JAX and TensorFlow
# keep both cores busy), so it is reported but not judged.
BUSY_LOAD = 1.0
BACKEND_NAMES = {"tensorflow": "TensorFlow", "jax": "JAX", "torch": "PyTorch", "numpy": "NumPy"}
CODE_NAMES = {"course": "course train()", "fit": "bare model.fit", "numpy": "NumPy baseline"}

# What to measure and how long: the full run and --quick. An option given explicitly wins.
FULL = {"sizes": [4_000, 60_000], "epochs": 5, "warmup": 1, "budget_size": 60_000, "budget_epochs": 50}
QUICK = {"sizes": [2_000], "epochs": 2, "warmup": 1, "budget_size": 2_000, "budget_epochs": 2}
# The peak matrix-product rate behind the hardware bound: the best of this many products of this size.
PEAK_SIZE, PEAK_REPEATS = 2048, 5


# --------------------------------------------------------------------------------------------
# Tables and verdicts
# --------------------------------------------------------------------------------------------


def describe_size(size: int, offline_size: int = OFFLINE_TRAIN_SIZE) -> str:
    """Say where a training set of ``size`` images comes from."""
    if size == offline_size:
        return f"{size:,} images: the offline training set"
    if size < offline_size:
        return f"{size:,} images: the first {size:,} of the offline training set"
    return (
        f"{size:,} images: the {offline_size:,} offline images repeated {size / offline_size:g} times "
        "(the size of the real MNIST training set; a speed test only, not full MNIST)"
    )


def add_ratios(rows: list[dict], reference: str = REFERENCE) -> list[dict]:
    """Add ``ratio``: each row's images/s over the reference runner's on the same size and model."""
    base = {(row["size"], row["model"]): row["samples_per_second"] for row in rows if row["runner"] == reference}
    for row in rows:
        reference_speed = base.get((row["size"], row["model"]))
        speed = row.get("samples_per_second")
        row["ratio"] = speed / reference_speed if speed and reference_speed else None
    return rows


def _number(value: float | None, digits: int = 0) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def _percent(fraction: float | None) -> str:
    return "–" if fraction is None else f"{100 * fraction:.2f}"


def _epoch_bound(row: dict, peak_gflops: float) -> float | None:
    """The hardware bound on one epoch of a throughput row, in seconds (None for a model of unknown widths)."""
    layers = hardware.ARTICLE_LAYERS.get(row["model"])
    if layers is None:
        return None
    return hardware.bound_seconds(hardware.training_flops_per_image(layers), row["size"], 1, peak_gflops)


def _bound_cells(row: dict, peak_gflops: float) -> dict:
    """The bound on one epoch, in milliseconds, and the fraction of it the measured (median) epoch reached."""
    bound, speed = _epoch_bound(row, peak_gflops), row.get("samples_per_second")
    fraction = hardware.fraction_of_bound(row["size"] / speed, bound) if bound is not None and speed else None
    return {"bound per epoch (ms)": _number(None if bound is None else 1e3 * bound, 2), "% of peak": _percent(fraction)}


def _throughput_cells(row: dict, peak_gflops: float | None = None) -> dict:
    cells = {
        "model": row["model"],
        "training code": CODE_NAMES[row["code"]],
        "backend": BACKEND_NAMES[row["backend"]],
        "images/s": _number(row["samples_per_second"]),
        "× course default": _number(row.get("ratio"), 2),
        "first epoch (s)": _number(row["first_epoch_seconds"], 2),
        "of which compile ≈ (s)": _number(row["compile_seconds"], 2),
        "final loss": _number(row.get("final_loss"), 4),
    }
    return cells if peak_gflops is None else {**cells, **_bound_cells(row, peak_gflops)}


def throughput_table(rows: list[dict], unavailable: dict[str, str] | None = None, peak_gflops: float | None = None) -> str:
    """A Markdown table per size: model, code, backend, images/s, ratio to the course default, first epoch;
    given the machine's peak, also the hardware bound on an epoch and the fraction of it each run reached."""
    blocks = [
        f"**{describe_size(size)}**\n\n"
        + markdown_table([_throughput_cells(row, peak_gflops) for row in rows if row["size"] == size], text_columns=3)
        for size in sorted({row["size"] for row in rows})
    ]
    for runner, reason in (unavailable or {}).items():
        code, backend = split_runner(runner)
        blocks.append(f"- {CODE_NAMES[code]} on {BACKEND_NAMES[backend]}: **not available** ({reason})")
    return "\n\n".join(blocks)


def _budget_cells(row: dict, models: list[str], bound: float | None = None) -> dict:
    backend = BACKEND_NAMES[row["backend"]]
    if not row.get("available", True):
        return {"backend": backend, "total (s)": f"not available ({row['reason']})"}
    cells = {
        "backend": backend,
        "total (s)": _number(row["total_seconds"], 1),
        **{f"{model} (s)": _number(row["model_seconds"].get(model), 1) for model in models},
        "peak memory (MB)": _number(row["peak_mb"]),
    }
    if bound is None:
        return cells
    fraction = hardware.fraction_of_bound(row["total_seconds"], bound)
    return {**cells, "bound (s)": _number(bound, 2), "% of peak": _percent(fraction)}


def budget_bound(budget: dict, peak_gflops: float) -> float | None:
    """The hardware bound on the whole budget run (every model, epoch and image), in seconds.

    None when a model's layer widths are not known.
    """
    models = next((list(row["model_seconds"]) for row in budget.get("rows", []) if "model_seconds" in row), [])
    if not models or any(model not in hardware.ARTICLE_LAYERS for model in models):
        return None
    flops = sum(hardware.training_flops_per_image(hardware.ARTICLE_LAYERS[model]) for model in models)
    return hardware.bound_seconds(flops, budget["size"], budget["epochs"], peak_gflops)


def budget_table(rows: list[dict], bound: float | None = None) -> str:
    """A Markdown table of the budget runs: total and per-model seconds, and peak memory;
    given the run's hardware ``bound`` (seconds), also the bound and the fraction of it each run reached."""
    if not rows:
        return "(not run)"
    models = next((list(row["model_seconds"]) for row in rows if "model_seconds" in row), [])
    return markdown_table([_budget_cells(row, models, bound) for row in rows])


def _holds(condition: bool) -> str:
    return "holds" if condition else "does NOT hold"


def _course_over_fit(rows: list[dict], backend: str) -> list[float]:
    """The course ``train()``'s speed over a bare fit's, for each model and size both ran on ``backend``."""
    speeds = {
        (row["code"], row["model"], row["size"]): row["samples_per_second"] for row in rows if row["backend"] == backend
    }
    return [
        speed / speeds["fit", model, size]
        for (code, model, size), speed in speeds.items()
        if code == "course" and ("fit", model, size) in speeds
    ]


def _fit_verdicts(rows: list[dict]) -> list[str]:
    lines = []
    for backend in sorted({row["backend"] for row in rows if row["code"] == "fit"}):
        ratios = _course_over_fit(rows, backend)
        if ratios:
            lines.append(
                f"- course `train()` within {FIT_TOLERANCE:.0%} of a bare `model.fit` on {BACKEND_NAMES[backend]}: "
                f"{_holds(min(ratios) >= 1 - FIT_TOLERANCE)} "
                f"(slowest ratio {min(ratios):.2f} over {len(ratios)} model and size pairs)"
            )
    return lines


def _budget_run_verdicts(budget: dict) -> list[str]:
    full_size = (budget.get("size"), budget.get("epochs")) == (FULL["budget_size"], FULL["budget_epochs"])
    lines = []
    for row in (row for row in budget.get("rows", []) if row.get("available", True)):
        backend, seconds, peak = BACKEND_NAMES[row["backend"]], row["total_seconds"], row["peak_mb"]
        target = TIME_TARGETS["default" if row["backend"] == DEFAULT_BACKEND else "fastest"]
        if full_size:
            lines.append(
                f"- {backend}: three models x {budget['epochs']} epochs under {target:.0f} s: "
                f"{_holds(seconds < target)} ({seconds:.0f} s)"
            )
        lines.append(
            f"- {backend}: peak memory under {MEMORY_TARGET_MB:,} MB: {_holds(peak < MEMORY_TARGET_MB)} ({peak:,.0f} MB)"
        )
    if budget.get("rows") and not full_size:
        lines.append("- The time budgets apply to 50 epochs on 60,000 images only; this run used other sizes.")
    return lines


def budget_verdicts(report: dict) -> list[str]:
    """Each budget of the performance issue, with the measured value and whether it holds."""
    return _fit_verdicts(report["throughput"]) + _budget_run_verdicts(report.get("budget") or {})


def fastest_backend(rows: list[dict], models: Sequence[str] = ARTICLE_MODELS) -> str | None:
    """The backend whose course ``train()`` would train all ``models`` soonest, on the largest size measured."""
    course = [row for row in rows if row["code"] == "course" and row.get("samples_per_second")]
    if not course:
        return None
    size = max(row["size"] for row in course)
    totals: dict[str, float] = {}
    for backend in {row["backend"] for row in course}:
        speeds = {
            row["model"]: row["samples_per_second"] for row in course if row["backend"] == backend and row["size"] == size
        }
        if all(model in speeds for model in models):
            totals[backend] = sum(size / speeds[model] for model in models)
    return min(totals, key=totals.get) if totals else None


# --------------------------------------------------------------------------------------------
# The report
# --------------------------------------------------------------------------------------------


def machine() -> dict:
    """The CPU, core count, operating system and the versions of everything measured."""
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = {"python": platform.python_version()}
    for package in ("numpy", "keras", "tensorflow", "jax", "jaxlib", "torch"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "usable_cores": usable,
        "system": f"{platform.system()} {platform.release()} {platform.machine()}",
        "versions": versions,
    }


def _warnings(report: dict) -> list[str]:
    """Why the timings may not be quotable: a --quick run, a busy machine."""
    lines = []
    if report.get("quick"):
        lines += ["", "**A --quick run: too short to quote; it only checks that every part runs.**"]
    at_start = report["load_average"][0]
    if at_start > BUSY_LOAD:
        lines += [
            "",
            f"**The machine was not quiet (load average {at_start:.1f} at the start): other processes competed for the "
            "cores, so these timings understate every backend, PyTorch's most.**",
        ]
    return lines


def _conditions(report: dict) -> list[str]:
    """The machine, the versions and what was measured, as bullet points."""
    found, settings, timing = report["machine"], report["course_settings"], report["timing"]
    versions = ", ".join(f"{name} {version}" for name, version in found["versions"].items() if version)
    at_end = report.get("load_average_at_end")
    return [
        f"- Machine: {found['cpu']}, {found['cores']} cores ({found['usable_cores']} usable), {found['system']}; "
        f"load average {report['load_average'][0]:.2f} at the start"
        + (f", {at_end[0]:.2f} at the end (the benchmark's own threads)." if at_end else "."),
        f"- Versions: {versions}.",
        f"- Settings: the course's `TrainingSettings` defaults (batch {settings.get('batch_size', '?')}, "
        f"{settings.get('optimizer', '?')} at {settings.get('learning_rate', '?')}, {settings.get('loss', '?')}); "
        f"no validation set. Throughput is images per second over the median of {timing['epochs']} timed epochs "
        f"after {timing['warmup']} warm-up epoch(s); the first epoch, with compilation, is reported apart "
        "(compile ≈ first epoch minus the median epoch).",
        "- `course train()` is `course_utils.training.train` (it runs "
        f"{settings.get('steps_per_execution', '?')} batches per backend call where the backend allows it); "
        '`bare model.fit` is `compile("adam", "binary_crossentropy")` and `fit(x, x, batch_size, epochs)` '
        "with defaults otherwise; the NumPy baseline does the same products and Adam updates in NumPy alone "
        "(a baseline, not a lower bound: JAX beats it at batch 32).",
        *_bound_conditions(report),
    ]


def _article_flops() -> str:
    counts = [f"{hardware.training_flops_per_image(layers):,}" for layers in hardware.ARTICLE_LAYERS.values()]
    return ", ".join(counts[:-1]) + " and " + counts[-1]


def _bound_conditions(report: dict) -> list[str]:
    """What the hardware bound is and how the peak behind it was measured, as a bullet point (none without a peak)."""
    peak = report.get("peak_gflops")
    if peak is None:
        return []
    measurement = report.get("peak_measurement", {})
    how = measurement.get("how", "how it was measured is not recorded")
    when = f", measured {measurement['date']}" if measurement.get("date") else ""
    if measurement.get("load_average"):
        when += f" at load average {measurement['load_average'][0]:.2f}"
    return [
        f"- Hardware bound: the time the run's matrix products would take at the machine's peak float32 "
        f"matrix-product rate, **{peak:,.1f} GFLOP/s** ({how}{when}). Training one image costs 6 × in × out "
        "operations per Dense layer (forward, weight gradient, input gradient) minus the first layer's input "
        f"gradient: {_article_flops()} for the three models. Biases, activations, the loss and Adam "
        "are left out, so the bound is a lower one; the small matrices of batch 32 cannot reach the large-matrix "
        "peak, so it is not reachable either. `% of peak` is the bound over the measured time (100 = the "
        "hardware limit); the throughput tables bound one epoch, timed by its median.",
    ]


def _budget_section(budget: dict, peak_gflops: float | None = None) -> list[str]:
    if not budget.get("rows"):
        return ["(not run)"]
    bound = None if peak_gflops is None else budget_bound(budget, peak_gflops)
    return [
        f"The article models, {budget['epochs']} epochs each on {describe_size(budget['size'])}, "
        f"with the course's `train()`; peak memory is the resident set of the training process. {budget['note']}",
        "",
        budget_table(budget["rows"], bound),
    ]


def markdown_report(report: dict) -> str:
    """The whole report as Markdown: machine, settings, throughput tables, the budget run and the verdicts."""
    command = f"python benchmarks/throughput.py {' '.join(report['arguments'])}".rstrip()
    lines = [
        "# Training throughput of the article models",
        "",
        f"Measured {report['date']} by `{command}`.",
        *_warnings(report),
        "",
        *_conditions(report),
        "",
        "## Throughput",
        "",
        throughput_table(report["throughput"], report.get("unavailable"), report.get("peak_gflops")),
        "",
        "## Budget run",
        "",
        *_budget_section(report.get("budget") or {}, report.get("peak_gflops")),
    ]
    verdicts = budget_verdicts(report)
    if verdicts:
        lines += ["", "## Budgets", "", *verdicts]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------------
# The command line and the runs
# --------------------------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="tiny sizes and few epochs, to check that everything runs")
    parser.add_argument("--parts", nargs="+", choices=["throughput", "budget"], default=["throughput", "budget"])
    parser.add_argument("--runners", nargs="+", choices=runner_names(), default=runner_names())
    parser.add_argument("--models", nargs="+", choices=ARTICLE_MODELS, default=list(ARTICLE_MODELS))
    parser.add_argument("--sizes", nargs="+", type=int, help=f"training-set sizes (full run: {FULL['sizes']})")
    parser.add_argument("--epochs", type=int, help=f"timed epochs after the warm-up (full run: {FULL['epochs']})")
    parser.add_argument("--warmup", type=int, help="untimed epochs first; the first one is reported apart (1)")
    parser.add_argument("--budget-size", type=int, help=f"images for the budget run (full run: {FULL['budget_size']})")
    parser.add_argument("--budget-epochs", type=int, help=f"epochs of the budget run (full run: {FULL['budget_epochs']})")
    parser.add_argument(
        "--budget-backends",
        nargs="+",
        choices=BACKENDS,
        help="backends for the budget run (default: tensorflow and the fastest course train() backend measured)",
    )
    parser.add_argument(
        "--report-only",
        action="store_true",
        help="train nothing: rebuild the .md (and add the peak to the .json if it has none) from the --output .json",
    )
    parser.add_argument(
        "--peak-gflops",
        type=float,
        help=f"the machine's peak in GFLOP/s for the hardware bound (default: measured, {PEAK_REPEATS} float32 "
        f"{PEAK_SIZE}x{PEAK_SIZE} products in NumPy; with --report-only, only when the .json has no peak)",
    )
    parser.add_argument(
        "--output",
        type=Path,
        help="path without suffix for the .json and .md files "
        "(default benchmarks/results/throughput, or throughput-quick with --quick)",
    )
    return parser


def parse_arguments(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = _parser()
    arguments = parser.parse_args(argv)
    for name, value in (QUICK if arguments.quick else FULL).items():
        if getattr(arguments, name) is None:
            setattr(arguments, name, value)
    if min(arguments.sizes) < 1 or arguments.budget_size < 1 or arguments.budget_epochs < 1:
        parser.error("sizes and --budget-epochs must be positive")
    if arguments.epochs < 1 or arguments.warmup < 1:
        parser.error("--epochs and --warmup must be at least 1")
    if arguments.peak_gflops is not None and not arguments.peak_gflops > 0:
        parser.error("--peak-gflops must be positive")
    if arguments.output is None:
        arguments.output = RESULTS / ("throughput-quick" if arguments.quick else "throughput")
    return arguments


def run_job(what: str, job: dict, backend: str) -> dict:
    """Run a job in a process of its own on ``backend``, saying so first."""
    print(f"{what} ...", file=sys.stderr, flush=True)
    return run_in_subprocess(job, backend)


def run_throughput(arguments: argparse.Namespace, report: dict) -> None:
    """Time every runner asked for; add its rows, or why it is not available, to the report."""
    timing = {name: getattr(arguments, name) for name in ("sizes", "models", "epochs", "warmup")}
    for runner in arguments.runners:
        job = {"kind": "throughput", "runner": runner, **timing}
        result = run_job(f"timing {runner}", job, split_runner(runner)[1])
        if result["available"]:
            report["course_settings"].update(result["settings"])
            report["throughput"] += result["rows"]
            report["peak_mb"][runner] = result["peak_mb"]
        else:
            report["unavailable"][runner] = result["reason"]
    add_ratios(report["throughput"])


def _budget_backends(arguments: argparse.Namespace, fastest: str | None) -> tuple[list[str], str]:
    """The backends of the budget run, and a sentence saying why these."""
    if arguments.budget_backends:
        return list(arguments.budget_backends), "Backends chosen on the command line."
    if fastest is None:
        return [DEFAULT_BACKEND], "No course train() throughput was measured, so only the default backend ran."
    return (
        list(dict.fromkeys([DEFAULT_BACKEND, fastest])),
        f"The fastest backend for the course's train() in the throughput part was {BACKEND_NAMES[fastest]}.",
    )


def run_budget(arguments: argparse.Namespace, throughput: list[dict]) -> dict:
    """The budget run on TensorFlow and on the fastest backend (or the backends asked for)."""
    fastest = fastest_backend(throughput, arguments.models)
    backends, note = _budget_backends(arguments, fastest)
    size, epochs, models = arguments.budget_size, arguments.budget_epochs, arguments.models
    rows = []
    for backend in backends:
        job = {"kind": "budget", "backend": backend, "size": size, "epochs": epochs, "models": models}
        rows.append({"backend": backend, **run_job(f"budget run on {backend}", job, backend)})
    return {"size": size, "epochs": epochs, "fastest": fastest, "note": note, "rows": rows}


def peak_record(peak_gflops: float | None = None) -> dict:
    """The machine's peak for the hardware bound, and how it was found: ``peak_gflops`` as given, or measured."""
    if peak_gflops is not None:
        return {"peak_gflops": peak_gflops, "peak_measurement": {"how": "given by --peak-gflops"}}
    print("measuring the peak matrix-product rate ...", file=sys.stderr, flush=True)
    load = os.getloadavg()
    return {
        "peak_gflops": hardware.measure_peak_gflops(PEAK_SIZE, PEAK_REPEATS),
        "peak_measurement": {
            "how": f"best of {PEAK_REPEATS} products of two {PEAK_SIZE}x{PEAK_SIZE} float32 matrices with NumPy "
            f"{metadata.version('numpy')} on all cores, after one warm-up; 2 n^3 operations per product",
            "date": time.strftime("%Y-%m-%d %H:%M"),
            "load_average": load,
        },
    }


def rebuild_report(arguments: argparse.Namespace) -> dict:
    """``--report-only``: read the .json of an earlier run, add the peak if it has none or one is given, write both files."""
    path = arguments.output.with_suffix(".json")
    report = json.loads(path.read_text())
    if arguments.peak_gflops is not None or report.get("peak_gflops") is None:
        report.update(peak_record(arguments.peak_gflops))
    write_report(report, arguments.output)
    return report


def new_report(arguments: argparse.Namespace, argv: Sequence[str] | None) -> dict:
    return {
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "arguments": list(sys.argv[1:] if argv is None else argv),
        "quick": arguments.quick,
        "machine": machine(),
        "load_average": os.getloadavg(),
        "timing": {"epochs": arguments.epochs, "warmup": arguments.warmup, "sizes": arguments.sizes},
        "course_settings": {},
        "throughput": [],
        "unavailable": {},
        "peak_mb": {},
    }


def write_report(report: dict, output: Path) -> None:
    """Write ``output``.json and ``output``.md, and print the Markdown."""
    text = markdown_report(report)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.with_suffix(".json").write_text(json.dumps(report, indent=1) + "\n")
    output.with_suffix(".md").write_text(text)
    print(text)
    print(f"Wrote {output.with_suffix('.json')} and {output.with_suffix('.md')}.", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> dict:
    arguments = parse_arguments(argv)
    if arguments.report_only:
        return rebuild_report(arguments)
    report = new_report(arguments, argv)
    report.update(peak_record(arguments.peak_gflops))  # before the runs, on a quiet machine
    if "throughput" in arguments.parts:
        run_throughput(arguments, report)
    if "budget" in arguments.parts:
        report["budget"] = run_budget(arguments, report["throughput"])
        for row in report["budget"]["rows"]:
            report["course_settings"].update(row.pop("settings", {}))
    report["load_average_at_end"] = os.getloadavg()
    write_report(report, arguments.output)
    return report


if __name__ == "__main__":
    main()
