"""Training settings for 60,000 images, chosen on evidence: time to quality on full Fashion-MNIST.

Three parts, each on the backend Keras runs on (set ``KERAS_BACKEND``); each backend's results go
to ``results/full_size-<backend>.json`` (a part not run this time is kept from the previous file),
and ``results/full_size_settings.md`` is rebuilt from every such file.

- ``quality``: every candidate (batch size, learning rate) trains each article model for up to
  30 epochs on 48,000 of Fashion-MNIST's 60,000 training images, over several seeds. At checkpoint
  epochs it records the training time so far (the scoring is off the clock) and, on the other
  12,000 training images (a stratified validation split: the test images choose nothing), the
  reconstruction loss (BCE), the kNN accuracy and the trustworthiness of the codes.
- ``choice``: the fastest (candidate, epochs) whose mean on every measure is within the seed
  spread of the best mean, for all three models at once (the course holds settings identical
  across its models). "Within the seed spread": at most one standard deviation over seeds (the
  larger of the two points' deviations) from the best mean. Made from the quality rows, so a
  second backend can be checked against the first backend's choice.
- ``timing``: the chosen setting on all 60,000 training images, each model trained from scratch
  ``--repeats`` times, and batch 32 projected from its first epoch plus median epochs, for the
  same number of epochs and for the course's 30.

    KERAS_BACKEND=jax python benchmarks/full_size.py --parts quality timing
    python benchmarks/full_size.py --parts quality timing --candidates "batch 32, lr 0.001" chosen
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

if not __package__:  # run as `python benchmarks/full_size.py`: import the package as `python -m` would
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.batch_size import candidate_name, checkpoint_callback  # noqa: E402
from benchmarks.runner import epoch_timer, summarise_epochs  # noqa: E402
from benchmarks.tables import markdown_table, mean_and_sd  # noqa: E402
from course_utils import environment  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
REPORT = RESULTS / "full_size_settings.md"
# The course's batch 32 first; larger batches with the learning rate raised about with the square
# root of the batch ratio, and each large batch also with a rate above that.
CANDIDATES = ((32, 1e-3), (128, 2e-3), (256, 3e-3), (512, 3e-3), (512, 1e-2), (1024, 3e-3), (1024, 1e-2))
CHECKPOINTS = (5, 10, 20, 30)
MEASURES = {"bce": -1, "knn_accuracy": 1, "trustworthiness": 1}  # +1: higher is better
MODELS = ("Autoencoder_1", "Autoencoder_2", "Autoencoder_3")
COURSE_EPOCHS = 30
TRAINING_IMAGES = 60_000


def fashion_split():
    """Fashion-MNIST's training images split 48,000 to fit / 12,000 to validate, as ``MnistData``."""
    from course_utils import data

    full = data.load_fashion_mnist(verbose=False)
    x_fit, y_fit, x_val, y_val = data.split_validation(full.x_train, full.y_train)
    return data.MnistData(x_fit, y_fit, x_val, y_val, full.source, "validation split of the training images")


def measure_quality(candidates, seeds: list[int], checkpoints: tuple[int, ...]) -> list[dict]:
    """Train every candidate, model and seed on the fitting images; validation scores at each checkpoint."""
    keras = environment.import_keras_quietly()
    from course_utils import models, training

    split = fashion_split()
    rows: list[dict] = []
    total, done, started = len(candidates) * len(MODELS) * len(seeds), 0, time.perf_counter()
    for batch_size, learning_rate in candidates:
        settings = training.TrainingSettings(epochs=max(checkpoints), batch_size=batch_size, learning_rate=learning_rate)
        for model_name in MODELS:
            for seed in seeds:
                autoencoder = models.build_article_model(model_name, seed=seed)
                base = {"candidate": candidate_name(batch_size, learning_rate), "model": model_name, "seed": seed}
                callback = checkpoint_callback(keras, autoencoder, split, checkpoints, rows, base)
                training.train(autoencoder, split.x_train, settings=settings, seed=seed, verbose=False, callbacks=[callback])
                done += 1
                elapsed = time.perf_counter() - started
                print(
                    f"  · [{done}/{total}] {base['candidate']} {model_name} seed {seed}: "
                    f"{rows[-1]['seconds']:.1f} s, kNN {rows[-1]['knn_accuracy']:.3f} "
                    f"(about {elapsed / done * (total - done) / 60:.0f} min left)",
                    flush=True,
                )
    return rows


