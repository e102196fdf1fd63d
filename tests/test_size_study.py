"""The data-size study: equal updates per size, paired subsets, intervals, verdicts per size, saving and the command."""

import math

import numpy as np
import pandas as pd
import pytest
import scipy.stats

from course_utils import data, significance, size_study, study, training
from course_utils.maintain import parallel
from course_utils.maintain.cli import main

TINY = size_study.SizeStudyConfig(
    sizes=(100, 300), depths=(1, 2), seeds=(0, 1), settings=training.TrainingSettings(epochs=1, batch_size=100)
)


@pytest.fixture(scope="module")
def tiny_data(offline_mnist):
    return data.MnistData(
        offline_mnist.x_train[:300], offline_mnist.y_train[:300], offline_mnist.x_test[:200], offline_mnist.y_test[:200],
        "subset", "test slice",
    )  # fmt: skip


@pytest.fixture(scope="module")
def tiny_result(tiny_data):
    return size_study.run_size_study(TINY, tiny_data, verbose=False)


def test_every_size_gets_the_updates_of_the_largest():
    config = size_study.SizeStudyConfig(
        (1000, 4000, 15000, 60000), settings=training.TrainingSettings(epochs=20, batch_size=256)
    )
    assert config.updates == 20 * math.ceil(60000 / 256) == 4700
    assert [config.epochs_for(size) for size in config.sizes] == [1203, 301, 80, 20]
    tiny = size_study.SizeStudyConfig((10, 100), settings=training.TrainingSettings(epochs=1, batch_size=256))
    assert tiny.updates == 1 and (tiny.epochs_for(10), tiny.epochs_for(100)) == (1, 1)  # below a batch: 1 per epoch


def test_rows_record_size_epochs_updates_and_pca_per_subset(tiny_result):
    frame = pd.DataFrame(tiny_result.runs)
    assert len(frame) == 2 * 3 * 2 and set(frame["train_size"]) == {100, 300}
    small = frame[(frame["train_size"] == 100) & (frame["depth"] == 1)]
    assert set(small["epochs"]) == {3} and set(small["updates"]) == {3}
    pca = frame[frame["model"] == study.PCA_NAME]
    assert pca.loc[pca["train_size"] == 100, "bce"].nunique() == 2, "each seed draws its own subset"
    assert pca.loc[pca["train_size"] == 300, "bce"].nunique() == 1, "the full set is the same for every seed"


def test_summary_has_a_t_interval_over_seeds(tiny_result):
    summary = {(row["train_size"], row["model"]): row for row in tiny_result.summary()}
    row = summary[(100, "Autoencoder_1")]
    values = [
        run["knn_accuracy"] for run in tiny_result.runs if run["train_size"] == 100 and run["model"] == "Autoencoder_1"
    ]
    half = scipy.stats.t.ppf(0.975, 1) * np.std(values, ddof=1) / math.sqrt(2)
    assert (row["knn_accuracy_ci_low"], row["knn_accuracy_ci_high"]) == pytest.approx(
        (np.mean(values) - half, np.mean(values) + half)
    )
    assert row["seeds"] == 2 and row["epochs"] == 3


def test_verdicts_come_per_size(tiny_result):
    long = size_study.verdicts_by_size(tiny_result)
    pairs = size_study.comparison_pairs((1, 2))
    assert pairs == [
        ("Autoencoder_1", study.PCA_NAME),
        ("Autoencoder_2", study.PCA_NAME),
        ("Autoencoder_2", "Autoencoder_1"),
    ]
    assert len(long) == 2 * len(pairs) * len(study.METRIC_NAMES)
    wide = size_study.verdict_table(tiny_result)
    assert list(wide.columns) == ["model", "baseline", "metric", 100, 300, "every size"]
    assert len(wide) == len(pairs) * len(study.METRIC_NAMES)


@pytest.mark.slow
def test_workers_and_dask_give_the_same_rows(tiny_data, tiny_result):
    assert size_study.run_size_study(TINY, tiny_data, verbose=False, runner=parallel.runner(jobs=2)).runs == tiny_result.runs
    pytest.importorskip("distributed")
    local = parallel.runner(scheduler="local", verbose=False)
    assert size_study.run_size_study(TINY, tiny_data, verbose=False, runner=local).runs == tiny_result.runs


def test_saved_and_loaded_with_a_fingerprint(tiny_data, tiny_result, tmp_path):
    key = size_study.fingerprint(TINY, tiny_data)
    size_study.save(tiny_result, tmp_path, key)
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(size_study.FILES)
    assert size_study.load(tmp_path, TINY, key).runs == tiny_result.runs
    other = size_study.SizeStudyConfig((100, 200), TINY.depths, TINY.seeds, TINY.settings)
    assert size_study.fingerprint(other, tiny_data) != key
    assert size_study.load(tmp_path, TINY, size_study.fingerprint(other, tiny_data)) is None


