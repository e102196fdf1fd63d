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
- ``numpy``: the floor, the same forward and backward matrix products and Adam updates in NumPy.

Sizes: the offline training set (4,000 images) and 60,000 images made by repeating them, the
size of the real MNIST training set: a speed test only, not full MNIST.

The budget part trains the three models for 50 epochs on the 60,000 images with the course's
``train()``, on TensorFlow and on the fastest backend found, and reports total seconds and peak
memory. Writes ``benchmarks/results/throughput.json`` and ``throughput.md``.

    nice python benchmarks/throughput.py            # the full run, on a quiet machine
    python benchmarks/throughput.py --quick         # a check that every part runs (a few minutes)
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from importlib import metadata
from pathlib import Path

import numpy as np

RESULTS = Path(__file__).resolve().parent / "results"
ARTICLE_MODELS = ("Autoencoder_1", "Autoencoder_2", "Autoencoder_3")
OFFLINE_TRAIN_SIZE = 4_000
BACKENDS = ("tensorflow", "jax", "torch")
DEFAULT_BACKEND = "tensorflow"
REFERENCE = "course-tensorflow"
RESULT_PREFIX = "RESULT "
PROGRESS_PREFIX = "  · "
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
CODE_NAMES = {"course": "course train()", "fit": "bare model.fit", "numpy": "NumPy floor"}

# What to measure and how long: the full run and --quick. An option given explicitly wins.
FULL = {"sizes": [4_000, 60_000], "epochs": 5, "warmup": 1, "budget_size": 60_000, "budget_epochs": 50}
QUICK = {"sizes": [2_000], "epochs": 2, "warmup": 1, "budget_size": 2_000, "budget_epochs": 2}


def runner_names() -> list[str]:
    """Every training code on every backend, then the NumPy floor: ``course-tensorflow`` first."""
    return [f"{code}-{backend}" for backend in BACKENDS for code in ("course", "fit")] + ["numpy"]


def split_runner(runner: str) -> tuple[str, str]:
    """``"fit-jax"`` -> ``("fit", "jax")``; ``"numpy"`` -> ``("numpy", "numpy")``."""
    if runner == "numpy":
        return "numpy", "numpy"
    code, _, backend = runner.partition("-")
    if code not in ("course", "fit") or backend not in BACKENDS:
        raise ValueError(f"unknown runner {runner!r}; choose from {', '.join(runner_names())}.")
    return code, backend


# --------------------------------------------------------------------------------------------
# The NumPy floor
# --------------------------------------------------------------------------------------------


def article_layer_sizes(hidden_units: Sequence[int], latent_dim: int = 2, input_dim: int = 784) -> list[int]:
    """Layer widths from input to output, as in :func:`course_utils.models.architecture_string`."""
    return [input_dim, *hidden_units, latent_dim, *reversed(hidden_units), input_dim]