def point_statistics(rows: list[dict]) -> dict[tuple[str, int, str], dict]:
    """Mean and sd over seeds of the seconds and every measure, per (candidate, epochs, model)."""
    groups: dict[tuple[str, int, str], list[dict]] = {}
    for row in rows:
        groups.setdefault((row["candidate"], row["epochs"], row["model"]), []).append(row)
    result = {}
    for key, members in groups.items():
        result[key] = {"seeds": len(members)}
        for column in ("seconds", *MEASURES):
            values = [float(member[column]) for member in members]
            result[key][column] = statistics.fmean(values)
            result[key][f"{column}_sd"] = statistics.stdev(values) if len(values) > 1 else 0.0
    return result


def shortfalls(points: dict, model: str) -> dict[tuple[str, int], float]:
    """Per (candidate, epochs): how far its worst measure is behind the best mean for ``model``, in seed spreads.

    The seed spread of a measure is its typical standard deviation over seeds: the median over all
    of the model's points, or the best point's own if that is larger. A point's own spread never
    widens its tolerance, so an unstable setting (one seed that collapses) cannot qualify by being
    noisy. A shortfall of at most 1 is "within the seed spread of the best".
    """
    own = {key[:2]: value for key, value in points.items() if key[2] == model}
    worst = dict.fromkeys(own, 0.0)
    for measure, direction in MEASURES.items():
        best = max(own.values(), key=lambda value: direction * value[measure])
        typical = statistics.median(value[f"{measure}_sd"] for value in own.values())
        spread = max(best[f"{measure}_sd"], typical, 1e-12)
        for point, value in own.items():
            worst[point] = max(worst[point], direction * (best[measure] - value[measure]) / spread)
    return worst


def qualifying(points: dict, model: str) -> set[tuple[str, int]]:
    """The (candidate, epochs) whose every measure is within the seed spread of the best for ``model``."""
    return {point for point, shortfall in shortfalls(points, model).items() if shortfall <= 1.0}


def choose(rows: list[dict], speed: list[dict] | None = None) -> dict:
    """The fastest (candidate, epochs) within the seed spread of the best for every model, with the evidence.

    "Fastest" is the three models' training time on 60,000 images projected from ``speed`` (a quiet
    speed pass, :func:`measure_speed`) when given, else their training time on the 48,000 fitting
    images during the quality runs. When no point is within the spread for all three models, the
    point whose largest shortfall is smallest is chosen, and the result says so.
    """
    points = point_statistics(rows)
    by_model = [shortfalls(points, model) for model in MODELS]
    shortfall = {point: max(model[point] for model in by_model) for point in by_model[0]}

    def total_seconds(point: tuple[str, int]) -> float:
        if speed:
            return sum(projected_seconds(speed, parse_candidate(point[0])[0], model, point[1]) for model in MODELS)
        return sum(points[(*point, model)]["seconds"] for model in MODELS)

    shared = [point for point, value in shortfall.items() if value <= 1.0]
    candidate, epochs = min(shared, key=total_seconds) if shared else min(shortfall, key=shortfall.get)
    return {
        "candidate": candidate,
        "epochs": epochs,
        "seconds": total_seconds((candidate, epochs)),
        "seconds_on": "60,000 images, projected from the speed pass" if speed else "48,000 images, during the quality runs",
        "shortfall": shortfall[(candidate, epochs)],
        "qualifying": [f"{name}, {count} epochs" for name, count in sorted(shared, key=total_seconds)],
    }


def parse_candidate(name: str) -> tuple[int, float]:
    """``"batch 256, lr 0.003"`` back to ``(256, 0.003)``."""
    batch, rate = (part.split()[-1] for part in name.split(","))
    return int(batch), float(rate)