def test_sizes_beyond_the_data_are_refused_naming_its_size(tiny_data, offline_mnist):
    with pytest.raises(ValueError, match="between 10 and 3,990, or be 4,000, the number of training images of the course's"):
        size_study.check_sizes([60000], offline_mnist)
    with pytest.raises(ValueError, match="at least 10"):
        size_study.SizeStudyConfig((5,))


@pytest.mark.parametrize(
    "argv, says",
    [
        (["study", "--train-sizes", "5"], "--train-sizes: training-set size 5 is below 10"),
        (["study", "--jobs", "0"], "--jobs: 0 is not a positive whole number"),
        (["study", "--learning-rate", "-1"], "--learning-rate: -1 is not a positive number"),
        (["study", "--dataset", "cifar"], "--dataset: invalid choice"),
    ],
)
def test_bad_command_values_are_usage_errors(argv, says, capsys):
    with pytest.raises(SystemExit) as stopped:
        main(argv)
    assert stopped.value.code == 2 and says in capsys.readouterr().err


def test_a_size_above_the_data_is_a_usage_error_before_training(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(size_study, "run_size_study", lambda *arguments: pytest.fail("must not train"))
    with pytest.raises(SystemExit):
        main(["study", "--train-sizes", "100", "60000", "--output", str(tmp_path)])
    assert "4,000, the number of training images of the course's MNIST subset" in capsys.readouterr().err


def _synthetic(gains: dict[int, list[float]], metric: str = "knn_accuracy") -> size_study.SizeStudyResult:
    """A study whose Autoencoder_3 runs are Autoencoder_1's plus the given per-seed gains (Autoencoder_1 varies)."""
    runs = []
    for size, seed_gains in gains.items():
        for seed, gain in enumerate(seed_gains):
            base = 0.5 + 0.01 * seed + 0.001 * size / 1000
            for model, depth, value in (("Autoencoder_1", 1, base), ("Autoencoder_3", 3, base + gain)):
                measures = {name: 0.3 for name in study.METRIC_NAMES} | {metric: value}
                row = {"train_size": size, "model": model, "depth": depth, "seed": seed, "epochs": 1, "updates": 1}
                runs.append(row | {"parameters": 1, **measures})
    seeds = tuple(range(len(next(iter(gains.values())))))
    return size_study.SizeStudyResult(size_study.SizeStudyConfig(tuple(gains), (1, 3), seeds), runs, "synthetic")


GROWS_ONCE = {
    100: [0.10, 0.11, 0.09, 0.10, 0.12],
    200: [0.10, 0.12, 0.09, 0.11, 0.10],
    300: [0.20, 0.21, 0.19, 0.22, 0.20],
}


def test_seed_gains_pair_the_runs_of_a_seed():
    gains = size_study.seed_gains(_synthetic(GROWS_ONCE), "Autoencoder_3", "Autoencoder_1", "knn_accuracy")
    assert list(gains.columns) == [100, 200, 300] and list(gains.index) == [0, 1, 2, 3, 4]
    assert gains[300].tolist() == pytest.approx(GROWS_ONCE[300])


def test_a_lower_is_better_gain_is_signed_as_better():
    result = _synthetic({100: [-0.1, -0.2], 200: [-0.1, -0.3]}, metric="bce")
    gains = size_study.seed_gains(result, "Autoencoder_3", "Autoencoder_1", "bce")
    assert gains[100].tolist() == pytest.approx([0.1, 0.2]), "a lower BCE is a positive gain"


def test_gain_changes_test_each_step_with_welch_and_holm():
    result = _synthetic(GROWS_ONCE)
    table = size_study.gain_changes(result, "Autoencoder_3", "Autoencoder_1", "knn_accuracy")
    assert list(table.columns) == list(size_study.GAIN_CHANGE_COLUMNS)
    assert list(zip(table["from_size"], table["to_size"])) == [(100, 200), (200, 300)]
    assert table["verdict"].tolist() == [significance.NOT_SHOWN, "clearly larger"]
    welch = [
        scipy.stats.ttest_ind(GROWS_ONCE[b], GROWS_ONCE[a], equal_var=False).pvalue for a, b in ((100, 200), (200, 300))
    ]
    assert table["p"].tolist() == pytest.approx(welch)
    assert table["p_holm"].tolist() == pytest.approx(significance.holm(welch).tolist())
    row = table.iloc[1]
    assert row["change"] == pytest.approx(np.mean(GROWS_ONCE[300]) - np.mean(GROWS_ONCE[200]))
    assert row["ci_low"] < row["change"] < row["ci_high"]


def test_gain_changes_take_chosen_steps_and_say_smaller():
    result = _synthetic({100: [0.30, 0.31, 0.29, 0.32], 200: [0.10, 0.11, 0.09, 0.12], 300: [0.2, 0.2, 0.2, 0.2]})
    table = size_study.gain_changes(result, "Autoencoder_3", "Autoencoder_1", "knn_accuracy", steps=[(100, 200)])
    assert len(table) == 1 and table["verdict"].item() == "clearly smaller"
    assert table["p_holm"].item() == pytest.approx(table["p"].item()), "a family of one step is not adjusted"


def test_gain_changes_with_one_seed_are_not_shown():
    table = size_study.gain_changes(_synthetic({100: [0.1], 200: [0.5]}), "Autoencoder_3", "Autoencoder_1", "knn_accuracy")
    assert table["verdict"].item() == significance.NOT_SHOWN and np.isnan(table["p"].item())


@pytest.mark.parametrize(
    "arguments, says",
    [
        (("Autoencoder_3", "Autoencoder_1", "knn_accuracy", [(100, 999)]), "two different sizes of the study"),
        (("Autoencoder_3", "Autoencoder_1", "knn_accuracy", [(100, 100)]), "two different sizes of the study"),
        (("Autoencoder_2", "Autoencoder_1", "knn_accuracy"), "no runs of Autoencoder_2"),
        (("Autoencoder_3", "Autoencoder_1", "accuracy"), "no measure 'accuracy'"),
    ],
)
def test_gain_changes_refuse_what_the_study_does_not_have(arguments, says):
    with pytest.raises(ValueError, match=says):
        size_study.gain_changes(_synthetic(GROWS_ONCE), *arguments)


def test_gain_changes_of_an_empty_study_are_an_empty_table():
    empty = size_study.SizeStudyResult(size_study.SizeStudyConfig((100,)), [], "none")
    table = size_study.gain_changes(empty, "Autoencoder_3", "Autoencoder_1", "knn_accuracy")
    assert table.empty and list(table.columns) == list(size_study.GAIN_CHANGE_COLUMNS)


def test_designs_are_read_from_the_configs_and_their_differences_listed(offline_mnist):
    """Notebook 8's list of differences: updates are epochs times the batches of an epoch."""
    sized = size_study.SizeStudyResult(size_study.SizeStudyConfig((1_000, 4_000), seeds=(0, 1)), [], "none")
    fashion_like = data.MnistData(
        offline_mnist.x_train, offline_mnist.y_train, offline_mnist.x_test, offline_mnist.y_test, "fashion", "test"
    )
    ours = size_study.size_design(sized, 1_000, fashion_like)
    settings = size_study.SIZE_STUDY_SETTINGS
    assert ours.settings.epochs == sized.config.epochs_for(1_000)
    assert ours.updates == ours.settings.epochs * math.ceil(1_000 / settings.batch_size)
    assert (ours.data, ours.backend, ours.sample) == ("Fashion-MNIST", "jax", "a stratified draw of its own")
    assert size_study.size_design(sized, 4_000, fashion_like).sample == "all of them, for every seed"
    theirs = size_study.study_design(study.StudyConfig(), offline_mnist, [("Autoencoder_1", study.PCA_NAME)])
    assert theirs.updates == 30 * math.ceil(4_000 / 32) == 3_750 and theirs.backend == "tensorflow"
    table = size_study.design_differences({"digits": theirs, "clothes": ours})
    assert list(table.columns) == ["digits", "clothes", "same"]
    assert table.loc["gradient updates", "digits"] == "3,750" and table.loc["seeds", "same"] == "no"
    assert table.loc["pairs in Holm's family", "digits"] == "AE 1 vs PCA"
    same = size_study.design_differences({"a": theirs, "b": theirs})
    assert set(same["same"]) == {"yes"}


def test_designs_refuse_what_they_cannot_describe(offline_mnist):
    sized = size_study.SizeStudyResult(size_study.SizeStudyConfig((1_000,)), [], "none")
    with pytest.raises(ValueError, match="no size 2,000"):
        size_study.size_design(sized, 2_000, offline_mnist)
    with pytest.raises(ValueError, match="at least one design"):
        size_study.design_differences({})
    if "patience" in study.StudyConfig.__dataclass_fields__:
        stopped = study.StudyConfig(settings=training.TrainingSettings(epochs=50), patience=5)
        with pytest.raises(ValueError, match="differ by run"):
            size_study.study_design(stopped, offline_mnist, [])
