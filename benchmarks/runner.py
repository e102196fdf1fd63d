"""Timing one training code on one Keras backend, in a process of its own.

Keras fixes its backend when it is first imported, so ``throughput.py``, which never imports
Keras, runs each job in a fresh process: :func:`run_in_subprocess` starts
``python -m benchmarks.runner JOB`` with ``KERAS_BACKEND`` set, passes on the progress lines the
job writes to stderr, and reads the job's result from the stdout line that starts with
``RESULT``. A job is a JSON object, one of

- ``{"kind": "throughput", "runner": "fit-jax", "sizes": [4000], "models": [...], "epochs": 5, "warmup": 1}``:
  images per second of one runner (a training code on a backend, see :func:`runner_names`) on
  every size and model;
- ``{"kind": "budget", "backend": "jax", "size": 60000, "epochs": 50, "models": [...]}``: seconds
  and peak memory of the course's ``train()`` on the models.

Importing this module does not import Keras; running a job does, through ``course_utils``. So
does the NumPy baseline's job, for the course's settings and layer sizes, on the lightest Keras
backend installed (:func:`job_environment`).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from importlib import metadata
from pathlib import Path

import numpy as np

from benchmarks.numpy_autoencoder import NumpyAutoencoder, train_numpy

ROOT = Path(__file__).resolve().parents[1]
BACKENDS = ("tensorflow", "jax", "torch")  # also the names of their packages
CODES = ("course", "fit")
RESULT_PREFIX = "RESULT "
PROGRESS_PREFIX = "  · "


def runner_names() -> list[str]:
    """Every training code on every backend, then the NumPy baseline: ``course-tensorflow`` first."""
    return [f"{code}-{backend}" for backend in BACKENDS for code in CODES] + ["numpy"]


def split_runner(runner: str) -> tuple[str, str]:
    """``"fit-jax"`` -> ``("fit", "jax")``; ``"numpy"`` -> ``("numpy", "numpy")``."""
    if runner == "numpy":
        return "numpy", "numpy"
    code, _, backend = runner.partition("-")
    if code not in CODES or backend not in BACKENDS:
        raise ValueError(f"unknown runner {runner!r}; choose from {', '.join(runner_names())}.")
    return code, backend


# --------------------------------------------------------------------------------------------
# Timing arithmetic
# --------------------------------------------------------------------------------------------


def epoch_durations(started: float, ends: Sequence[float]) -> list[float]:
    """The seconds of each epoch, from when training started and when each epoch ended."""
    return [end - start for start, end in zip([started, *ends[:-1]], ends)]


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


def repeat_to(images: np.ndarray, size: int) -> np.ndarray:
    """The first ``size`` images, repeating the set as often as needed."""
    repeats = -(-size // len(images))
    return np.concatenate([images] * repeats)[:size] if repeats > 1 else images[:size]


# --------------------------------------------------------------------------------------------
# A job, in its own process
# --------------------------------------------------------------------------------------------


def progress(message: str) -> None:
    """A progress line on stderr, which :func:`run_in_subprocess` passes on."""
    print(PROGRESS_PREFIX + message, file=sys.stderr, flush=True)


def peak_memory_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def offline_images() -> np.ndarray:
    from course_utils import data

    return data.load_mnist("subset", verbose=False).x_train


def course_settings() -> dict:
    """The course's training defaults (imports Keras)."""
    from dataclasses import asdict

    from course_utils import training

    return {**asdict(training.TrainingSettings()), "steps_per_execution": training.STEPS_PER_EXECUTION}


def keras_on(backend: str):
    """Keras, after checking that it runs on ``backend``."""
    from course_utils.backend import keras

    if keras.backend.backend() != backend:
        raise RuntimeError(f"asked for the {backend} backend but Keras runs on {keras.backend.backend()}")
    return keras


