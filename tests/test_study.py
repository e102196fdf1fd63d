from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.stats

from course_utils import data, environment, significance, study, training
from course_utils.maintain.cli import main

pytestmark = pytest.mark.backend

SAVED_STUDY = Path(__file__).resolve().parents[1] / "notebooks" / "results" / "depth_study"

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
    assert tiny_result.table().loc["Autoencoder_1", "knn_accuracy"].count("±") == 1


def test_figure_has_one_panel_per_metric_with_error_bars(tiny_result):
    figure = study.study_figure(tiny_result.summary())
    panels = [axes for axes in figure.axes if axes.get_title()]  # the last row's free place holds the legend
    assert [axes.get_title().split(" (")[0] for axes in panels] == list(study.METRIC_NAMES)
    assert all(axes.get_xlabel() == "hidden layers in the encoder" for axes in panels)
    assert all(axes.containers for axes in panels), "every panel has its error bars"


def test_saved_study_is_reloaded_and_recomputed_when_settings_change(small_mnist, tiny_result, tmp_path, capsys):
    key = study.fingerprint(TINY, small_mnist)
    folder = study.backend_directory(tmp_path)
    study.save(tiny_result, folder, key)
    assert sorted(path.name for path in folder.iterdir()) == sorted(study.FILES)
    loaded = study.load_or_run(TINY, small_mnist, tmp_path)
    assert "Loaded the saved study" in capsys.readouterr().out
    assert loaded.summary()[0]["knn_accuracy_mean"] == pytest.approx(tiny_result.summary()[0]["knn_accuracy_mean"])
    changed = study.StudyConfig(TINY.depths, (0,), TINY.settings)
    assert study.fingerprint(changed, small_mnist) != key
    assert study.load(folder, changed, study.fingerprint(changed, small_mnist)) is None


