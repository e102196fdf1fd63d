"""Batch size and epochs: training speed against latent quality, for the three article models.

Two measurements, each on the backend Keras runs on (set ``KERAS_BACKEND``):

- ``quality``: every candidate trains each model for up to 60 epochs on 3,200 of the course's
  training images, over several seeds; at checkpoint epochs it records the training time so far
  and, on the other 800 training images (a validation split: the test images choose nothing), the
  reconstruction loss, the kNN accuracy and the trustworthiness of the codes.
- ``speed``: images per second of the course's ``train()`` at each candidate batch size on
  60,000 images (the offline images repeated: a speed test only), and from it the projected time
  of the issue's budget (three models, 50 epochs, 60,000 images).

Each backend's results go to ``results/batch_size-<backend>.json`` (a part not run this time is
kept from the previous file); the Markdown report
``results/batch_size.md`` is rebuilt from every JSON file present.

    KERAS_BACKEND=jax python benchmarks/batch_size.py --parts quality speed
    python benchmarks/batch_size.py --parts speed
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

if not __package__:  # run as `python benchmarks/batch_size.py`: import the package as `python -m` would
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.runner import epoch_timer, repeat_to, summarise_epochs  # noqa: E402
from benchmarks.tables import markdown_table, mean_and_sd  # noqa: E402
from course_utils import environment  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
# (batch size, learning rate): the course default first, then larger batches at the same rate, and
# one larger batch with the rate raised by about the square root of the batch ratio.
CANDIDATES = ((32, 1e-3), (64, 1e-3), (128, 1e-3), (256, 1e-3), (256, 3e-3))
CHECKPOINTS = (10, 20, 30, 45, 60)
SPEED_SIZE = 60_000
BUDGET_EPOCHS = 50


def candidate_name(batch_size: int, learning_rate: float) -> str:
    """A short label such as ``batch 64, lr 0.001``."""
    return f"batch {batch_size}, lr {learning_rate:g}"


def checkpoint_callback(keras, autoencoder, mnist, checkpoints, rows: list[dict], base: dict):
    """A callback that measures the codes at the checkpoint epochs, off the training clock."""
    from course_utils import metrics

    class Checkpoints(keras.callbacks.Callback):
        def on_train_begin(self, logs=None) -> None:
            self.training_seconds, self.started = 0.0, time.perf_counter()

        def on_epoch_begin(self, epoch, logs=None) -> None:
            self.started = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None) -> None:
            float((logs or {}).get("loss", 0.0))  # waits for asynchronous backends before the clock stops
            self.training_seconds += time.perf_counter() - self.started
            if epoch + 1 in checkpoints:
                scores = metrics.measure(metrics.autoencoder_representation(autoencoder), mnist)
                rows.append({**base, "epochs": epoch + 1, "seconds": self.training_seconds, **scores})

    return Checkpoints()


def measure_quality(seeds: list[int], checkpoints: tuple[int, ...]) -> list[dict]:
    """Train every candidate, model and seed on a training split; validation scores at each checkpoint."""
    keras = environment.import_keras_quietly()
    from course_utils import data, models, training

    course = data.load_mnist("subset")
    x_fit, y_fit, x_val, y_val = data.split_validation(course.x_train, course.y_train)
    mnist = data.MnistData(x_fit, y_fit, x_val, y_val, course.source, "validation split of the training images")
    rows: list[dict] = []
    for batch_size, learning_rate in CANDIDATES:
        settings = training.TrainingSettings(epochs=max(checkpoints), batch_size=batch_size, learning_rate=learning_rate)
        for model_name in models.ARTICLE_HIDDEN_UNITS:
            for seed in seeds:
                autoencoder = models.build_article_model(model_name, seed=seed)
                base = {"candidate": candidate_name(batch_size, learning_rate), "model": model_name, "seed": seed}
                callback = checkpoint_callback(keras, autoencoder, mnist, checkpoints, rows, base)
                training.train(autoencoder, mnist.x_train, settings=settings, seed=seed, verbose=False, callbacks=[callback])
                print(f"  · quality {base['candidate']} {model_name} seed {seed}: {rows[-1]}", flush=True)
    return rows


def measure_speed(timed_epochs: int) -> list[dict]:
    """Median images per second of the course's train() per batch size and model on 60,000 images."""
    keras = environment.import_keras_quietly()
    from course_utils import data, models, training

    images = repeat_to(data.load_mnist("subset", verbose=False).x_train, SPEED_SIZE)
    rows = []
    for batch_size in sorted({batch for batch, _ in CANDIDATES}):
        for model_name in models.ARTICLE_HIDDEN_UNITS:
            timer = epoch_timer(keras)
            settings = training.TrainingSettings(epochs=1 + timed_epochs, batch_size=batch_size)
            autoencoder = models.build_article_model(model_name, seed=0)
            timer.started = time.perf_counter()
            training.train(autoencoder, images, settings=settings, seed=0, verbose=False, callbacks=[timer])
            timing = summarise_epochs(timer.epoch_seconds(), SPEED_SIZE, warmup=1)
            row = {
                "batch_size": batch_size,
                "model": model_name,
                "images_per_second": timing["samples_per_second"],
                "first_epoch_seconds": timing["first_epoch_seconds"],
                "median_epoch_seconds": timing["median_epoch_seconds"],
            }
            print(f"  · speed batch {batch_size} {model_name}: {row['images_per_second']:,.0f} images/s", flush=True)
            rows.append(row)
    return rows