def epoch_timer(keras):
    """A callback that records when each epoch ends and its loss; set its ``started`` just before training."""

    class EpochTimer(keras.callbacks.Callback):
        def __init__(self) -> None:
            super().__init__()
            self.started = time.perf_counter()
            self.ends: list[float] = []
            self.losses: list[float] = []

        def on_epoch_end(self, epoch, logs=None) -> None:
            # Reading the loss first waits for asynchronous backends before the clock stops.
            self.losses.append(float((logs or {}).get("loss", float("nan"))))
            self.ends.append(time.perf_counter())

        def epoch_seconds(self) -> list[float]:
            return epoch_durations(self.started, self.ends)

    return EpochTimer()


def time_keras(keras, code: str, model_name: str, images: np.ndarray, epochs: int) -> tuple[list[float], float]:
    """Seconds per epoch and the final loss of the course's ``train()`` (``code="course"``) or a bare fit."""
    from course_utils import models, training

    settings = training.TrainingSettings(epochs=epochs)
    autoencoder = models.build_article_model(model_name, seed=0)
    timer = epoch_timer(keras)
    timer.started = time.perf_counter()
    if code == "course":
        training.train(autoencoder, images, settings=settings, seed=0, verbose=False, callbacks=[timer])
    else:
        autoencoder.autoencoder.compile("adam", "binary_crossentropy")
        autoencoder.autoencoder.fit(images, images, batch_size=settings.batch_size, epochs=epochs, callbacks=[timer])
    return timer.epoch_seconds(), timer.losses[-1]


def time_numpy(model_name: str, images: np.ndarray, epochs: int, settings: dict) -> tuple[list[float], float]:
    """Seconds per epoch and the final loss of the NumPy baseline, at the course's batch size and learning rate."""
    from course_utils import models

    model = NumpyAutoencoder(models.layer_sizes(models.ARTICLE_HIDDEN_UNITS[model_name]), seed=0)
    if model.count_params() != models.ARTICLE_PARAMETER_COUNTS[model_name]:
        raise RuntimeError(f"the NumPy {model_name} has {model.count_params()} parameters, not the article's")
    ends: list[float] = []
    started = time.perf_counter()
    losses = train_numpy(
        model,
        images,
        epochs,
        settings["batch_size"],
        settings["learning_rate"],
        on_epoch_end=lambda *_: ends.append(time.perf_counter()),
    )
    return epoch_durations(started, ends), losses[-1]


def throughput_row(job: dict, keras, settings: dict, model_name: str, images: np.ndarray) -> dict:
    """Time the job's runner on one model and training set."""
    code, backend = split_runner(job["runner"])
    epochs = job["warmup"] + job["epochs"]
    if code == "numpy":
        seconds, loss = time_numpy(model_name, images, epochs, settings)
    else:
        seconds, loss = time_keras(keras, code, model_name, images, epochs)
    row = {"runner": job["runner"], "code": code, "backend": backend, "size": len(images), "model": model_name}
    row.update(summarise_epochs(seconds, len(images), job["warmup"]), final_loss=loss)
    progress(f"{job['runner']:<18} {model_name} {len(images):>7,} images: {row['samples_per_second']:>10,.0f} images/s")
    return row


def measure_throughput(job: dict) -> dict:
    """The throughput job: time one runner on every size and model."""
    code, backend = split_runner(job["runner"])
    keras = None if code == "numpy" else keras_on(backend)
    settings = course_settings()
    offline = offline_images()
    rows = [
        throughput_row(job, keras, settings, model_name, repeat_to(offline, size))
        for size in job["sizes"]
        for model_name in job["models"]
    ]
    return {"rows": rows, "peak_mb": peak_memory_mb(), "settings": settings}