def time_setting(batch_size: int, learning_rate: float, epochs: int, repeats: int, images) -> list[dict]:
    """Train each model from scratch ``repeats`` times on ``images``; wall seconds of each ``train()``."""
    environment.import_keras_quietly()
    from course_utils import models, training

    settings = training.TrainingSettings(epochs=epochs, batch_size=batch_size, learning_rate=learning_rate)
    rows = []
    for repeat in range(repeats):
        for model_name in MODELS:
            autoencoder = models.build_article_model(model_name, seed=repeat)
            started = time.perf_counter()
            training.train(autoencoder, images, settings=settings, seed=repeat, verbose=False)
            seconds = time.perf_counter() - started
            rows.append(
                {
                    "setting": candidate_name(batch_size, learning_rate),
                    "model": model_name,
                    "repeat": repeat,
                    "epochs": epochs,
                    "seconds": seconds,
                    "projected": False,
                }
            )
            print(f"  · timing {rows[-1]['setting']} {model_name} #{repeat + 1}: {seconds:.1f} s", flush=True)
    return rows


def project_setting(batch_size: int, learning_rate: float, epochs_list: list[int], timed_epochs: int, images) -> list[dict]:
    """Seconds for ``epochs`` projected as the first epoch plus median later epochs (one short run per model)."""
    keras = environment.import_keras_quietly()
    from course_utils import models, training

    settings = training.TrainingSettings(epochs=1 + timed_epochs, batch_size=batch_size, learning_rate=learning_rate)
    rows = []
    for model_name in MODELS:
        timer = epoch_timer(keras)
        autoencoder = models.build_article_model(model_name, seed=0)
        timer.started = time.perf_counter()
        training.train(autoencoder, images, settings=settings, seed=0, verbose=False, callbacks=[timer])
        timing = summarise_epochs(timer.epoch_seconds(), len(images), warmup=1)
        for epochs in epochs_list:
            seconds = timing["first_epoch_seconds"] + (epochs - 1) * timing["median_epoch_seconds"]
            rows.append(
                {
                    "setting": candidate_name(batch_size, learning_rate),
                    "model": model_name,
                    "repeat": 0,
                    "epochs": epochs,
                    "seconds": seconds,
                    "projected": True,
                }
            )
        print(
            f"  · projected {candidate_name(batch_size, learning_rate)} {model_name}: {rows[-1]['seconds']:.1f} s",
            flush=True,
        )
    return rows


def measure_speed(timed_epochs: int) -> list[dict]:
    """First and median epoch seconds of every candidate batch size and model on all 60,000 training images."""
    keras = environment.import_keras_quietly()
    from course_utils import data, models, training

    images = data.load_fashion_mnist(verbose=False).x_train
    rows = []
    for batch_size in sorted({batch for batch, _ in CANDIDATES}):
        settings = training.TrainingSettings(epochs=1 + timed_epochs, batch_size=batch_size)
        for model_name in MODELS:
            timer = epoch_timer(keras)
            autoencoder = models.build_article_model(model_name, seed=0)
            timer.started = time.perf_counter()
            training.train(autoencoder, images, settings=settings, seed=0, verbose=False, callbacks=[timer])
            timing = summarise_epochs(timer.epoch_seconds(), len(images), warmup=1)
            rows.append({"batch_size": batch_size, "model": model_name, **timing})
            print(f"  · speed batch {batch_size} {model_name}: {timing['median_epoch_seconds']:.2f} s per epoch", flush=True)
    return rows


def projected_seconds(speed: list[dict], batch_size: int, model: str, epochs: int) -> float:
    """Seconds for ``epochs`` on 60,000 images: the first epoch plus median later ones, from the speed pass."""
    (row,) = (row for row in speed if row["batch_size"] == batch_size and row["model"] == model)
    return row["first_epoch_seconds"] + (epochs - 1) * row["median_epoch_seconds"]