def test_a_long_study_without_saved_results_is_announced_then_run(small_mnist, tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("COURSE_REFERENCE_RUN")
    monkeypatch.setattr(study, "estimate_seconds", lambda config, data: 600.0)
    monkeypatch.setattr(study, "run_study", lambda *arguments: "ran")
    monkeypatch.setattr(study, "save", lambda *arguments: None)
    assert study.load_or_run(TINY, small_mnist, tmp_path) == "ran"
    assert "training 4 models, about 10.0 minutes" in capsys.readouterr().out


def test_a_long_study_shows_the_books_results_instead(small_mnist, tiny_result, tmp_path, monkeypatch, capsys):
    study.save(tiny_result, study.backend_directory(tmp_path, study.REFERENCE_BACKEND), "made by other code")
    monkeypatch.delenv("COURSE_REFERENCE_RUN")
    monkeypatch.setattr(study, "run_study", lambda *arguments: pytest.fail("a long study must not start unasked"))
    monkeypatch.setattr(study, "estimate_seconds", lambda config, data: 600.0)
    other_data = data.MnistData(
        small_mnist.x_train[::-1], small_mnist.y_train[::-1], small_mnist.x_test, small_mnist.y_test, "full", "other images"
    )
    shown = study.load_or_run(TINY, other_data, tmp_path)
    printed = capsys.readouterr().out
    assert "about 10 minutes" in printed and "saved results of the book's run" in printed and "max_minutes=None" in printed
    assert shown.runs == tiny_result.runs


def test_the_reference_run_never_shows_stale_results(small_mnist, tiny_result, tmp_path, monkeypatch, capsys):
    study.save(tiny_result, study.backend_directory(tmp_path, study.REFERENCE_BACKEND), "made by other code")
    monkeypatch.setattr(study, "estimate_seconds", lambda config, data: 600.0)
    monkeypatch.setattr(study, "run_study", lambda *arguments: "ran")
    monkeypatch.setattr(study, "save", lambda *arguments: None)
    assert study.load_or_run(TINY, small_mnist, tmp_path) == "ran"
    assert "training 4 models" in capsys.readouterr().out


def test_long_notebook_training_uses_the_saved_subset_instead(small_mnist, monkeypatch, capsys):
    monkeypatch.delenv("COURSE_REFERENCE_RUN")
    monkeypatch.setattr(study, "seconds_per_epoch", lambda depth, images, batch_size=32, sample=2_000: (0.0, 1e-3))
    full = data.MnistData(small_mnist.x_train, small_mnist.y_train, small_mnist.x_test, small_mnist.y_test, "full", "x")
    assert study.affordable_data(full, [(3, 600, 10), (5, 300, 100)]) is full  # 36 s
    swapped = study.affordable_data(full, [(3, 60_000, 60), (4, 60_000, 60), (5, 60_000, 60)])
    assert swapped.source == "subset" and len(swapped.x_train) == 4_000
    assert "about 180 minutes" in capsys.readouterr().out
    assert study.affordable_data(full, [(5, 60_000, 60)], max_minutes=None) is full
    monkeypatch.setenv("COURSE_REFERENCE_RUN", "1")
    assert study.affordable_data(full, [(5, 60_000, 60)]) is full


def test_the_fixed_cost_of_an_epoch_counts_for_short_runs_of_many_epochs(small_mnist, monkeypatch):
    monkeypatch.delenv("COURSE_REFERENCE_RUN")
    monkeypatch.setattr(study, "seconds_per_epoch", lambda depth, images, batch_size=32, sample=2_000: (0.25, 1e-6))
    full = data.MnistData(small_mnist.x_train, small_mnist.y_train, small_mnist.x_test, small_mnist.y_test, "full", "x")
    assert study.affordable_data(full, [(5, 300, 200)] * 3).source == "subset"  # 150 s of per-epoch overhead


def test_epoch_cost_is_measured_as_a_fixed_part_and_a_part_per_image(small_mnist):
    fixed, per_image = study.seconds_per_epoch(2, small_mnist.x_train, sample=600)
    assert fixed >= 0 and per_image >= 0 and 0 < fixed + 600 * per_image < 30


def test_estimate_is_positive_and_scales_with_the_work(small_mnist, monkeypatch):
    one = study.StudyConfig((1,), (0,), training.TrainingSettings(epochs=10))
    assert 0 < study.estimate_seconds(one, small_mnist) < 60
    # How it scales, apart from timing noise (two timings in a cold worker differed 4x): every run
    # is priced at the deepest model's epoch, times the epochs.
    priced = []
    monkeypatch.setattr(study, "seconds_per_epoch", lambda depth, images, batch_size=32: priced.append(depth) or (0.5, 1e-4))
    base = study.estimate_seconds(one, small_mnist)
    bigger = study.StudyConfig((1, 2), (0, 1), training.TrainingSettings(epochs=10))
    longer = study.StudyConfig((1,), (0,), training.TrainingSettings(epochs=20))
    assert study.estimate_seconds(bigger, small_mnist) == pytest.approx(4 * base)
    assert study.estimate_seconds(longer, small_mnist) == pytest.approx(2 * base)
    assert priced == [1, 2, 1], "each estimate times the deepest model it trains"


@pytest.mark.parametrize("backend", ["tensorflow", "jax"])
def test_the_saved_study_of_each_backend_is_current(backend, offline_mnist):
    """The book's verdicts come from both saved studies: both must come from this code and these settings."""
    config = study.DEPTH_STUDY
    saved = study.load_saved(SAVED_STUDY, backend)
    command = f"KERAS_BACKEND={backend} python -m course_utils study --output notebooks/results/depth_study"
    assert saved is not None, f"run: {command}"
    assert saved.config == config and len(config.seeds) >= 10
    recorded = environment.RECORDED_VERSIONS
    versions = {"keras": recorded["keras"], "backend": backend, backend: recorded[backend]}
    key = study.fingerprint(config, offline_mnist, versions=versions)
    assert study.load(study.backend_directory(SAVED_STUDY, backend), config, key) is not None, "saved study is stale"


def test_damaged_saved_study_is_ignored(small_mnist, tmp_path):
    (tmp_path / "study.json").write_text("{not json")
    assert study.load(tmp_path, TINY, study.fingerprint(TINY, small_mnist)) is None


@pytest.mark.parametrize(
    "arguments",
    [{"depths": (9,)}, {"depths": ()}, {"seeds": ()}, {"controls": ("Wide",)}, {"patience": 0}, {"patience": 30}],
)
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
        "1",
        "--epochs",
        "1",
        "--source",
        "subset",
        "--output",
        str(tmp_path),
    ]
    assert main(arguments) == 0
    printed = capsys.readouterr().out
    assert "Autoencoder_1" in printed and study.PCA_NAME in printed and "5,000-digit subset" in printed
    assert (study.backend_directory(tmp_path) / "figure.png").read_bytes().startswith(b"\x89PNG")