def measure_budget(job: dict) -> dict:
    """The budget job: train the models with the course's ``train()``; total seconds and peak memory."""
    keras_on(job["backend"])
    from course_utils import models, training

    images = repeat_to(offline_images(), job["size"])
    settings = training.TrainingSettings(epochs=job["epochs"])
    seconds, losses = {}, {}
    for model_name in job["models"]:
        autoencoder = models.build_article_model(model_name, seed=0)
        started = time.perf_counter()
        history = training.train(autoencoder, images, settings=settings, seed=0, verbose=False)
        seconds[model_name] = time.perf_counter() - started
        losses[model_name] = float(history.history["loss"][-1])
        progress(f"budget {job['backend']} {model_name}: {seconds[model_name]:.1f} s")
    return {
        "model_seconds": seconds,
        "total_seconds": sum(seconds.values()),
        "final_losses": losses,
        "peak_mb": peak_memory_mb(),
        "settings": course_settings(),
    }


JOBS = {"throughput": measure_throughput, "budget": measure_budget}


def run_job(job: dict) -> None:
    """Run a job in this process and print its result as one ``RESULT {...}`` line on stdout."""
    kind = job.pop("kind", None)
    if kind not in JOBS:
        raise ValueError(f"unknown job kind {kind!r}; choose from {', '.join(JOBS)}.")
    print(RESULT_PREFIX + json.dumps(JOBS[kind](job)), flush=True)


# --------------------------------------------------------------------------------------------
# The parent's side: start a job, read its result
# --------------------------------------------------------------------------------------------


def unavailable_reason(backend: str) -> str | None:
    """Why a backend cannot run here (its package is not installed), or None."""
    if backend == "numpy":
        return None
    try:
        metadata.version(backend)
    except metadata.PackageNotFoundError:
        return f"{backend} is not installed"
    return None


def job_environment(backend: str) -> dict[str, str]:
    """The job's environment: Keras on ``backend``.

    The NumPy baseline reads the course's settings, which imports Keras: it gets the lightest backend,
    Keras' own ``numpy`` (which needs JAX installed), or else TensorFlow.
    """
    if backend == "numpy":
        backend = "tensorflow" if unavailable_reason("jax") else "numpy"
    return {**os.environ, "KERAS_BACKEND": backend}


def _pass_on_progress(stderr: Iterable[str]) -> list[str]:
    """Print the job's progress lines as they come; return its last other lines (its errors)."""
    errors: list[str] = []
    for line in stderr:
        if line.startswith(PROGRESS_PREFIX):
            print(line.rstrip(), file=sys.stderr, flush=True)
        elif line.strip():
            errors = [*errors[-20:], line.strip()]
    return errors


def _read_result(stdout: str) -> dict | None:
    for line in reversed(stdout.splitlines()):
        if line.startswith(RESULT_PREFIX):
            return json.loads(line[len(RESULT_PREFIX) :])
    return None


def run_in_subprocess(job: dict, backend: str) -> dict:
    """Run a job in a fresh process on ``backend``: ``{"available": True, **result}``, or
    ``{"available": False, "reason": ...}`` when the backend is not installed or the job fails.

    What ``fit`` prints to stdout goes to a file, read at the end for the result line.
    """
    missing = unavailable_reason(backend)
    if missing:
        return {"available": False, "reason": missing}
    command = [sys.executable, "-m", "benchmarks.runner", json.dumps(job)]
    with tempfile.TemporaryFile("w+") as output:
        environment = job_environment(backend)
        with subprocess.Popen(
            command, cwd=ROOT, env=environment, stdout=output, stderr=subprocess.PIPE, text=True
        ) as job_process:
            errors = _pass_on_progress(job_process.stderr)
        output.seek(0)
        result = _read_result(output.read())
    if result is not None:
        return {"available": True, **result}
    reason = errors[-1] if errors else f"exit code {job_process.returncode}"
    print(f"  failed: {reason}", file=sys.stderr, flush=True)
    return {"available": False, "reason": reason[:300]}


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("job", type=json.loads, help="the job, a JSON object as above")
    run_job(parser.parse_args(argv).job)


if __name__ == "__main__":
    main()