def measure_timing(choice: dict, repeats: int, timed_epochs: int) -> list[dict]:
    """The chosen setting trained in full on 60,000 images; batch 32 projected for comparison."""
    from course_utils import data

    images = data.load_fashion_mnist(verbose=False).x_train
    batch_size, learning_rate = parse_candidate(choice["candidate"])
    rows = time_setting(batch_size, learning_rate, choice["epochs"], repeats, images)
    reference_epochs = sorted({choice["epochs"], COURSE_EPOCHS})
    return rows + project_setting(32, 1e-3, reference_epochs, timed_epochs, images)


QUALITY_COLUMNS = {
    "candidate": "batch, learning rate",
    "seconds": "training on 48,000 (s)",
    "bce": "validation BCE",
    "knn_accuracy": "kNN accuracy",
    "trustworthiness": "trustworthiness",
}


def quality_table(rows: list[dict], choice: dict) -> str:
    """Mean ± sd over seeds per model, candidate and checkpoint; qualifying points marked, the choice in bold."""
    digits = {"seconds": 1, "bce": 4, "knn_accuracy": 3, "trustworthiness": 3}
    summary = mean_and_sd(rows, ["model", "candidate", "epochs"], digits).sort_values("model", kind="stable")
    points = point_statistics(rows)
    marks = []
    for model, candidate, epochs in zip(summary["model"], summary["candidate"], summary["epochs"]):
        chosen = (candidate, epochs) == (choice.get("candidate"), choice.get("epochs"))
        near = (candidate, epochs) in qualifying(points, model)
        marks.append("**chosen**" if chosen else ("within spread" if near else ""))
    summary.insert(3, "near the best", marks)
    return markdown_table(summary.rename(columns=QUALITY_COLUMNS), text_columns=4)


def machine_peak_gflops() -> float:
    """The matrix-multiply peak that throughput.py measured on this machine (``results/throughput.json``)."""
    return float(json.loads((RESULTS / "throughput.json").read_text())["peak_gflops"])


def timing_table(results: dict[str, dict]) -> str:
    """Per backend, setting and model: median seconds over repeats, their range, and the hardware bound."""
    rows = []
    for backend, result in results.items():
        groups: dict[tuple, list[float]] = {}
        for row in result.get("timing") or []:
            groups.setdefault((row["setting"], row["epochs"], row["model"], row["projected"]), []).append(row["seconds"])
        for (setting, epochs, model, projected), seconds in groups.items():
            spread = f"{min(seconds):.1f}-{max(seconds):.1f}" if len(seconds) > 1 else ""
            bound = _bound(model, epochs)
            rows.append(
                {
                    "backend": backend,
                    "setting": setting,
                    "epochs": epochs,
                    "model": model,
                    "seconds": f"{statistics.median(seconds):.1f}",
                    "range": spread,
                    "how": "projected" if projected else f"measured x{len(seconds)}",
                    "bound (s)": f"{bound:.1f}",
                    "% of bound": f"{100 * bound / statistics.median(seconds):.1f}",
                }
            )
    return markdown_table(rows, text_columns=4)


def markdown_report(results: dict[str, dict]) -> str:
    """The report from every backend's saved results."""
    parts = ["# Settings for 60,000 images: time to quality on full Fashion-MNIST", ""]
    for backend, result in results.items():
        parts.append(f"- {backend}: measured {result['measured']} on {result['machine']}; {result['versions']}.")
    choice = course_choice(results) if any(result.get("quality") for result in results.values()) else {}
    if choice:
        parts += ["", "## The choice", "", choice_text(choice)]
    for backend, result in results.items():
        if result.get("quality"):
            parts += [
                "",
                f"## Quality ({backend}, seeds {result['seeds']})",
                "",
                QUALITY_TEXT,
                "",
                quality_table(result["quality"], choice),
            ]
    if any(result.get("speed") for result in results.values()):
        parts += ["", "## Speed on 60,000 images", "", SPEED_TEXT, "", speed_table(results)]
    parts += ["", "## Time on 60,000 images", "", TIMING_TEXT, "", timing_table(results)]
    return "\n".join(parts) + "\n"