class NumpyAutoencoder:
    """A dense autoencoder in NumPy alone: ReLU hidden layers, a linear code, a sigmoid output.

    The loss is Keras' binary cross-entropy (mean over pixels and images), computed from the
    output layer's pre-activations, whose gradient is ``(sigmoid(z) - x) / (n_images * n_pixels)``.
    Weights start as in Keras (Glorot uniform, zero biases).
    """

    def __init__(self, sizes: Sequence[int], seed: int = 0, dtype=np.float32) -> None:
        self.sizes = list(sizes)
        if len(self.sizes) % 2 == 0 or len(self.sizes) < 3:
            raise ValueError(f"an autoencoder has an odd number of layer widths (>= 3), not {self.sizes}.")
        rng = np.random.default_rng(seed)
        self.params: list[np.ndarray] = []
        for fan_in, fan_out in zip(self.sizes[:-1], self.sizes[1:]):
            limit = math.sqrt(6.0 / (fan_in + fan_out))
            self.params.append(rng.uniform(-limit, limit, size=(fan_in, fan_out)).astype(dtype))
            self.params.append(np.zeros(fan_out, dtype=dtype))
        code_layer = len(self.sizes) // 2 - 1  # the layer whose output is the code
        layers = len(self.sizes) - 1
        self.activations = [
            "linear" if i == code_layer else "sigmoid" if i == layers - 1 else "relu" for i in range(layers)
        ]

    def count_params(self) -> int:
        return sum(param.size for param in self.params)

    def _forward(self, images: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
        inputs, outputs = [], images
        for layer, activation in enumerate(self.activations):
            inputs.append(outputs)
            outputs = outputs @ self.params[2 * layer] + self.params[2 * layer + 1]
            if activation == "relu":
                np.maximum(outputs, 0, out=outputs)
        return inputs, outputs  # the last outputs are the sigmoid's pre-activations (logits)

    @staticmethod
    def _bce_and_sigmoid(images: np.ndarray, logits: np.ndarray) -> tuple[float, np.ndarray]:
        """Binary cross-entropy from logits, softplus(z) - x z (stable for any z), and sigmoid(z)."""
        small = np.exp(-np.abs(logits))  # one exponential serves both
        loss = np.mean(np.maximum(logits, 0) + np.log1p(small) - images * logits)
        sigmoid = np.where(logits >= 0, 1.0, small) / (1.0 + small)
        return float(loss), sigmoid

    def reconstruct(self, images: np.ndarray) -> np.ndarray:
        return self._bce_and_sigmoid(images, self._forward(images)[1])[1]

    def loss(self, images: np.ndarray) -> float:
        return self._bce_and_sigmoid(images, self._forward(images)[1])[0]

    def loss_and_gradients(self, images: np.ndarray) -> tuple[float, list[np.ndarray]]:
        """The loss of a batch and its gradient with respect to every weight and bias."""
        inputs, logits = self._forward(images)
        loss, delta = self._bce_and_sigmoid(images, logits)
        delta -= images
        delta *= 1.0 / images.size
        gradients: list[np.ndarray] = [None] * len(self.params)  # type: ignore[list-item]
        for layer in reversed(range(len(self.activations))):
            gradients[2 * layer] = inputs[layer].T @ delta
            gradients[2 * layer + 1] = delta.sum(axis=0)
            if layer:
                delta = delta @ self.params[2 * layer].T
                if self.activations[layer - 1] == "relu":
                    delta *= inputs[layer] > 0  # inputs[layer] is the ReLU's output
        return loss, gradients


class Adam:
    """Keras' Adam, written minimally: in-place updates of the parameter arrays."""

    def __init__(self, params: list[np.ndarray], learning_rate: float = 1e-3, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
        self.params, self.learning_rate = params, learning_rate
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon
        self.m = [np.zeros_like(param) for param in params]
        self.v = [np.zeros_like(param) for param in params]
        self.steps = 0

    def step(self, gradients: list[np.ndarray]) -> None:
        self.steps += 1
        rate = self.learning_rate * math.sqrt(1 - self.beta_2**self.steps) / (1 - self.beta_1**self.steps)
        for param, gradient, m, v in zip(self.params, gradients, self.m, self.v):
            m *= self.beta_1
            m += (1 - self.beta_1) * gradient
            v *= self.beta_2
            v += (1 - self.beta_2) * gradient * gradient
            param -= rate * m / (np.sqrt(v) + self.epsilon)


def train_numpy(
    model: NumpyAutoencoder,
    images: np.ndarray,
    epochs: int,
    batch_size: int = 32,
    learning_rate: float = 1e-3,
    seed: int = 0,
    on_epoch_end: Callable[[int, float], None] | None = None,
) -> list[float]:
    """Shuffle, then one Adam step per batch; returns the mean training loss of every epoch."""
    rng = np.random.default_rng(seed)
    optimizer = Adam(model.params, learning_rate)
    losses = []
    for epoch in range(epochs):
        order = rng.permutation(len(images))
        total = 0.0
        for start in range(0, len(images), batch_size):
            batch = images[order[start : start + batch_size]]
            loss, gradients = model.loss_and_gradients(batch)
            optimizer.step(gradients)
            total += loss * len(batch)
        losses.append(total / len(images))
        if on_epoch_end is not None:
            on_epoch_end(epoch, losses[-1])
    return losses


# --------------------------------------------------------------------------------------------
# Timing and tables (no Keras here: the parent process never imports it)
# --------------------------------------------------------------------------------------------


def summarise_epochs(epoch_seconds: Sequence[float], samples: int, warmup: int) -> dict:
    """Throughput from per-epoch times: the median of the epochs after ``warmup``.

    The first epoch (which includes building and compiling the training step) is reported apart,
    with ``compile_seconds`` estimated as its excess over the median epoch.
    """
    if len(epoch_seconds) <= warmup:
        raise ValueError(f"need more than {warmup} epochs to time, got {len(epoch_seconds)}.")
    timed = list(epoch_seconds[warmup:])
    median = statistics.median(timed)
    return {
        "epoch_seconds": [round(seconds, 4) for seconds in epoch_seconds],
        "first_epoch_seconds": epoch_seconds[0],
        "median_epoch_seconds": median,
        "spread_epoch_seconds": (min(timed), max(timed)),
        "compile_seconds": max(0.0, epoch_seconds[0] - median),
        "samples_per_second": samples / median,
    }


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


def repeat_to(images: np.ndarray, size: int) -> np.ndarray:
    """The first ``size`` images, repeating the set as often as needed."""
    repeats = -(-size // len(images))
    return np.concatenate([images] * repeats)[:size] if repeats > 1 else images[:size]


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


def throughput_table(rows: list[dict], unavailable: dict[str, str] | None = None) -> str:
    """A Markdown table per size: model, code, backend, images/s, ratio to the course default, first epoch."""
    blocks = []
    for size in sorted({row["size"] for row in rows} or {0}):
        if not rows:
            break
        lines = [
            f"**{describe_size(size)}**",
            "",
            "| model | training code | backend | images/s | × course default | first epoch (s) "
            "| of which compile ≈ (s) | final loss |",
            "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |",
        ]
        for row in (row for row in rows if row["size"] == size):
            ratio = "–" if row.get("ratio") is None else f"{row['ratio']:.2f}"
            lines.append(
                f"| {row['model']} | {CODE_NAMES[row['code']]} | {BACKEND_NAMES[row['backend']]} "
                f"| {_number(row['samples_per_second'])} | {ratio} | {_number(row['first_epoch_seconds'], 2)} "
                f"| {_number(row['compile_seconds'], 2)} | {_number(row.get('final_loss'), 4)} |"
            )
        blocks.append("\n".join(lines))
    for runner, reason in (unavailable or {}).items():
        code, backend = split_runner(runner)
        blocks.append(f"- {CODE_NAMES[code]} on {BACKEND_NAMES[backend]}: **not available** ({reason})")
    return "\n\n".join(blocks)


def budget_table(rows: list[dict]) -> str:
    """A Markdown table of the budget runs: total and per-model seconds, and peak memory."""
    if not rows:
        return "(not run)"
    models = list(rows[0].get("model_seconds", {}))
    lines = [
        "| backend | total (s) | " + " | ".join(f"{model} (s)" for model in models) + " | peak memory (MB) |",
        "| --- | ---: | " + " | ".join("---:" for _ in models) + " | ---: |",
    ]
    for row in rows:
        if not row.get("available", True):
            lines.append(f"| {BACKEND_NAMES[row['backend']]} | not available ({row['reason']}) |")
            continue
        cells = " | ".join(_number(row["model_seconds"].get(model), 1) for model in models)
        lines.append(
            f"| {BACKEND_NAMES[row['backend']]} | {_number(row['total_seconds'], 1)} | {cells} "
            f"| {_number(row['peak_mb'])} |"
        )
    return "\n".join(lines)


def budget_verdicts(report: dict) -> list[str]:
    """Each budget of the performance issue, with the measured value and whether it holds."""
    lines = []
    for backend in sorted({row["backend"] for row in report["throughput"] if row["code"] == "fit"}):
        pairs = [
            (course["samples_per_second"], bare["samples_per_second"])
            for course in report["throughput"]
            for bare in report["throughput"]
            if course["backend"] == bare["backend"] == backend
            and (course["code"], bare["code"]) == ("course", "fit")
            and (course["model"], course["size"]) == (bare["model"], bare["size"])
        ]
        if pairs:
            worst = min(course / bare for course, bare in pairs)
            verdict = "holds" if worst >= 1 - FIT_TOLERANCE else "does NOT hold"
            lines.append(
                f"- course `train()` within {FIT_TOLERANCE:.0%} of a bare `model.fit` on {BACKEND_NAMES[backend]}: "
                f"{verdict} (slowest ratio {worst:.2f} over {len(pairs)} model and size pairs)"
            )
    budget = report.get("budget") or {}
    full_size = (budget.get("size"), budget.get("epochs")) == (FULL["budget_size"], FULL["budget_epochs"])
    for row in budget.get("rows", []):
        if not row.get("available", True):
            continue
        target = TIME_TARGETS["default"] if row["backend"] == DEFAULT_BACKEND else TIME_TARGETS["fastest"]
        if full_size:
            verdict = "holds" if row["total_seconds"] < target else "does NOT hold"
            lines.append(
                f"- {BACKEND_NAMES[row['backend']]}: three models x {budget['epochs']} epochs under {target:.0f} s: "
                f"{verdict} ({row['total_seconds']:.0f} s)"
            )
        verdict = "holds" if row["peak_mb"] < MEMORY_TARGET_MB else "does NOT hold"
        lines.append(
            f"- {BACKEND_NAMES[row['backend']]}: peak memory under {MEMORY_TARGET_MB:,} MB: {verdict} "
            f"({row['peak_mb']:,.0f} MB)"
        )
    if budget.get("rows") and not full_size:
        lines.append("- The time budgets apply to 50 epochs on 60,000 images only; this run used other sizes.")
    return lines


def fastest_backend(rows: list[dict], models: Sequence[str] = ARTICLE_MODELS) -> str | None:
    """The backend whose course ``train()`` would train all ``models`` soonest, on the largest size measured."""
    course = [row for row in rows if row["code"] == "course" and row.get("samples_per_second")]
    if not course:
        return None
    size = max(row["size"] for row in course)
    totals: dict[str, float] = {}
    for backend in {row["backend"] for row in course}:
        speeds = {
            row["model"]: row["samples_per_second"]
            for row in course
            if row["backend"] == backend and row["size"] == size
        }
        if all(model in speeds for model in models):
            totals[backend] = sum(size / speeds[model] for model in models)
    return min(totals, key=totals.get) if totals else None


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


def markdown_report(report: dict) -> str:
    """The whole report as Markdown: machine, settings, throughput tables and the budget run."""
    found, settings, timing = report["machine"], report["course_settings"], report["timing"]
    versions = ", ".join(f"{name} {version}" for name, version in found["versions"].items() if version)
    lines = [
        "# Training throughput of the article models",
        "",
        f"Measured {report['date']} by `python benchmarks/throughput.py {' '.join(report['arguments'])}`".rstrip()
        + ".",
    ]
    if report.get("quick"):
        lines += ["", "**A --quick run: too short to quote; it only checks that every part runs.**"]
    at_start = report["load_average"][0]
    if at_start > BUSY_LOAD:
        lines += [
            "",
            f"**The machine was not quiet (load average {at_start:.1f} at the start): other processes competed for the "
            "cores, so these timings understate every backend, PyTorch's most.**",
        ]
    lines += [
        "",
        f"- Machine: {found['cpu']}, {found['cores']} cores ({found['usable_cores']} usable), {found['system']}; "
        f"load average {report['load_average'][0]:.2f} at the start"
        + (
            f", {report['load_average_at_end'][0]:.2f} at the end (the benchmark's own threads)."
            if "load_average_at_end" in report
            else "."
        ),
        f"- Versions: {versions}.",
        f"- Settings: the course's `TrainingSettings` defaults (batch {settings.get('batch_size', '?')}, "
        f"{settings.get('optimizer', '?')} at {settings.get('learning_rate', '?')}, {settings.get('loss', '?')}); "
        f"no validation set. Throughput is images per second over the median of {timing['epochs']} timed epochs "
        f"after {timing['warmup']} warm-up epoch(s); the first epoch, with compilation, is reported apart "
        "(compile ≈ first epoch minus the median epoch).",
        "- `course train()` is `course_utils.training.train` (it runs "
        f"{settings.get('steps_per_execution', '?')} batches per backend call where the backend allows it); "
        '`bare model.fit` is `compile("adam", "binary_crossentropy")` and `fit(x, x, batch_size, epochs)` '
        "with defaults otherwise; the NumPy floor does the same products and Adam updates in NumPy alone.",
        "",
        "## Throughput",
        "",
        throughput_table(report["throughput"], report.get("unavailable")),
        "",
        "## Budget run",
        "",
    ]
    budget = report.get("budget") or {}
    if budget.get("rows"):
        lines += [
            f"The article models, {budget['epochs']} epochs each on {describe_size(budget['size'])}, "
            f"with the course's `train()`; peak memory is the resident set of the training process. {budget['note']}",
            "",
            budget_table(budget["rows"]),
        ]
    else:
        lines.append("(not run)")
    verdicts = budget_verdicts(report)
    if verdicts:
        lines += ["", "## Budgets", "", *verdicts]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------------
# Child processes: one backend each
# --------------------------------------------------------------------------------------------


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _offline_images() -> np.ndarray:
    from course_utils import data

    return data.load_mnist("subset", verbose=False).x_train


def _keras_for(backend: str):
    from course_utils import environment

    keras = environment.import_keras_quietly()
    if keras.backend.backend() != backend:
        raise RuntimeError(f"asked for the {backend} backend but Keras runs on {keras.backend.backend()}")
    return keras


def _epoch_timer(keras, started: list[float]):
    class EpochTimer(keras.callbacks.Callback):
        """Record when each epoch ends; reading the loss waits for asynchronous backends."""

        def __init__(self) -> None:
            super().__init__()
            self.ends: list[float] = []
            self.losses: list[float] = []

        def on_epoch_end(self, epoch, logs=None) -> None:
            self.losses.append(float((logs or {}).get("loss", float("nan"))))
            self.ends.append(time.perf_counter())

        def epoch_seconds(self) -> list[float]:
            return [end - start for start, end in zip([started[0], *self.ends[:-1]], self.ends)]

    return EpochTimer()


def _time_keras(code: str, backend: str, model_name: str, images: np.ndarray, epochs: int) -> tuple[list[float], float]:
    keras = _keras_for(backend)
    from course_utils import models, training

    settings = training.TrainingSettings(epochs=epochs)
    autoencoder = models.build_article_model(model_name, seed=0)
    started = [0.0]
    timer = _epoch_timer(keras, started)
    if code == "course":
        started[0] = time.perf_counter()
        training.train(autoencoder, images, settings=settings, seed=0, verbose=False, callbacks=[timer])
    else:
        model = autoencoder.autoencoder
        started[0] = time.perf_counter()
        model.compile("adam", "binary_crossentropy")
        model.fit(images, images, batch_size=settings.batch_size, epochs=epochs, callbacks=[timer])
    return timer.epoch_seconds(), timer.losses[-1]


def _time_numpy(model_name: str, images: np.ndarray, epochs: int, batch_size: int, learning_rate: float):
    from course_utils import models

    model = NumpyAutoencoder(article_layer_sizes(models.ARTICLE_HIDDEN_UNITS[model_name]), seed=0)
    if model.count_params() != models.ARTICLE_PARAMETER_COUNTS[model_name]:
        raise RuntimeError(f"the NumPy {model_name} has {model.count_params()} parameters, not the article's")
    ends: list[float] = []
    started = time.perf_counter()
    losses = train_numpy(
        model, images, epochs, batch_size, learning_rate, on_epoch_end=lambda *_: ends.append(time.perf_counter())
    )
    return [end - start for start, end in zip([started, *ends[:-1]], ends)], losses[-1]


def child_throughput(job: dict) -> dict:
    """Time one runner on every size and model of the job, in this process."""
    code, backend = split_runner(job["runner"])
    if code != "numpy":
        _keras_for(backend)
    settings = course_settings()
    offline = _offline_images()
    rows = []
    for size in job["sizes"]:
        images = repeat_to(offline, size)
        for model_name in job["models"]:
            epochs = job["warmup"] + job["epochs"]
            if code == "numpy":
                seconds, loss = _time_numpy(
                    model_name, images, epochs, settings["batch_size"], settings["learning_rate"]
                )
            else:
                seconds, loss = _time_keras(code, backend, model_name, images, epochs)
            row = {"runner": job["runner"], "code": code, "backend": backend, "size": size, "model": model_name}
            row.update(summarise_epochs(seconds, size, job["warmup"]), final_loss=loss)
            print(
                f"{PROGRESS_PREFIX}{job['runner']:<18} {model_name} {size:>7,} images: "
                f"{row['samples_per_second']:>10,.0f} images/s",
                file=sys.stderr,
                flush=True,
            )
            rows.append(row)
    return {"rows": rows, "peak_mb": _peak_mb(), "settings": settings}


def child_budget(job: dict) -> dict:
    """Train the models for the budget with the course's train() on this process's backend."""
    _keras_for(job["backend"])
    from course_utils import models, training

    images = repeat_to(_offline_images(), job["size"])
    settings = training.TrainingSettings(epochs=job["epochs"])
    seconds, losses = {}, {}
    for model_name in job["models"]:
        autoencoder = models.build_article_model(model_name, seed=0)
        started = time.perf_counter()
        history = training.train(autoencoder, images, settings=settings, seed=0, verbose=False)
        seconds[model_name] = time.perf_counter() - started
        losses[model_name] = float(history.history["loss"][-1])
        print(
            f"{PROGRESS_PREFIX}budget {job['backend']} {model_name}: {seconds[model_name]:.1f} s",
            file=sys.stderr,
            flush=True,
        )
    return {
        "model_seconds": seconds,
        "total_seconds": sum(seconds.values()),
        "final_losses": losses,
        "peak_mb": _peak_mb(),
        "settings": course_settings(),
    }


def child_main(job: dict) -> None:
    kind = job.pop("kind")
    result = child_throughput(job) if kind == "throughput" else child_budget(job)
    print(RESULT_PREFIX + json.dumps(result), flush=True)


def backend_missing(backend: str) -> str | None:
    """Why a backend cannot run here (its package is not installed), or None."""
    if backend == "numpy":
        return None
    package = {"tensorflow": "tensorflow", "jax": "jax", "torch": "torch"}[backend]
    try:
        metadata.version(package)
    except metadata.PackageNotFoundError:
        return f"{package} is not installed"
    return None


def run_child(job: dict, backend: str) -> dict:
    """Run a job in a fresh process on ``backend``; ``{"available": False, "reason": ...}`` if it fails.

    The child's progress lines are passed on as they come; what ``fit`` prints goes to a file.
    """
    missing = backend_missing(backend)
    if missing:
        return {"available": False, "reason": missing}
    environment = {**os.environ, "KERAS_BACKEND": backend}
    if backend == "numpy":  # the floor reads the course's settings, which imports Keras: the lightest backend
        environment["KERAS_BACKEND"] = "tensorflow" if backend_missing("jax") else "numpy"  # (Keras' numpy needs jax)
    environment.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    command = [sys.executable, str(Path(__file__).resolve()), "--child", json.dumps(job)]
    errors: list[str] = []
    with tempfile.TemporaryFile("w+") as output:
        with subprocess.Popen(command, env=environment, stdout=output, stderr=subprocess.PIPE, text=True) as process:
            for line in process.stderr:
                if line.startswith(PROGRESS_PREFIX):
                    print(line.rstrip(), file=sys.stderr, flush=True)
                elif line.strip():
                    errors = [*errors[-20:], line.strip()]
        output.seek(0)
        for line in reversed(output.read().splitlines()):
            if line.startswith(RESULT_PREFIX):
                return {"available": True, **json.loads(line[len(RESULT_PREFIX) :])}
    reason = errors[-1] if errors else f"exit code {process.returncode}"
    print(f"  failed: {reason}", file=sys.stderr, flush=True)
    return {"available": False, "reason": reason[:300]}


# --------------------------------------------------------------------------------------------
# The parent: options, the runs, the report
# --------------------------------------------------------------------------------------------


def parse_arguments(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="tiny sizes and few epochs, to check that everything runs")
    parser.add_argument("--parts", nargs="+", choices=["throughput", "budget"], default=["throughput", "budget"])
    parser.add_argument("--runners", nargs="+", choices=runner_names(), default=runner_names())
    parser.add_argument("--models", nargs="+", choices=ARTICLE_MODELS, default=list(ARTICLE_MODELS))
    parser.add_argument("--sizes", nargs="+", type=int, help=f"training-set sizes (full run: {FULL['sizes']})")
    parser.add_argument("--epochs", type=int, help=f"timed epochs after the warm-up (full run: {FULL['epochs']})")
    parser.add_argument("--warmup", type=int, help="untimed epochs first; the first one is reported apart (1)")
    parser.add_argument("--budget-size", type=int, help=f"images for the budget run (full run: {FULL['budget_size']})")
    parser.add_argument(
        "--budget-epochs", type=int, help=f"epochs of the budget run (full run: {FULL['budget_epochs']})"
    )
    parser.add_argument(
        "--budget-backends",
        nargs="+",
        choices=BACKENDS,
        help="backends for the budget run (default: tensorflow and the fastest course train() backend measured)",
    )
    parser.add_argument(
        "--output",
        type=Path,
        help="path without suffix for the .json and .md files "
        "(default benchmarks/results/throughput, or throughput-quick with --quick)",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    arguments = parser.parse_args(argv)
    plan = QUICK if arguments.quick else FULL
    for name, value in plan.items():
        if getattr(arguments, name) is None:
            setattr(arguments, name, value)
    if min(arguments.sizes) < 1 or arguments.budget_size < 1 or arguments.budget_epochs < 1:
        parser.error("sizes and --budget-epochs must be positive")
    if arguments.epochs < 1 or arguments.warmup < 1:
        parser.error("--epochs and --warmup must be at least 1")
    if arguments.output is None:
        arguments.output = RESULTS / ("throughput-quick" if arguments.quick else "throughput")
    return arguments


def course_settings() -> dict:
    """The course's training defaults (imports Keras: call it in a child process)."""
    from dataclasses import asdict

    from course_utils import training

    return {**asdict(training.TrainingSettings()), "steps_per_execution": training.STEPS_PER_EXECUTION}


def main(argv: Sequence[str] | None = None) -> dict:
    arguments = parse_arguments(argv)
    if arguments.child:
        child_main(json.loads(arguments.child))
        return {}
    report = {
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
    if "throughput" in arguments.parts:
        for runner in arguments.runners:
            print(f"timing {runner} ...", file=sys.stderr, flush=True)
            job = {
                "kind": "throughput",
                "runner": runner,
                "sizes": arguments.sizes,
                "models": arguments.models,
                "epochs": arguments.epochs,
                "warmup": arguments.warmup,
            }
            result = run_child(job, split_runner(runner)[1])
            if result["available"]:
                report["course_settings"].update(result["settings"])
                report["throughput"] += result["rows"]
                report["peak_mb"][runner] = result["peak_mb"]
            else:
                report["unavailable"][runner] = result["reason"]
        add_ratios(report["throughput"])
    if "budget" in arguments.parts:
        report["budget"] = run_budget(arguments, report["throughput"])
        for row in report["budget"]["rows"]:
            report["course_settings"].update(row.pop("settings", {}))
    report["load_average_at_end"] = os.getloadavg()
    text = markdown_report(report)
    arguments.output.parent.mkdir(parents=True, exist_ok=True)
    arguments.output.with_suffix(".json").write_text(json.dumps(report, indent=1) + "\n")
    arguments.output.with_suffix(".md").write_text(text)
    print(text)
    print(f"Wrote {arguments.output.with_suffix('.json')} and {arguments.output.with_suffix('.md')}.", file=sys.stderr)
    return report


def run_budget(arguments: argparse.Namespace, throughput: list[dict]) -> dict:
    """The budget run on TensorFlow and on the fastest backend (or the backends asked for)."""
    fastest = fastest_backend(throughput, arguments.models)
    if arguments.budget_backends:
        backends, note = list(arguments.budget_backends), "Backends chosen on the command line."
    elif fastest is None:
        backends, note = (
            [DEFAULT_BACKEND],
            "No course train() throughput was measured, so only the default backend ran.",
        )
    else:
        backends = list(dict.fromkeys([DEFAULT_BACKEND, fastest]))
        note = f"The fastest backend for the course's train() in the throughput part was {BACKEND_NAMES[fastest]}."
    rows = []
    for backend in backends:
        print(f"budget run on {backend} ...", file=sys.stderr, flush=True)
        job = {
            "kind": "budget",
            "backend": backend,
            "size": arguments.budget_size,
            "epochs": arguments.budget_epochs,
            "models": arguments.models,
        }
        rows.append({"backend": backend, **run_child(job, backend)})
    return {
        "size": arguments.budget_size,
        "epochs": arguments.budget_epochs,
        "fastest": fastest,
        "note": note,
        "rows": rows,
    }


if __name__ == "__main__":
    main()
