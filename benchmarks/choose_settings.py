"""Evidence for the training settings the article leaves open, measured over several seeds.

Trains the three article models under each candidate setting on 80% of the training images and
records, on the other 20% (a stratified validation split, ``data.split_validation``), the loss at
checkpoint epochs and the latent kNN accuracy at the end. The test images are never looked at:
nothing is chosen on them. Writes ``benchmarks/results/settings.csv`` (one row per run) and
``settings.md`` (means and spreads).

    python benchmarks/choose_settings.py --seeds 0 1 2 --epochs 60
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

if not __package__:  # run as `python benchmarks/choose_settings.py`: import the package as `python -m` would
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.tables import markdown_table, mean_and_sd  # noqa: E402
from course_utils import environment  # noqa: E402

CANDIDATES = {
    "linear latent, Adam, batch 32": {"latent_activation": "linear", "optimizer": "adam", "batch_size": 32},
    "linear latent, Adam, batch 128": {"latent_activation": "linear", "optimizer": "adam", "batch_size": 128},
    "ReLU latent, Adam, batch 32": {"latent_activation": "relu", "optimizer": "adam", "batch_size": 32},
    "ReLU latent, Adam, batch 128": {"latent_activation": "relu", "optimizer": "adam", "batch_size": 128},
    "linear latent, RMSprop, batch 32": {"latent_activation": "linear", "optimizer": "rmsprop", "batch_size": 32},
}
CHECKPOINT_EPOCHS = (10, 20, 30, 40, 60)
RESULTS = Path(__file__).parent / "results"


def run_one(candidate: dict, model_name: str, seed: int, epochs: int, data) -> dict:
    """Train one model under one candidate setting and return its measurements on the validation images.

    ``data`` holds the fitting images as ``x_train`` and the validation images as ``x_test``.
    """
    from course_utils import metrics, models, training

    autoencoder = models.build_article_model(model_name, latent_activation=candidate["latent_activation"], seed=seed)
    settings = training.TrainingSettings(epochs=epochs, batch_size=candidate["batch_size"], optimizer=candidate["optimizer"])
    started = time.perf_counter()
    history = training.train(autoencoder, data.x_train, data.x_test, settings, seed=seed, verbose=False)
    seconds = time.perf_counter() - started
    measured = metrics.measure(metrics.autoencoder_representation(autoencoder), data)
    row = {"model": model_name, "seed": seed, "seconds": round(seconds, 1), "knn_accuracy": measured["knn_accuracy"]}
    for epoch in CHECKPOINT_EPOCHS:
        if epoch <= epochs:
            row[f"val_loss_{epoch}"] = history.history["val_loss"][epoch - 1]
    return row


def summarise(rows: list[dict]) -> str:
    """A Markdown table of means ± standard deviations per candidate and model."""
    value_columns = [key for key in rows[0] if key.startswith(("val_loss", "knn", "seconds"))]
    summary = mean_and_sd(rows, ["setting", "model"], dict.fromkeys(value_columns, 4))
    return markdown_table(summary, text_columns=2)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--epochs", type=int, default=max(CHECKPOINT_EPOCHS))
    parser.add_argument("--candidates", nargs="+", default=list(CANDIDATES))
    parser.add_argument("--output", type=Path, default=RESULTS, help="folder for settings.csv and settings.md")
    arguments = parser.parse_args(argv)
    environment.setup(seed=0)
    found = environment.versions()
    from course_utils import data, models

    mnist = data.load_mnist()
    x_fit, y_fit, x_val, y_val = data.split_validation(mnist.x_train, mnist.y_train, fraction=0.2, seed=0)
    validation = data.MnistData(x_fit, y_fit, x_val, y_val, mnist.source, "validation split of the training images")
    rows = []
    for name in arguments.candidates:
        for model_name in models.ARTICLE_HIDDEN_UNITS:
            for seed in arguments.seeds:
                row = {"setting": name, **run_one(CANDIDATES[name], model_name, seed, arguments.epochs, validation)}
                print(row, flush=True)
                rows.append(row)
    arguments.output.mkdir(parents=True, exist_ok=True)
    with (arguments.output / "settings.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    header = (
        f"Backend {found['backend']}, seeds {arguments.seeds}, {mnist.description}\n"
        f"Trained on {len(x_fit):,} of the training images; every loss and kNN accuracy below is measured on the "
        f"other {len(x_val):,} (validation). The test images were not used.\n\n"
    )
    (arguments.output / "settings.md").write_text(header + summarise(rows) + "\n")
    print(header + summarise(rows))


if __name__ == "__main__":
    main()
