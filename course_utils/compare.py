"""Train the article's three models under identical settings and compare them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from course_utils import models, plots, training
from course_utils.backend import keras
from course_utils.data import MnistData
from course_utils.environment import DEFAULT_SEED

DIGITS_SHOWN = 10
# The comparisons behind the article's claims, as (model, baseline); "PCA (2-D)" is study.PCA_NAME.
CLAIM_COMPARISONS = (
    ("Autoencoder_1", "PCA (2-D)"),
    ("Autoencoder_2", "Autoencoder_1"),
    ("Autoencoder_3", "Autoencoder_2"),
    ("Autoencoder_2", "PCA (2-D)"),
    ("Autoencoder_3", "PCA (2-D)"),
)


@dataclass(frozen=True)
class TrainedModel:
    """An autoencoder with its training history and its loss on the test images."""

    autoencoder: models.Autoencoder
    history: keras.callbacks.History
    test_loss: float


def train_article_models(
    data: MnistData,
    settings: training.TrainingSettings | None = None,
    seed: int = DEFAULT_SEED,
    verbose: bool = True,
    reuse: bool = False,
    cache_folder: Path | None = None,
) -> dict[str, TrainedModel]:
    """Build and train ``Autoencoder_1`` to ``Autoencoder_3`` with the same settings and seed.

    With ``reuse=True`` a model whose identical training already ran (for example in notebooks
    2 to 4) is loaded from the cache (``cache_folder``, default the user's) instead of trained again.
    """
    trained = {}
    for name in models.ARTICLE_HIDDEN_UNITS:
        if verbose:
            print(f"{name} ({models.architecture_string(models.ARTICLE_HIDDEN_UNITS[name])}):")
        autoencoder = models.build_article_model(name, seed=seed)
        history = training.train(
            autoencoder,
            data.x_train,
            data.x_test,
            settings,
            seed=seed,
            verbose=verbose,
            reuse=reuse,
            cache_folder=cache_folder,
            val_name="test",
        )
        trained[name] = TrainedModel(autoencoder, history, training.test_loss(autoencoder, data.x_test))
    return trained


def first_of_each_digit(labels: np.ndarray, count: int = DIGITS_SHOWN) -> np.ndarray:
    """Indices of the first test image of each digit 0, 1, 2, ... (the images the figures show)."""
    return np.array([int(np.flatnonzero(labels == digit % 10)[digit // 10]) for digit in range(count)])


def comparison_table(trained: dict[str, TrainedModel]) -> pd.DataFrame:
    """One row per model: architecture, parameters and test loss."""
    rows = {
        name: {
            "architecture": result.autoencoder.architecture,
            "parameters": result.autoencoder.count_params(),
            "test loss": round(result.test_loss, 4),
        }
        for name, result in trained.items()
    }
    return pd.DataFrame.from_dict(rows, orient="index")


def comparison_figure(trained: dict[str, TrainedModel], data: MnistData) -> Figure:
    """The article's final picture for these trained models."""
    shown = first_of_each_digit(data.y_test)
    originals = data.x_test[shown]
    reconstructions = {name: training.reconstruct(result.autoencoder, originals) for name, result in trained.items()}
    if data.source == "fashion":
        title = "Test images and their reconstructions (Fashion-MNIST)"
    else:
        source = "full MNIST" if data.is_full_mnist else "the course's MNIST subset"
        title = f"Test digits and their reconstructions ({source})"
    return plots.plot_comparison(originals, reconstructions, title=title)