def projected_budget(speed_rows: list[dict], batch_size: int) -> float:
    """Seconds for the three models x 50 epochs on 60,000 images: first epoch + 49 median epochs."""
    rows = [row for row in speed_rows if row["batch_size"] == batch_size]
    return sum(row["first_epoch_seconds"] + (BUDGET_EPOCHS - 1) * row["median_epoch_seconds"] for row in rows)


QUALITY_COLUMNS = {
    "candidate": "batch, learning rate",
    "seconds": "training (s)",
    "bce": "validation BCE",
    "knn_accuracy": "kNN accuracy",
    "trustworthiness": "trustworthiness",
}


def quality_table(rows: list[dict]) -> str:
    """Mean ± standard deviation over seeds, per model, candidate and checkpoint."""
    digits = {"seconds": 1, "bce": 4, "knn_accuracy": 3, "trustworthiness": 3}
    summary = mean_and_sd(rows, ["model", "candidate", "epochs"], digits).sort_values("model", kind="stable")
    return markdown_table(summary.rename(columns=QUALITY_COLUMNS), text_columns=2)


def speed_table(results: dict[str, dict]) -> str:
    """Images per second per backend, batch size and model, and the projected budget time."""
    rows = []
    for backend, result in results.items():
        speed = result.get("speed") or []
        for batch_size in sorted({row["batch_size"] for row in speed}):
            rates = {
                f"{row['model']} (images/s)": f"{row['images_per_second']:,.0f}"
                for row in speed
                if row["batch_size"] == batch_size
            }
            budget = f"{projected_budget(speed, batch_size):.0f}"
            rows.append({"backend": backend, "batch": batch_size, **rates, "projected budget (s)": budget})
    return markdown_table(rows)


def markdown_report(results: dict[str, dict]) -> str:
    """The report from every backend's saved results."""
    parts = ["# Batch size and epochs: speed against latent quality", ""]
    for backend, result in results.items():
        when = ", ".join(
            f"{part} measured {result.get(f'{part}_measured', result['measured'])}"
            for part in ("speed", "quality")
            if result.get(part)
        )
        parts.append(f"- {backend}: {when}; last run on {result['machine']}; {result['versions']}.")
    parts += [
        "",
        "## Speed",
        "",
        f"The course's `train()` on {SPEED_SIZE:,} images (the 4,000 offline images repeated: a speed test, not "
        "full MNIST); median epoch after one warm-up epoch. The projected budget is the first epoch plus 49 median "
        f"epochs, summed over the three models ({BUDGET_EPOCHS} epochs each).",
        "",
        speed_table(results),
    ]
    for backend, result in results.items():
        if result.get("quality"):
            parts += [
                "",
                f"## Latent quality ({backend}, seeds {result['seeds']})",
                "",
                "Trained on 3,200 of the course's training images and scored on the other 800 (a validation "
                "split; the test images were not used). Training seconds exclude the scoring; mean ± standard "
                "deviation over the seeds.",
                "",
                quality_table(result["quality"]),
            ]
    return "\n".join(parts) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--parts", nargs="+", choices=["quality", "speed"], default=["quality", "speed"])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--timed-epochs", type=int, default=2)
    arguments = parser.parse_args()
    environment.setup(seed=0)
    found = environment.versions()
    backend = found["backend"]
    saved = RESULTS / f"batch_size-{backend}.json"
    previous = json.loads(saved.read_text()) if saved.exists() else {}
    kept = [part for part in ("quality", "speed") if part in previous and part not in arguments.parts]
    result = {
        **{part: previous[part] for part in kept},
        **{f"{part}_measured": previous.get(f"{part}_measured", previous.get("measured")) for part in kept},
        **{f"{part}_measured": time.strftime("%Y-%m-%d %H:%M") for part in arguments.parts},
        "measured": time.strftime("%Y-%m-%d %H:%M"),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at the start",
        "versions": ", ".join(f"{name} {version}" for name, version in found.items() if name != "backend"),
        "seeds": arguments.seeds,
    }
    if "quality" in arguments.parts:
        result["quality"] = measure_quality(arguments.seeds, CHECKPOINTS)
    if "speed" in arguments.parts:
        result["speed"] = measure_speed(arguments.timed_epochs)
    RESULTS.mkdir(exist_ok=True)
    saved.write_text(json.dumps(result, indent=1))
    saved = {
        path.stem.removeprefix("batch_size-"): json.loads(path.read_text())
        for path in sorted(RESULTS.glob("batch_size-*.json"))
    }
    report = markdown_report(saved)
    (RESULTS / "batch_size.md").write_text(report)
    print(report)


if __name__ == "__main__":
    main()