def _runs(values_a, values_b, metric="knn_accuracy"):
    return [{"model": "A", metric: v} for v in values_a] + [{"model": "B", metric: v} for v in values_b]


@pytest.mark.parametrize(
    "a, b, expected",
    [
        ([0.60, 0.61, 0.62, 0.59], [0.40, 0.41, 0.39, 0.40], "clearly better"),
        ([0.40, 0.41, 0.39, 0.40], [0.60, 0.61, 0.62, 0.59], "clearly worse"),
        ([0.5, 0.3, 0.6, 0.4], [0.45, 0.35, 0.55, 0.5], "not shown"),
    ],
)
def test_verdict_weighs_the_gain_against_the_spread(a, b, expected):
    assert significance.verdict(_runs(a, b), "A", "B", "knn_accuracy") == expected


def test_verdict_knows_that_lower_loss_is_better():
    assert (
        significance.verdict(_runs([0.20, 0.201, 0.199], [0.25, 0.251, 0.249], "bce"), "A", "B", "bce") == "clearly better"
    )


def test_comparison_is_welchs_test_with_its_interval_against_a_constant_baseline():
    rng = np.random.default_rng(1)
    a, pca = rng.normal(0.5, 0.05, 10), [0.45] * 10
    row = significance.compare_runs(_runs(a, pca), [("A", "B")], ["knn_accuracy"]).iloc[0]
    expected = scipy.stats.ttest_1samp(a, 0.45)  # Welch's test against a zero-spread baseline is the one-sample test
    assert row["p"] == pytest.approx(expected.pvalue)
    low, high = expected.confidence_interval(0.95)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((low - 0.45, high - 0.45))
    assert row["gain"] == pytest.approx(np.mean(a) - 0.45)


def test_holm_adjusts_step_down_and_keeps_order():
    adjusted = significance.holm([0.01, 0.04, 0.03])
    np.testing.assert_allclose(adjusted, [0.03, 0.06, 0.06])
    assert significance.holm([0.5, 0.9]).max() <= 1.0


def test_more_comparisons_make_a_verdict_harder_to_earn():
    a, b = [0.53, 0.55, 0.52, 0.54, 0.56], [0.50, 0.51, 0.49, 0.50, 0.51]
    alone = significance.compare_runs(_runs(a, b), [("A", "B")], ["knn_accuracy"])
    assert alone["p"].iloc[0] < 0.005 and alone["verdict"].iloc[0] == "clearly better"
    family = significance.compare_runs(_runs(a, b), [("A", "B")] * 20, ["knn_accuracy"])
    assert family["p_holm"].iloc[0] == pytest.approx(20 * alone["p"].iloc[0])
    assert (family["verdict"] == "not shown").all()


def test_backends_that_disagree_leave_the_question_not_settled():
    config = study.StudyConfig(depths=(1, 2), seeds=(0, 1, 2, 3))
    clear = study.StudyResult(config, _runs([0.60, 0.61, 0.62, 0.59], [0.40, 0.41, 0.39, 0.40]), "x")
    unclear = study.StudyResult(config, _runs([0.5, 0.3, 0.6, 0.4], [0.45, 0.35, 0.55, 0.5]), "y")
    table = significance.verdicts_by_backend({"tensorflow": clear, "jax": unclear}, [("A", "B")], ["knn_accuracy"])
    assert table.to_dict("records") == [
        {
            "model": "A",
            "baseline": "B",
            "metric": "knn_accuracy",
            "tensorflow": "clearly better",
            "jax": "not shown",
            "settled": "not settled",
        }
    ]
    agreed = significance.verdicts_by_backend({"tensorflow": clear, "jax": clear}, [("A", "B")], ["knn_accuracy"])
    assert agreed["settled"].tolist() == ["clearly better"]


