import pytest

from course_utils import study, training
from course_utils.__main__ import main

TINY = study.StudyConfig(depths=(1, 2), seeds=(0, 1), settings=training.TrainingSettings(epochs=1, batch_size=128))


@pytest.fixture(scope="module")
def tiny_result(small_mnist):
    return study.run_study(TINY, small_mnist, verbose=False)


def test_study_has_a_run_per_depth_and_seed_plus_pca(tiny_result):
    models = [(run["model"], run["seed"]) for run in tiny_result.runs]
    assert models[:4] == [("Autoencoder_1", 0), ("Autoencoder_1", 1), ("Autoencoder_2", 0), ("Autoencoder_2", 1)]
    assert [run["model"] for run in tiny_result.runs[4:]] == [study.PCA_NAME] * 2


def test_summary_reports_mean_and_spread(tiny_result):
    summary = {row["model"]: row for row in tiny_result.summary()}
    assert summary["Autoencoder_2"]["parameters"] == 16_526
    assert summary["Autoencoder_1"]["seeds"] == 2
    knn = [run["knn_accuracy"] for run in tiny_result.runs if run["model"] == "Autoencoder_1"]
    assert summary["Autoencoder_1"]["knn_accuracy_mean"] == pytest.approx(sum(knn) / 2)
    assert summary["Autoencoder_1"]["knn_accuracy_sd"] == pytest.approx(abs(knn[0] - knn[1]) / 2**0.5)
    assert summary[study.PCA_NAME]["knn_accuracy_sd"] == 0.0
    assert "±" in tiny_result.table()


def test_figure_has_one_panel_per_metric_with_error_bars(tiny_result):
    figure = study.study_figure(tiny_result.summary())
    assert [axes.get_title() for axes in figure.axes] == list(study.METRIC_NAMES)
    assert all(axes.get_xlabel() == "hidden layers in the encoder" for axes in figure.axes)


def test_saved_study_is_reloaded_and_recomputed_when_settings_change(small_mnist, tiny_result, tmp_path, capsys):
    key = study.fingerprint(TINY, small_mnist)
    study.save(tiny_result, tmp_path, key)
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(study.FILES)
    loaded = study.load_or_run(TINY, small_mnist, tmp_path)
    assert "Loaded the saved study" in capsys.readouterr().out
    assert loaded.summary()[0]["knn_accuracy_mean"] == pytest.approx(tiny_result.summary()[0]["knn_accuracy_mean"])
    changed = study.StudyConfig(TINY.depths, (0,), TINY.settings)
    assert study.fingerprint(changed, small_mnist) != key
    assert study.load(tmp_path, changed, study.fingerprint(changed, small_mnist)) is None


def test_damaged_saved_study_is_ignored(small_mnist, tmp_path):
    (tmp_path / "study.json").write_text("{not json")
    assert study.load(tmp_path, TINY, study.fingerprint(TINY, small_mnist)) is None


@pytest.mark.parametrize("arguments", [{"depths": (9,)}, {"depths": ()}, {"seeds": ()}])
def test_bad_study_config_is_refused(arguments):
    with pytest.raises(ValueError):
        study.StudyConfig(**arguments)


def test_study_command_writes_tables_and_figure(tmp_path, capsys):
    arguments = [
        "study",
        "--depths",
        "1",
        "--seeds",
        "0",
        "--epochs",
        "1",
        "--source",
        "offline",
        "--output",
        str(tmp_path),
    ]
    assert main(arguments) == 0
    printed = capsys.readouterr().out
    assert "Autoencoder_1" in printed and study.PCA_NAME in printed and "offline subset" in printed
    assert (tmp_path / "study.png").read_bytes().startswith(b"\x89PNG")


def _summary(a_mean, a_sd, b_mean, b_sd, metric="knn_accuracy"):
    return [
        {"model": "A", f"{metric}_mean": a_mean, f"{metric}_sd": a_sd},
        {"model": "B", f"{metric}_mean": b_mean, f"{metric}_sd": b_sd},
    ]


@pytest.mark.parametrize(
    "a_mean, a_sd, b_mean, b_sd, expected",
    [
        (0.6, 0.01, 0.4, 0.01, "clearly better"),
        (0.4, 0.01, 0.6, 0.01, "clearly worse"),
        (0.5, 0.1, 0.4, 0.1, "within the seed spread"),
    ],
)
def test_verdict_weighs_the_gap_against_the_spread(a_mean, a_sd, b_mean, b_sd, expected):
    assert study.verdict(_summary(a_mean, a_sd, b_mean, b_sd), "A", "B", "knn_accuracy") == expected


def test_verdict_knows_that_lower_loss_is_better():
    assert study.verdict(_summary(0.20, 0.001, 0.25, 0.001, "bce"), "A", "B", "bce") == "clearly better"


def test_verdict_table_has_a_line_per_pair(tiny_result):
    table = study.verdict_table(
        tiny_result.summary(), [("Autoencoder_2", "Autoencoder_1"), ("Autoencoder_1", study.PCA_NAME)]
    )
    assert len(table.splitlines()) == 3 and "Autoencoder_2 vs Autoencoder_1" in table


def test_train_and_measure_saves_curves_and_scores_not_weights(small_mnist, tmp_path, capsys):
    from course_utils import models

    settings = training.TrainingSettings(epochs=2, batch_size=64)

    def run() -> study.MeasuredRun:
        model = models.build_autoencoder([10], seed=3)
        return study.train_and_measure(
            model, small_mnist.x_train, small_mnist.x_test, small_mnist, settings, 3, saved=tmp_path
        )

    first = run()
    (saved,) = tmp_path.iterdir()
    assert saved.suffix == ".json" and saved.stat().st_size < 20_000
    capsys.readouterr()
    again = run()
    assert "Loaded the saved result" in capsys.readouterr().out
    assert again == first and len(first.history["val_loss"]) == 2 and "knn_accuracy" in first.scores
