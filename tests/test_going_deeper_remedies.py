"""Notebook 7's remedies rest on several seeds, saved for both backends.

Its verdicts on early stopping and dropout compare seeds with Welch's t-test, which needs at least
five runs per remedy; and a student on either backend must load those runs, not train them (a
remedy trains 5 x 200 epochs). So every remedy needs its saved runs, one file per seed, on
TensorFlow (the book's run) and on JAX.
"""

from __future__ import annotations

import ast
import json

import pytest

from course_utils import study
from course_utils.maintain import notebooks

pytestmark = pytest.mark.backend

NOTEBOOK = notebooks.NOTEBOOK_DIR / "07_going_deeper.py"
RESULTS = notebooks.NOTEBOOK_DIR / "results" / "going_deeper"
REMEDIES = ("no remedy", "early stopping", "dropout 0.2")
BACKENDS = ("tensorflow", "jax")
MIN_SEEDS = 5


def _notebook_seeds() -> tuple[int, ...]:
    """The seeds notebook 7 trains each remedy from: its ``remedy_seeds = (...)``."""
    for node in ast.walk(ast.parse(NOTEBOOK.read_text())):
        if isinstance(node, ast.Assign) and any(getattr(target, "id", "") == "remedy_seeds" for target in node.targets):
            return tuple(ast.literal_eval(node.value))
    raise AssertionError(f"{NOTEBOOK.name} no longer sets remedy_seeds")


def _file_name(remedy: str, seed: int) -> str:
    """The notebook's file for one run: seed 42 keeps the name it had as the only run."""
    name = f"Autoencoder_5-300-images-{remedy.replace(' ', '-')}"
    return f"{name}.json" if seed == 42 else f"{name}-seed-{seed}.json"


def test_the_notebook_trains_every_remedy_from_at_least_five_seeds():
    seeds = _notebook_seeds()
    assert len(set(seeds)) >= MIN_SEEDS, f"remedy_seeds = {seeds}: Welch's t-test needs at least {MIN_SEEDS} seeds"
    assert 42 in seeds, "seed 42 is the run the notebook's figure shows"


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("remedy", REMEDIES)
def test_each_remedy_has_a_saved_run_for_every_seed(backend, remedy):
    seeds = _notebook_seeds()
    paths = [RESULTS / backend / _file_name(remedy, seed) for seed in seeds]
    missing = [path.name for path in paths if not path.exists()]
    assert not missing, f"{backend}: no saved run {missing}; execute notebook 7 on {backend} to make them"
    runs = [json.loads(path.read_text()) for path in paths]
    for path, run in zip(paths, runs):
        assert set(study.METRIC_NAMES) <= set(run["scores"]), f"{path.name} lacks test measures"
        # The like-for-like gap (training loss measured with dropout off) needs this curve.
        assert len(run["history"]["loss_after_epoch"]) == len(run["history"]["val_loss"]), path.name
    curves = {json.dumps(run["history"]["val_loss"]) for run in runs}
    assert len(curves) == len(runs), f"{backend}, {remedy}: some seeds' saved runs are copies of one another"
    assert len(runs) >= MIN_SEEDS