def test_train_and_measure_saves_curves_and_scores_not_weights(small_mnist, tmp_path, capsys):
    from course_utils import models

    settings = training.TrainingSettings(epochs=2, batch_size=64)

    def run() -> study.MeasuredRun:
        model = models.build_autoencoder([10], seed=3)
        return study.train_and_measure(
            model, small_mnist.x_train, small_mnist.x_test, small_mnist, settings, 3, saved=tmp_path / "run.json"
        )

    first = run()
    (saved,) = tmp_path.iterdir()
    assert saved.suffix == ".json" and saved.stat().st_size < 20_000
    capsys.readouterr()
    again = run()
    assert "Loaded the saved result" in capsys.readouterr().out
    assert again == first and len(first.history["val_loss"]) == 2 and "knn_accuracy" in first.scores


def test_the_single_seed_margins_of_notebooks_2_to_5_hold_for_every_run_of_both_studies():
    """Notebooks 2 to 5 check their statements on seed 42; their margins must hold for every seed, not one lucky one."""
    runs = pd.concat(pd.DataFrame(study.load_saved(SAVED_STUDY, backend).runs) for backend in ("tensorflow", "jax"))
    one, two, three = (runs[runs["model"] == f"Autoencoder_{depth}"] for depth in (1, 2, 3))
    pca = runs[runs["model"] == study.PCA_NAME].iloc[0]
    assert len(one) == len(two) == len(three) == 20
    assert (one["knn_accuracy"] < pca["knn_accuracy"]).all() and (one["bce"] > pca["bce"] + 0.005).all()
    assert (one["trustworthiness"] < pca["trustworthiness"]).all() and (one["silhouette"] < 0).all()
    assert (two["bce"] < pca["bce"]).all() and ((two["knn_accuracy"] - pca["knn_accuracy"]).abs() < 0.07).all()
    assert (three["knn_accuracy"] > pca["knn_accuracy"]).all() and (three["bce"] < pca["bce"] - 0.01).all()
    assert (three["trustworthiness"] > pca["trustworthiness"]).all() and (three["silhouette"] < 0.05).all()
    assert one["bce"].min() > two["bce"].max() + 0.005 and two["bce"].min() > three["bce"].max() + 0.002


def _parameters(hidden_units) -> int:
    from course_utils import models

    return models.build_autoencoder(hidden_units, seed=0).count_params()


@pytest.mark.parametrize("control", study.CONTROLS.values(), ids=lambda control: control.name)
def test_each_control_has_the_size_of_the_model_it_matches_and_another_depth(control):
    from course_utils import models

    matched = models.build_article_model(control.matches, seed=0)
    assert abs(_parameters(control.hidden_units) / matched.count_params() - 1) <= study.SIZE_TOLERANCE
    assert control.depth != int(control.matches.rsplit("_", 1)[1])


def test_the_controls_separate_depth_from_size():
    """One control per direction: two layers at Autoencoder_3's size, three layers at Autoencoder_2's."""
    by_match = {control.matches: control.depth for control in study.CONTROLS.values()}
    assert by_match == {"Autoencoder_3": 2, "Autoencoder_2": 3}
    depth = {name: len(units) + 1 for name, units in study.DEPTH_STUDY.models()}
    size = {name: _parameters(units) for name, units in study.DEPTH_STUDY.models()}
    for model, baseline in study.DEPTH_AT_EQUAL_SIZE:
        assert depth[model] == depth[baseline] + 1 and abs(size[model] / size[baseline] - 1) <= study.SIZE_TOLERANCE
    for model, baseline in study.SIZE_AT_EQUAL_DEPTH:
        assert depth[model] == depth[baseline] and size[model] > 3 * size[baseline]


@pytest.mark.parametrize("backend", ["tensorflow", "jax"])
def test_the_saved_study_of_each_backend_has_every_control_for_every_seed(backend):
    saved = study.load_saved(SAVED_STUDY, backend)
    assert set(saved.config.controls) == set(study.CONTROLS)
    runs = pd.DataFrame(saved.runs)
    for name, control in study.CONTROLS.items():
        own = runs[runs["model"] == name]
        assert sorted(own["seed"]) == list(study.DEFAULT_SEEDS), f"{name} is missing seeds on {backend}"
        assert (own["parameters"] == _parameters(control.hidden_units)).all()
        assert (own["depth"] == control.depth).all()