QUALITY_TEXT = (
    "Trained on 48,000 training images and scored on the other 12,000 (a stratified validation split; the "
    "test images were not used); mean ± standard deviation over the seeds; training seconds exclude the "
    'scoring. "within spread": every measure within one typical seed standard deviation (the median over that '
    "model's settings, or the best setting's own if larger) of that model's best mean."
)
SPEED_TEXT = (
    "Seconds per epoch of the course's `train()` on all 60,000 training images: the first epoch (it also "
    "compiles) and the median of the next ones. They price each (batch, epochs) point of the choice."
)


def speed_table(results: dict[str, dict]) -> str:
    rows = [
        {
            "backend": backend,
            "batch": row["batch_size"],
            "model": row["model"],
            "first epoch (s)": f"{row['first_epoch_seconds']:.2f}",
            "median epoch (s)": f"{row['median_epoch_seconds']:.2f}",
        }
        for backend, result in results.items()
        for row in result.get("speed") or []
    ]
    return markdown_table(rows, text_columns=3)


TIMING_TEXT = (
    "Each model trained from scratch on all 60,000 training images with the chosen setting (measured, "
    "median and range over the repeats), and batch 32 at the course's learning rate projected from its "
    "first epoch plus the median of the next ones (for the chosen number of epochs and for the course's 30). "
    "The bound is the least time the matrix products of training can take at this machine's measured "
    'matrix-multiply peak (`benchmarks/hardware.py`, peak in `results/throughput.json`); "% of bound" is '
    "bound / measured."
)


def choice_text(choice: dict) -> str:
    if not choice["qualifying"]:
        return (
            f"No setting is within one typical seed standard deviation of the best on every measure for all three models. "
            f"Chosen: **{choice['candidate']}, {choice['epochs']} epochs**, whose largest shortfall is smallest "
            f"({choice['shortfall']:.1f} standard deviations)."
        )
    return (
        f"Chosen: **{choice['candidate']}, {choice['epochs']} epochs**, the fastest setting whose mean on every "
        "measure is within one typical seed standard deviation of the best mean, for all three models "
        f"({choice['seconds']:.0f} s for the three on {choice['seconds_on']}). Within the spread, fastest first: "
        f"{'; '.join(choice['qualifying'])}. Trained on 48,000 training images, scored on the other 12,000 "
        "(a validation split; the test images were not used); training seconds exclude the scoring."
    )


README = Path(__file__).resolve().parent / "README.md"
README_MARKERS = ("<!-- hardware-bound:start -->", "<!-- hardware-bound:end -->")
TARGET_SECONDS = {"tensorflow": 30, "jax": 10}  # per model on 60,000 images, from the full-size issue


def readme_block(results: dict[str, dict]) -> str:
    """The README's summary of the full-size timings: each model's time against the hardware bound and the target."""
    choice = course_choice(results)
    rows, verdicts = [], []
    for backend, result in results.items():
        measured = [row for row in result.get("timing") or [] if not row["projected"]]
        times = {model: statistics.median(r["seconds"] for r in measured if r["model"] == model) for model in MODELS}
        if not measured:
            continue
        epochs = measured[0]["epochs"]
        for model, seconds in times.items():
            bound = _bound(model, epochs)
            rows.append(
                {
                    "backend": backend,
                    "model": model,
                    "seconds": f"{seconds:.1f}",
                    "bound (s)": f"{bound:.1f}",
                    "% of bound": f"{100 * bound / seconds:.1f}",
                }
            )
        target = TARGET_SECONDS.get(backend)
        if target:
            met = sum(seconds < target for seconds in times.values())
            verdicts.append(f"{backend}: {met} of 3 models under the target of {target} s")
    lines = [
        f"On all 60,000 Fashion-MNIST training images, with the full-size setting chosen on evidence "
        f"({choice['candidate']}, {choice['epochs']} epochs; [`results/full_size_settings.md`]"
        "(results/full_size_settings.md)), each model's training time (median of 3) against the "
        "hardware bound: the time its matrix products would take at this machine's measured float32 "
        "matrix-multiply peak (`benchmarks/hardware.py`). Targets per model: " + "; ".join(verdicts) + ".",
        "",
        markdown_table(rows, text_columns=2),
    ]
    return "\n".join(lines)


