"""The benchmarks' code, without running a benchmark: the NumPy baseline, the job runner, the tables.

Only the job test trains, for milliseconds, in a process of its own; the rest runs in seconds.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS = ROOT / "benchmarks"
if str(ROOT) not in sys.path:  # benchmarks/ is not installed with the course, and `pytest` does not add the root
    sys.path.insert(0, str(ROOT))

from benchmarks import (  # noqa: E402
    batch_size,
    choose_settings,
    notebook_budgets,
    runner,
    study_budget,
    tables,
    throughput,
)
from benchmarks.numpy_autoencoder import Adam, NumpyAutoencoder, train_numpy  # noqa: E402

TINY = [5, 3, 2, 3, 5]
# Each module may import only modules of the layers before its own: throughput -> runner -> numpy_autoencoder
# (and throughput -> hardware).
LAYERS = (
    ("numpy_autoencoder", "tables", "hardware"),
    ("runner",),
    ("throughput", "batch_size", "choose_settings", "notebook_budgets", "study_budget", "parallel_speedup", "grading"),
    ("full_size",),
)
SCRIPTS = (
    "throughput",
    "batch_size",
    "choose_settings",
    "notebook_budgets",
    "study_budget",
    "full_size",
    "parallel_speedup",
    "grading",
)


def _cells(table: str) -> list[list[str]]:
    """The cells of every row of the Markdown tables in ``table``, headers included, alignment lines left out."""
    lines = [line.strip() for line in table.splitlines() if line.startswith("|")]
    return [[cell.strip() for cell in line.strip("|").split("|")] for line in lines if set(line) - set("|:- ")]


def _alignments(table: str) -> list[str]:
    """``left`` or ``right`` for each column of the first table in ``table``."""
    line = next(line for line in table.splitlines() if line.startswith("|") and not set(line) - set("|:- "))
    return ["right" if cell.strip().endswith(":") else "left" for cell in line.strip().strip("|").split("|")]


# --------------------------------------------------------------------------------------------
# How the modules fit together
# --------------------------------------------------------------------------------------------


def _benchmark_imports(path: Path) -> set[str]:
    """The benchmarks modules a file imports, at the top or inside functions."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module == "benchmarks":
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("benchmarks."):
            names.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            names |= {alias.name.split(".")[1] for alias in node.names if alias.name.startswith("benchmarks.")}
    return names


def test_imports_run_one_way():
    layer_of = {module: number for number, layer in enumerate(LAYERS) for module in layer}
    assert sorted(layer_of) == sorted(path.stem for path in BENCHMARKS.glob("*.py")), "place every module in LAYERS"
    for module, layer in layer_of.items():
        for imported in _benchmark_imports(BENCHMARKS / f"{module}.py"):
            assert layer_of[imported] < layer, f"{module} imports {imported}, which is not in an earlier layer"


def test_the_parent_process_never_imports_keras():
    """throughput.py chooses each job's backend: Keras, once imported, would fix its own."""
    code = "import sys, benchmarks.throughput; print(sorted(name for name in sys.modules if name.split('.')[0] == 'keras'))"
    found = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert found.stdout.strip() == "[]"


