"""The data-size study: equal updates per size, paired subsets, intervals, verdicts per size, saving and the command."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from course_utils import data, size_study, study, training
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
    assert tiny.updates == 1 and (tiny.epochs_for(10), tiny.epochs_for(100)) == (26, 3)  # round(256 / size)


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
    half = stats.t.ppf(0.975, 1) * np.std(values, ddof=1) / math.sqrt(2)
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


def test_workers_and_dask_give_the_same_rows(tiny_data, tiny_result):
    assert size_study.run_size_study(TINY, tiny_data, verbose=False, jobs=2).runs == tiny_result.runs
    pytest.importorskip("distributed")
    assert size_study.run_size_study(TINY, tiny_data, verbose=False, scheduler="local").runs == tiny_result.runs


def test_saved_and_loaded_with_a_fingerprint(tiny_data, tiny_result, tmp_path):
    key = size_study.fingerprint(TINY, tiny_data)
    size_study.save(tiny_result, tmp_path, key)
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(size_study.FILES)
    assert size_study.load(tmp_path, TINY, key).runs == tiny_result.runs
    other = size_study.SizeStudyConfig((100, 200), TINY.depths, TINY.seeds, TINY.settings)
    assert size_study.fingerprint(other, tiny_data) != key
    assert size_study.load(tmp_path, TINY, size_study.fingerprint(other, tiny_data)) is None


def test_sizes_beyond_the_data_are_refused_naming_its_size(tiny_data, offline_mnist):
    with pytest.raises(ValueError, match="between 10 and 4,000, the number of training images of the course's MNIST subset"):
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