def _bound(model: str, epochs: int) -> float:
    from benchmarks import hardware

    flops = hardware.training_flops_per_image(hardware.ARTICLE_LAYERS[model])
    return hardware.bound_seconds(flops, TRAINING_IMAGES, epochs, machine_peak_gflops())


def write_readme_block(block: str, readme: Path = README) -> None:
    """Put ``block`` between the README's markers."""
    text = readme.read_text()
    start, end = (text.index(marker) for marker in README_MARKERS)
    readme.write_text(text[: start + len(README_MARKERS[0])] + "\n" + block + "\n" + text[end:])


def saved_results() -> dict[str, dict]:
    return {
        path.stem.removeprefix("full_size-"): json.loads(path.read_text())
        for path in sorted(RESULTS.glob("full_size-*.json"))
    }


def course_choice(results: dict[str, dict]) -> dict:
    """The course's one choice: JAX's quality runs (the full grid), priced by the course backend's speed pass.

    The course runs on TensorFlow, so TensorFlow's speed pass prices the candidates when it exists;
    JAX's otherwise.
    """
    quality = results.get("jax", {}).get("quality") or next(r["quality"] for r in results.values() if r.get("quality"))
    speed = results.get("tensorflow", {}).get("speed") or results.get("jax", {}).get("speed")
    return choose(quality, speed)


def selected_candidates(names: list[str] | None, saved: dict[str, dict]) -> tuple:
    """The candidates named on the command line (``chosen``: the choice of the JAX quality run), default all."""
    if not names:
        return CANDIDATES
    chosen = course_choice(saved)["candidate"] if "chosen" in names else ""
    return tuple(parse_candidate(chosen if name == "chosen" else name) for name in names)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--parts", nargs="+", choices=["quality", "speed", "timing"], default=["quality", "speed", "timing"])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--candidates", nargs="+", default=None, help='e.g. "batch 32, lr 0.001" chosen')
    parser.add_argument("--checkpoints", type=int, nargs="+", default=list(CHECKPOINTS))
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--timed-epochs", type=int, default=2)
    parser.add_argument("--report-only", action="store_true", help="rebuild the Markdown report from the JSON files")
    arguments = parser.parse_args()
    if not arguments.report_only:
        run(arguments)
    results = saved_results()
    report = markdown_report(results)
    REPORT.write_text(report)
    if all(result.get("timing") for result in results.values()):
        write_readme_block(readme_block(results))
    print(report)


def run(arguments: argparse.Namespace) -> None:
    environment.setup(seed=0)
    found = environment.versions()
    backend = found["backend"]
    path = RESULTS / f"full_size-{backend}.json"
    previous = json.loads(path.read_text()) if path.exists() else {}
    result = {
        **previous,
        "measured": time.strftime("%Y-%m-%d %H:%M"),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at the start",
        "versions": ", ".join(f"{name} {version}" for name, version in found.items() if name != "backend"),
    }
    if "quality" in arguments.parts:
        candidates = selected_candidates(arguments.candidates, saved_results())
        rows = measure_quality(candidates, arguments.seeds, tuple(arguments.checkpoints))
        names = {candidate_name(*candidate) for candidate in candidates}
        kept = [row for row in previous.get("quality", []) if row["candidate"] not in names]
        result["quality"] = kept + rows  # candidates measured again replace their old rows
        result["seeds"] = arguments.seeds
    if "speed" in arguments.parts:
        result["speed"] = measure_speed(arguments.timed_epochs)
    if "timing" in arguments.parts:
        result["timing"] = measure_timing(
            course_choice({**saved_results(), backend: result}), arguments.repeats, arguments.timed_epochs
        )
    RESULTS.mkdir(exist_ok=True)
    path.write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