@pytest.mark.parametrize(
    "command",
    [[f"benchmarks/{script}.py"] for script in SCRIPTS] + [["-m", "benchmarks.throughput"], ["-m", "benchmarks.runner"]],
)
def test_every_script_answers_help_without_running(command):
    shown = subprocess.run([sys.executable, *command, "--help"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith("usage:")


# --------------------------------------------------------------------------------------------
# The NumPy baseline (numpy_autoencoder.py)
# --------------------------------------------------------------------------------------------


def _images(rng, count=64, width=16):
    """Noisy copies of four binary prototypes: something a small autoencoder can learn."""
    prototypes = rng.random((4, width)) > 0.5
    noisy = prototypes[rng.integers(0, 4, count)] ^ (rng.random((count, width)) < 0.05)
    return noisy.astype(np.float32)


def test_the_baseline_has_the_article_models_sizes_and_activations():
    from course_utils import models

    for name, hidden in models.ARTICLE_HIDDEN_UNITS.items():
        model = NumpyAutoencoder(models.layer_sizes(hidden))
        assert model.count_params() == models.ARTICLE_PARAMETER_COUNTS[name]
    assert NumpyAutoencoder(TINY).activations == ["relu", "linear", "relu", "sigmoid"]
    assert NumpyAutoencoder([5, 2, 5]).activations == ["linear", "sigmoid"]
    with pytest.raises(ValueError, match="odd number"):
        NumpyAutoencoder([5, 2, 2, 5])


def test_the_baseline_gradient_matches_finite_differences(rng):
    model = NumpyAutoencoder(TINY, seed=3, dtype=np.float64)
    for param in model.params[1::2]:  # non-zero biases, so every term of the gradient is exercised
        param += rng.normal(0, 0.1, param.shape)
    images = rng.random((4, TINY[0]))
    _, gradients = model.loss_and_gradients(images)
    step = 1e-6
    for param, gradient in zip(model.params, gradients):
        numeric = np.zeros_like(param)
        for index in np.ndindex(param.shape):
            saved = param[index]
            param[index] = saved + step
            above = model.loss(images)
            param[index] = saved - step
            below = model.loss(images)
            param[index] = saved
            numeric[index] = (above - below) / (2 * step)
        np.testing.assert_allclose(gradient, numeric, rtol=1e-5, atol=1e-9)


def test_the_baseline_loss_matches_binary_cross_entropy(rng):
    model = NumpyAutoencoder(TINY, seed=0, dtype=np.float64)
    images = rng.random((6, TINY[0]))
    reconstructions = model.reconstruct(images)
    expected = -np.mean(images * np.log(reconstructions) + (1 - images) * np.log(1 - reconstructions))
    assert model.loss(images) == pytest.approx(expected, rel=1e-10)


def test_the_baseline_loss_decreases(rng):
    images = _images(rng)
    model = NumpyAutoencoder([16, 8, 2, 8, 16], seed=0)
    first = model.loss(images)
    ended = []
    losses = train_numpy(model, images, epochs=30, batch_size=8, learning_rate=1e-2, on_epoch_end=lambda *_: ended.append(1))
    assert len(losses) == len(ended) == 30
    assert losses[-1] < 0.8 * losses[0]
    assert model.loss(images) < 0.8 * first
    assert model.params[0].dtype == np.float32


def test_adams_first_step_moves_each_weight_by_the_learning_rate():
    weights = np.zeros(3, dtype=np.float64)
    Adam([weights], learning_rate=0.01).step([np.array([2.0, -0.5, 0.1])])
    np.testing.assert_allclose(weights, [-0.01, 0.01, -0.01], rtol=1e-3)


# --------------------------------------------------------------------------------------------
# Jobs and their timing (runner.py)
# --------------------------------------------------------------------------------------------


def test_runner_names_split_into_code_and_backend():
    names = runner.runner_names()
    assert names[0] == throughput.REFERENCE and names[-1] == "numpy" and len(names) == 7
    assert [runner.split_runner(name) for name in ("fit-jax", "course-torch", "numpy")] == [
        ("fit", "jax"),
        ("course", "torch"),
        ("numpy", "numpy"),
    ]
    with pytest.raises(ValueError, match="unknown runner 'fit-numpy'"):
        runner.split_runner("fit-numpy")


def test_epoch_summary_uses_the_median_after_the_warm_up():
    assert runner.epoch_durations(10.0, [15.0, 16.0, 19.0, 21.0]) == [5.0, 1.0, 3.0, 2.0]
    summary = runner.summarise_epochs([5.0, 1.0, 3.0, 2.0], samples=600, warmup=1)
    assert summary["median_epoch_seconds"] == 2.0
    assert summary["samples_per_second"] == 300.0
    assert summary["first_epoch_seconds"] == 5.0
    assert summary["compile_seconds"] == 3.0
    assert summary["spread_epoch_seconds"] == (1.0, 3.0)
    with pytest.raises(ValueError, match="more than 1"):
        runner.summarise_epochs([5.0], samples=600, warmup=1)


def test_repeat_to_makes_any_size():
    images = np.arange(8).reshape(4, 2)
    assert runner.repeat_to(images, 10)[:, 0].tolist() == [0, 2, 4, 6, 0, 2, 4, 6, 0, 2]
    assert runner.repeat_to(images, 3).shape == (3, 2)


def test_the_numpy_baseline_runs_on_the_lightest_keras_backend(monkeypatch):
    assert runner.job_environment("jax")["KERAS_BACKEND"] == "jax"
    monkeypatch.setattr(runner, "unavailable_reason", lambda backend: None)
    assert runner.job_environment("numpy")["KERAS_BACKEND"] == "numpy"
    monkeypatch.setattr(runner, "unavailable_reason", lambda backend: f"{backend} is not installed")
    assert runner.job_environment("numpy")["KERAS_BACKEND"] == "tensorflow"


def test_a_backend_that_is_not_installed_is_reported_without_starting_a_process(monkeypatch):
    def not_installed(package):
        raise metadata.PackageNotFoundError(package)

    monkeypatch.setattr(runner.metadata, "version", not_installed)
    monkeypatch.setattr(runner.subprocess, "Popen", None)  # starting a process would fail the test
    assert runner.run_in_subprocess({"kind": "budget"}, "torch") == {
        "available": False,
        "reason": "torch is not installed",
    }
    assert runner.unavailable_reason("numpy") is None


def test_a_failing_job_reports_its_error(capsys):
    result = runner.run_in_subprocess({"kind": "nonsense"}, "numpy")
    assert result == {
        "available": False,
        "reason": "ValueError: unknown job kind 'nonsense'; choose from throughput, budget.",
    }
    assert "failed: ValueError" in capsys.readouterr().err


def test_a_job_runs_in_its_own_process_and_reports_back(capsys):
    """The NumPy baseline on 64 images for two epochs: the whole protocol, training for milliseconds."""
    job = {"kind": "throughput", "runner": "numpy", "sizes": [64], "models": ["Autoencoder_1"], "epochs": 1, "warmup": 1}
    result = runner.run_in_subprocess(job, "numpy")
    assert result["available"], result
    [row] = result["rows"]
    assert (row["runner"], row["size"], row["model"], len(row["epoch_seconds"])) == ("numpy", 64, "Autoencoder_1", 2)
    assert row["samples_per_second"] > 0 and 0 < row["final_loss"] < 1
    assert result["settings"]["batch_size"] == 32 and result["peak_mb"] > 0
    assert "numpy" in capsys.readouterr().err  # the job's progress line, passed on


# --------------------------------------------------------------------------------------------
# Tables (tables.py) and the reports of the scripts
# --------------------------------------------------------------------------------------------


def test_markdown_tables_keep_the_cells_as_written():
    table = tables.markdown_table([{"name": "a", "ratio": "1.00", "speed": "16,461"}, {"name": "b", "ratio": "–"}])
    assert _cells(table) == [["name", "ratio", "speed"], ["a", "1.00", "16,461"], ["b", "–", ""]]
    assert _alignments(table) == ["left", "right", "right"]


def test_mean_and_sd_keeps_the_group_order_and_rounds_the_exact_mean():
    # Three kNN accuracies of the committed batch-size study: their mean is 0.2875, which rounds to
    # 0.287 as it did in results/batch_size.md; a float sum gives 0.28750000000000003, so 0.288.
    rows = [{"k": "b", "v": value} for value in (0.32625, 0.2525, 0.28375)] + [{"k": "a", "v": 1.0}]
    summary = tables.mean_and_sd(rows, ["k"], {"v": 3})
    assert summary.to_dict("records") == [{"k": "b", "v": "0.287 ± 0.037"}, {"k": "a", "v": "1.000 ± 0.000"}]


def _row(name, model, speed, size=4_000):
    code, backend = runner.split_runner(name)
    return {
        "runner": name, "code": code, "backend": backend, "size": size, "model": model,
        "samples_per_second": speed, "first_epoch_seconds": 2.5, "compile_seconds": 1.25, "final_loss": 0.2,
    }  # fmt: skip


def test_throughput_table_gives_ratios_to_the_course_default():
    rows = throughput.add_ratios(
        [
            _row("course-tensorflow", "Autoencoder_1", 10_000),
            _row("fit-jax", "Autoencoder_1", 20_000),
            _row("numpy", "Autoencoder_2", 5_000),
            _row("course-tensorflow", "Autoencoder_1", 1_000, size=60_000),
        ]
    )
    table = throughput.throughput_table(rows, {"fit-torch": "torch is not installed"})
    lines = table.splitlines()
    assert "**4,000 images: the offline training set**" in lines
    assert any("speed test only" in line and "repeated 15 times" in line for line in lines)
    cells = _cells(table)
    header = ["model", "training code", "backend", "images/s", "× course default", "first epoch (s)"]
    assert cells[0] == [*header, "of which compile ≈ (s)", "final loss"]
    assert ["Autoencoder_1", "course train()", "TensorFlow", "10,000", "1.00", "2.50", "1.25", "0.2000"] in cells
    assert ["Autoencoder_1", "bare model.fit", "JAX", "20,000", "2.00", "2.50", "1.25", "0.2000"] in cells
    assert ["Autoencoder_2", "NumPy baseline", "NumPy", "5,000", "–", "2.50", "1.25", "0.2000"] in cells
    assert ["Autoencoder_1", "course train()", "TensorFlow", "1,000", "1.00", "2.50", "1.25", "0.2000"] in cells
    assert len(cells) == 6  # two tables, each with its header
    assert "- bare model.fit on PyTorch: **not available** (torch is not installed)" in lines
    assert _alignments(table) == ["left"] * 3 + ["right"] * 5


def test_budget_table_and_fastest_backend():
    rows = [
        _row("course-tensorflow", "Autoencoder_1", 1_000),
        _row("course-jax", "Autoencoder_1", 3_000),
        _row("fit-torch", "Autoencoder_1", 9_000),  # not the course's train(): never chosen
    ]
    assert throughput.fastest_backend(rows, ["Autoencoder_1"]) == "jax"
    assert throughput.fastest_backend(rows, ["Autoencoder_1", "Autoencoder_2"]) is None
    table = throughput.budget_table(
        [
            {"backend": "torch", "available": False, "reason": "torch is not installed"},
            {"backend": "tensorflow", "available": True, "total_seconds": 30.0, "peak_mb": 1500.4,
             "model_seconds": {"Autoencoder_1": 10.0, "Autoencoder_2": 20.0}},
        ]
    )  # fmt: skip
    assert _cells(table) == [
        ["backend", "total (s)", "Autoencoder_1 (s)", "Autoencoder_2 (s)", "peak memory (MB)"],
        ["PyTorch", "not available (torch is not installed)", "", "", ""],
        ["TensorFlow", "30.0", "10.0", "20.0", "1,500"],
    ]
    assert throughput.budget_table([]) == "(not run)"


def _report(**changes) -> dict:
    report = {
        "date": "2025-01-01 00:00",
        "arguments": [],
        "machine": throughput.machine(),
        "load_average": (0.5, 0.5, 0.5),
        "timing": {"epochs": 2, "warmup": 1, "sizes": [2_000]},
        "course_settings": {"batch_size": 32, "optimizer": "adam", "learning_rate": 0.001, "loss": "bce"},
        "throughput": throughput.add_ratios([_row("course-tensorflow", "Autoencoder_1", 1_000, size=2_000)]),
        "unavailable": {},
    }
    return {**report, **changes}


def test_markdown_report_names_the_machine_and_the_quick_run():
    report = _report(arguments=["--quick"], quick=True)
    text = throughput.markdown_report(report)
    assert "--quick run" in text and "2,000 images" in text and "## Budget run\n\n(not run)" in text
    assert "by `python benchmarks/throughput.py --quick`." in text
    assert ["Autoencoder_1", "course train()", "TensorFlow", "1,000", "1.00", "2.50", "1.25", "0.2000"] in _cells(text)
    assert report["machine"]["cores"] >= 1 and report["machine"]["versions"]["numpy"] == np.__version__


def test_only_load_before_the_run_marks_it_as_not_quiet():
    report = _report(load_average_at_end=(2.4, 1.0, 0.5))  # the benchmark's own threads
    assert "not quiet" not in throughput.markdown_report(report)
    assert "2.40 at the end (the benchmark's own threads)" in throughput.markdown_report(report)
    report["load_average"] = (1.5, 0.5, 0.5)
    assert "not quiet (load average 1.5 at the start)" in throughput.markdown_report(report)


def test_quick_options_fill_what_is_not_given():
    quick = throughput.parse_arguments(["--quick", "--epochs", "3"])
    assert quick.sizes == [2_000] and quick.epochs == 3 and quick.budget_epochs == 2
    assert quick.output.name == "throughput-quick"
    full = throughput.parse_arguments([])
    assert full.sizes == [4_000, 60_000] and full.budget_epochs == 50 and full.runners[0] == "course-tensorflow"


def test_budget_verdicts_compare_with_the_issue_targets():
    report = {
        "throughput": [
            _row("course-jax", "Autoencoder_1", 9_600),
            _row("fit-jax", "Autoencoder_1", 10_000),  # course at 0.96 of the bare fit: within 5 %
            _row("course-tensorflow", "Autoencoder_1", 9_000),
            _row("fit-tensorflow", "Autoencoder_1", 10_000),  # course at 0.90: too slow
        ],
        "budget": {
            "size": 60_000,
            "epochs": 50,
            "rows": [
                {"backend": "tensorflow", "total_seconds": 200.0, "peak_mb": 1_500.0},
                {"backend": "jax", "total_seconds": 59.0, "peak_mb": 2_100.0},
                {"backend": "torch", "available": False, "reason": "torch is not installed"},
            ],
        },
    }
    verdicts = "\n".join(throughput.budget_verdicts(report))
    assert "on JAX: holds (slowest ratio 0.96 over 1 model and size pairs)" in verdicts
    assert "on TensorFlow: does NOT hold (slowest ratio 0.90" in verdicts
    assert "TensorFlow: three models x 50 epochs under 180 s: does NOT hold (200 s)" in verdicts
    assert "JAX: three models x 50 epochs under 60 s: holds (59 s)" in verdicts
    assert "JAX: peak memory under 2,000 MB: does NOT hold (2,100 MB)" in verdicts
    assert "PyTorch" not in verdicts
    report["budget"]["epochs"] = 2
    verdicts = "\n".join(throughput.budget_verdicts(report))
    assert "apply to 50 epochs on 60,000 images only" in verdicts and "under 180 s" not in verdicts


def test_batch_size_budget_projection_is_first_epoch_plus_the_median_ones():
    speed = [
        {"batch_size": 32, "model": "a", "first_epoch_seconds": 3.0, "median_epoch_seconds": 1.0},
        {"batch_size": 32, "model": "b", "first_epoch_seconds": 5.0, "median_epoch_seconds": 2.0},
        {"batch_size": 64, "model": "a", "first_epoch_seconds": 100.0, "median_epoch_seconds": 100.0},
    ]
    epochs_after_first = batch_size.BUDGET_EPOCHS - 1
    assert batch_size.projected_budget(speed, 32) == pytest.approx(3 + 5 + epochs_after_first * 3)


def test_batch_size_speed_table_has_a_column_per_model():
    speed = [
        {"batch_size": batch, "model": model, "images_per_second": rate, "first_epoch_seconds": 2.0,
         "median_epoch_seconds": 1.0}
        for batch, model, rate in ((32, "A", 1234.4), (32, "B", 99.6), (64, "A", 2000.0), (64, "B", 150.0))
    ]  # fmt: skip
    assert _cells(batch_size.speed_table({"jax": {"speed": speed}})) == [
        ["backend", "batch", "A (images/s)", "B (images/s)", "projected budget (s)"],
        ["jax", "32", "1,234", "100", "102"],
        ["jax", "64", "2,000", "150", "102"],
    ]


def test_batch_size_quality_table_averages_over_seeds_and_sorts_by_model():
    rows = [
        {"candidate": "batch 32", "model": model, "epochs": 30, "seconds": seconds, "bce": bce,
         "knn_accuracy": 0.5, "trustworthiness": 0.8}
        for model in ("B", "A")
        for seconds, bce in ((1.0, 0.20), (3.0, 0.22))
    ]  # fmt: skip
    assert _cells(batch_size.quality_table(rows)) == [
        ["model", "batch, learning rate", "epochs", "training (s)", "validation BCE", "kNN accuracy", "trustworthiness"],
        ["A", "batch 32", "30", "2.0 ± 1.4", "0.2100 ± 0.0141", "0.500 ± 0.000", "0.800 ± 0.000"],
        ["B", "batch 32", "30", "2.0 ± 1.4", "0.2100 ± 0.0141", "0.500 ± 0.000", "0.800 ± 0.000"],
    ]


def test_settings_summary_has_a_row_per_setting_and_model():
    rows = [
        {"setting": "adam", "model": "A", "seed": seed, "seconds": 2.0 + seed, "knn_accuracy": 0.5, "val_loss_10": 0.25}
        for seed in (0, 1)
    ] + [{"setting": "rmsprop", "model": "A", "seed": 0, "seconds": 3.0, "knn_accuracy": 0.4, "val_loss_10": 0.3}]
    assert _cells(choose_settings.summarise(rows)) == [
        ["setting", "model", "seconds", "knn_accuracy", "val_loss_10"],
        ["adam", "A", "2.5000 ± 0.7071", "0.5000 ± 0.0000", "0.2500 ± 0.0000"],
        ["rmsprop", "A", "3.0000 ± 0.0000", "0.4000 ± 0.0000", "0.3000 ± 0.0000"],
    ]


def test_notebook_budget_table_gives_the_median_and_range_of_the_passes():
    passes = [
        [{"notebook": "02_b", "seconds": seconds, "peak_mb": peak}, {"notebook": "01_a", "seconds": 1.0, "peak_mb": 10.0}]
        for seconds, peak in ((20.0, 900.4), (22.25, 955.0), (21.0, 920.0))
    ]
    frame = notebook_budgets.timings_frame(passes, "jax", "2026-11-28")
    assert _cells(notebook_budgets.budget_table(frame)) == [
        ["notebook", "seconds (median)", "range", "kernel peak memory (MB, max)", "measured"],
        ["02_b", "21.0", "20.0-22.2", "955", "2026-11-28"],
        ["01_a", "1.0", "1.0-1.0", "10", "2026-11-28"],
    ]


def test_notebooks_timed_alone_replace_only_their_own_rows(tmp_path):
    """--only: the other notebooks keep their rows and dates, and the course's order is kept."""
    from course_utils.maintain import timings

    earlier = [
        [{"notebook": stem, "seconds": 10.0, "peak_mb": 900.0} for stem in ("01_introduction", "02_one_hidden_layer")]
    ]
    notebook_budgets.write_results(earlier, "tensorflow", "2026-11-01", tmp_path)
    notebook_budgets.write_results(
        [[{"notebook": "01_introduction", "seconds": 12.0, "peak_mb": 950.0}]], "tensorflow", "2026-11-28", tmp_path
    )
    read = timings.read_timings(tmp_path / "notebook_budgets.csv")
    assert list(read) == ["01_introduction", "02_one_hidden_layer"]
    assert (read["01_introduction"].median_s, read["01_introduction"].date) == (12.0, "2026-11-28")
    assert (read["02_one_hidden_layer"].median_s, read["02_one_hidden_layer"].date) == (10.0, "2026-11-01")
    assert "02_one_hidden_layer" in (tmp_path / "notebook_budgets.md").read_text()


def test_notebook_budgets_write_the_timings_file_every_table_reads(tmp_path):
    from course_utils.maintain import timings

    passes = [
        [{"notebook": "02_b", "seconds": seconds, "peak_mb": peak}, {"notebook": "01_a", "seconds": 1.0, "peak_mb": 10.0}]
        for seconds, peak in ((20.0, 900.4), (22.25, 955.0), (21.0, 920.0))
    ]
    frame = notebook_budgets.timings_frame(passes, "jax", "2026-11-28")
    assert list(frame.columns) == list(timings.COLUMNS)
    report = notebook_budgets.write_results(passes, "jax", "2026-11-28", tmp_path)
    read = timings.read_timings(tmp_path / "notebook_budgets.csv")
    assert list(read) == ["02_b", "01_a"]
    assert (read["02_b"].median_s, read["02_b"].min_s, read["02_b"].max_s, read["02_b"].runs) == (21.0, 20.0, 22.2, 3)
    assert (read["02_b"].peak_mb, read["02_b"].backend, read["02_b"].date) == (955, "jax", "2026-11-28")
    assert (tmp_path / "notebook_budgets.md").read_text() == report + "\n"
    assert "Keras backend jax;" in report and not list(tmp_path.glob(".*partial"))


def test_notebook_budgets_dry_run_says_what_it_would_do_and_runs_nothing(capsys, monkeypatch):
    monkeypatch.setattr(notebook_budgets, "run_all", lambda: pytest.fail("the dry run ran the notebooks"))
    notebook_budgets.main(["--dry-run", "--repeats", "2"])
    printed = capsys.readouterr().out
    assert printed.startswith("would run 2 passes over 01_introduction, ") and "notebook_budgets.csv" in printed


def test_study_budget_report_shows_the_summary_table():
    from course_utils import study

    runs = [
        {"model": "Autoencoder_1", "depth": 1, "parameters": 3_922, "seed": seed, **dict.fromkeys(study.METRIC_NAMES, value)}
        for seed, value in ((0, 0.2), (1, 0.3))
    ]
    result = study.StudyResult(study.StudyConfig(depths=(1,), seeds=(0, 1)), runs, "test images")
    text = study_budget.budget_report(result, 167.4, 1265.4, {"keras": "3.15.1", "backend": "jax"}, 4_000)
    assert "Keras 3.15.1 on jax" in text and "depths [1] x seeds [0, 1]" in text and "4,000 training images" in text
    assert "- wall time: 167 s" in text and "- peak memory of the process: 1265 MB" in text
    header, row = _cells(text)
    assert header == ["model", "parameters", *study.METRIC_NAMES]
    assert row == ["Autoencoder_1", "3,922", *["0.2500 ± 0.0707"] * len(study.METRIC_NAMES)]