def test_the_study_command_trains_the_controls_only_with_the_articles_depths(monkeypatch, tmp_path):
    seen = {}

    def fake(config, *args, **kwargs):
        seen["config"] = config
        raise SystemExit(0)

    monkeypatch.setattr(study, "load_or_run", fake)
    with pytest.raises(SystemExit):
        main(["study", "--output", str(tmp_path), "--source", "subset"])
    assert seen["config"] == study.DEPTH_STUDY
    with pytest.raises(SystemExit):
        main(["study", "--depths", "4", "--output", str(tmp_path), "--source", "subset"])
    assert seen["config"].controls == ()


def test_the_control_figure_draws_a_line_per_depth(tiny_result):
    figure = study.control_figure(tiny_result.summary())
    panels = [axes for axes in figure.axes if axes.get_title()]
    assert len(panels) == len(study.METRIC_NAMES)
    assert len(panels[0].get_lines()) >= 2 and panels[0].get_xscale() == "log"


def test_the_books_introduction_quotes_the_saved_reference_study():
    """book/intro.md states the study's means in prose: they must be the saved reference study's, as printed."""
    intro = " ".join((Path(__file__).resolve().parents[1] / "book" / "intro.md").read_text().split())
    means = {row["model"]: row for row in study.load_saved(SAVED_STUDY).summary()}
    bce = [means[study.model_name(depth)]["bce_mean"] for depth in (1, 2, 3)]
    knn = [means[study.model_name(depth)]["knn_accuracy_mean"] for depth in (1, 2, 3)]
    pca = means[study.PCA_NAME]
    assert f"falls from {bce[0]:.3f} with one hidden layer to {bce[1]:.3f} with two and {bce[2]:.3f} with three" in intro
    assert f"rises from {knn[0]:.2f} to {knn[1]:.2f} and {knn[2]:.2f}" in intro
    assert f"scores {pca['bce_mean']:.3f} and {pca['knn_accuracy_mean']:.2f}" in intro
    silhouettes = [means[study.model_name(depth)]["silhouette_mean"] for depth in (1, 2, 3)]
    low, high = (f"{value:.2f}".replace("-", "−") for value in (min(silhouettes), max(silhouettes)))
    assert f"between {low} and {high}" in intro and f"PCA's {pca['silhouette_mean']:+.2f}" in intro


def test_a_study_with_patience_stops_by_the_validation_loss_and_says_when(small_mnist, tmp_path):
    config = study.StudyConfig((1,), (0,), training.TrainingSettings(epochs=4, batch_size=256), patience=1)
    result = study.run_study(config, small_mnist, verbose=False)
    run = result.runs[0]
    assert 1 <= run["best_epoch"] <= run["epochs"] <= 4 and "epochs" not in result.runs[-1]  # PCA does not train
    key = study.fingerprint(config, small_mnist)
    assert key != study.fingerprint(study.StudyConfig((1,), (0,), config.settings), small_mnist)
    study.save(result, tmp_path, key)
    assert study.load(tmp_path, config, key).runs == result.runs


def test_the_converged_study_trains_the_articles_models_until_they_stop():
    config = study.CONVERGED_STUDY
    assert config.depths == (1, 2, 3) and config.patience and config.settings.epochs == study.MAX_EPOCHS


@pytest.mark.parametrize("backend", ["tensorflow", "jax"])
def test_the_saved_converged_study_of_each_backend_is_current(backend, offline_mnist):
    """Notebook 6's check of the training budget reads both backends' converged studies."""
    folder = SAVED_STUDY.parent / "converged_study"
    saved = study.load_saved(folder, backend)
    command = f"KERAS_BACKEND={backend} python -m course_utils study --converged --output notebooks/results/converged_study"
    assert saved is not None, f"run: {command}"
    assert saved.config == study.CONVERGED_STUDY
    recorded = environment.RECORDED_VERSIONS
    versions = {"keras": recorded["keras"], "backend": backend, backend: recorded[backend]}
    key = study.fingerprint(study.CONVERGED_STUDY, offline_mnist, versions=versions)
    assert study.load(study.backend_directory(folder, backend), saved.config, key) is not None, f"stale: {command}"
    trained = [run for run in saved.runs if run["model"] != study.PCA_NAME]
    assert all(1 <= run["best_epoch"] <= run["epochs"] <= study.MAX_EPOCHS for run in trained)
