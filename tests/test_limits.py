"""Sizes, seeds, epochs and workers are checked against the data and the machine before anything trains.

Issue #26, class 5: a size the data cannot give, a study of many hours, more jobs than cores and
a scheduler address where something else answers each stop at once with one line that says the fix.
"""

import io
import socket
import threading
import time

import numpy as np
import pytest
from command_line import refuse, usage_error

from course_utils import compare, data, environment, size_study, study, training
from course_utils.maintain import cli, parallel
from course_utils.maintain.cli import CONFIRM_MINUTES, main


class WouldTrain(Exception):
    """Raised where a study would start training."""


@pytest.fixture
def no_training(monkeypatch):
    monkeypatch.setattr(study, "run_study", refuse("the study"))
    monkeypatch.setattr(size_study, "run_size_study", refuse("the size study"))
    monkeypatch.setattr(study, "seconds_per_epoch", refuse("the timing epochs"))


def _balanced(count: int) -> data.MnistData:
    """``count`` blank training images whose labels cycle through the ten digits."""
    images = np.zeros((count, 784), dtype="float32")
    labels = np.arange(count) % 10
    return data.MnistData(images, labels, images[:20], labels[:20], "subset", "synthetic")


# Sizes: what the data can give


@pytest.mark.parametrize("size", [291, 295, 299])
def test_a_subset_that_would_leave_a_digit_without_test_images_is_refused_up_front(size):
    with pytest.raises(ValueError, match=rf"between 10 and 290, or be 300, .*{size} does not"):
        size_study.check_sizes([100, size], _balanced(300))


@pytest.mark.parametrize("size", [10, 290, 300])
def test_every_size_the_data_can_give_is_accepted(size):
    size_study.check_sizes([size], _balanced(300))


def test_the_stratified_subset_names_its_limits_instead_of_scikit_learns_error():
    with pytest.raises(ValueError, match="between 10 .* and 290 .*, not 295"):
        data.stratified_subset(np.zeros((300, 784)), np.arange(300) % 10, 295)
    images, labels = data.stratified_subset(np.zeros((300, 784)), np.arange(300) % 10, 290)
    assert len(images) == 290 and set(labels) == set(range(10))


def test_a_size_in_the_gap_below_the_data_set_is_a_usage_error_before_training(tmp_path, no_training, capsys):
    # The course's subset has 4,000 training images: 3,991 to 3,999 would leave a digit without one.
    says = usage_error(["study", "--train-sizes", "100", "3995", "--output", str(tmp_path)], capsys)
    assert "--train-sizes: training-set sizes must lie between 10 and 3,990, or be 4,000" in says


def test_a_set_smaller_than_a_batch_trains_the_updates_of_the_largest_not_more():
    settings = training.TrainingSettings(epochs=30, batch_size=128)
    config = size_study.SizeStudyConfig((10, 60_000), settings=settings)
    assert config.updates == 30 * 469 == 14_070
    assert config.epochs_for(10) == 14_070, "one update per epoch: as many epochs as the largest size's updates"
    assert config.epochs_for(60_000) == 30
    assert "of 14,070 updates each (14,070 epochs on 10 images to 30 epochs on 60,000 images)" in size_study.describe_work(
        config
    )
    # A size just above a whole number of batches makes more updates than the largest; the announcement says so.
    above = size_study.SizeStudyConfig((129, 60_000), settings=settings)
    assert "of 14,070 to 27,922 updates each" in size_study.describe_work(above)


# Seeds: a spread and a test need two


def test_one_seed_is_a_usage_error(tmp_path, no_training, capsys):
    says = usage_error(["study", "--seeds", "0", "--output", str(tmp_path)], capsys)
    assert "--seeds: give at least two" in says
    says = usage_error(["study", "--seeds", "0", "--train-sizes", "100", "--output", str(tmp_path)], capsys)
    assert "--seeds: give at least two" in says


def test_a_table_of_one_seed_shows_no_spread_of_zero():
    runs = [{"model": "Autoencoder_1", "depth": 1, "seed": 0, "parameters": 3922} | dict.fromkeys(study.METRIC_NAMES, 0.5)]
    table = study.summary_table(study.summarise(runs))
    assert table.loc["Autoencoder_1", "bce"] == "0.5000 (one seed)"


# Workers: what the machine has


def test_more_jobs_than_cores_is_a_usage_error(tmp_path, monkeypatch, no_training, capsys):
    monkeypatch.setattr(environment, "cpu_count", lambda: 2)
    says = usage_error(["study", "--jobs", "100", "--seeds", "0", "1", "--output", str(tmp_path)], capsys)
    assert "--jobs 100: this computer gives this process 2 CPU cores" in says and "--jobs 2 or fewer" in says


def test_grading_with_more_jobs_than_cores_is_a_usage_error(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(environment, "cpu_count", lambda: 1)
    (tmp_path / "alice").mkdir()
    says = usage_error(["grade", str(tmp_path), "--jobs", "2"], capsys)
    assert "--jobs 2: this computer gives this process 1 CPU core," in says and "--jobs 1 or fewer" in says


def test_grading_memory_limits_beyond_the_computers_memory_are_a_usage_error(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(environment, "cpu_count", lambda: 4)
    monkeypatch.setattr(cli, "_memory_gb_total", lambda: 8.0)
    (tmp_path / "alice").mkdir()
    says = usage_error(["grade", str(tmp_path), "--jobs", "2"], capsys)  # the default, 6 GB each
    assert "--jobs 2 with --memory-gb 6: the notebooks may use 12 GB together, but this computer has 8.0 GB" in says
    assert "Give --memory-gb 4 or less, or fewer --jobs" in says


def test_jobs_and_a_scheduler_together_is_a_usage_error(tmp_path, no_training, capsys):
    says = usage_error(["study", "--jobs", "1", "--scheduler", "local", "--output", str(tmp_path)], capsys)
    assert "--jobs and --scheduler" in says and "give one" in says


# An estimate above the limit asks first


@pytest.fixture
def hours_long(monkeypatch):
    """Studies that would take 10 hours here; the run records that it started instead of training."""
    started = []
    monkeypatch.setattr(cli, "_can_ask", lambda: False)  # as in a script or CI, whatever runs the tests
    monkeypatch.setattr(study, "estimate_seconds", lambda config, data: 10 * 3600.0)
    monkeypatch.setattr(size_study, "estimate_seconds", lambda config, data: 10 * 3600.0)
    monkeypatch.setattr(study, "load_saved", lambda directory: None)

    monkeypatch.setattr(study, "run_study", _would_train(started))
    monkeypatch.setattr(size_study, "run_size_study", _would_train(started))
    return started


def _would_train(started: list):
    def run(*arguments, **keywords):
        started.append(arguments)
        raise WouldTrain  # instead of the training, which the test does not need

    return run


@pytest.mark.parametrize("extra", [[], ["--train-sizes", "100", "4000"]])
def test_a_study_above_the_limit_is_refused_without_yes(extra, tmp_path, hours_long, capsys):
    says = usage_error(["study", "--seeds", "0", "1", *extra, "--output", str(tmp_path)], capsys)
    assert "about 10.0 hours here" in says and f"more than {CONFIRM_MINUTES} minutes: add --yes" in says
    assert hours_long == []


@pytest.mark.parametrize("extra", [[], ["--train-sizes", "100", "4000"]])
def test_yes_runs_it(extra, tmp_path, hours_long):
    with pytest.raises(WouldTrain):
        main(["study", "--seeds", "0", "1", *extra, "--yes", "--output", str(tmp_path)])
    assert len(hours_long) == 1


def test_the_jobs_share_the_estimate(tmp_path, monkeypatch, hours_long, capsys):
    monkeypatch.setattr(environment, "cpu_count", lambda: 16)
    monkeypatch.setattr(parallel, "runner", lambda jobs, scheduler: None)
    with pytest.raises(WouldTrain):  # 10 hours over 12 jobs: 50 minutes, below the limit
        main(["study", "--seeds", "0", "1", "--jobs", "12", "--output", str(tmp_path)])
    assert len(hours_long) == 1


def test_fewer_runs_than_jobs_share_it_among_the_runs(tmp_path, monkeypatch, hours_long, capsys):
    monkeypatch.setattr(environment, "cpu_count", lambda: 16)
    monkeypatch.setattr(parallel, "runner", lambda jobs, scheduler: None)
    argv = ["study", "--depths", "3", "--seeds", "0", "1", "--jobs", "16", "--output", str(tmp_path)]
    says = usage_error(argv, capsys)  # 2 runs (and 2 of PCA, not trained): 10 hours over 2 jobs
    assert "about 5.0 hours here with 2 jobs at once" in says and hours_long == []


@pytest.mark.parametrize("typed, runs", [("y\n", True), ("YES\n", True), ("n\n", False), ("", False)])
def test_at_a_terminal_it_asks_on_stderr(typed, runs, tmp_path, monkeypatch, hours_long, capsys):
    monkeypatch.setattr(cli, "_can_ask", lambda: True)
    monkeypatch.setattr("sys.stdin", io.StringIO(typed))
    if runs:
        with pytest.raises(WouldTrain):
            main(["study", "--seeds", "0", "1", "--output", str(tmp_path)])
    else:
        with pytest.raises(SystemExit) as stopped:  # a terminal echoes the typed line; this StringIO does not
            main(["study", "--seeds", "0", "1", "--output", str(tmp_path)])
        assert stopped.value.code == 2 and "add --yes" in capsys.readouterr().err
    assert len(hours_long) == int(runs)
    if runs:
        captured = capsys.readouterr()
        assert "Go on? [y/N]" in captured.err and "Go on?" not in captured.out, "stdout may be a log file"


def test_it_asks_only_a_person_in_the_foreground(monkeypatch):
    monkeypatch.setattr("sys.stdin", None)
    assert cli._can_ask() is False
    monkeypatch.setattr("sys.stdin", io.StringIO("y\n"))  # piped in: nobody to ask
    assert cli._can_ask() is False


def test_a_comparison_of_many_epochs_asks_too(tmp_path, monkeypatch, hours_long, capsys):
    monkeypatch.setattr(compare, "train_article_models", refuse("the comparison"))
    says = usage_error(["compare", "--epochs", "100000", "--output", str(tmp_path / "c.png")], capsys)
    assert "about 10.0 hours here" in says and "add --yes" in says
    monkeypatch.setattr(compare, "train_article_models", _would_train(hours_long))
    with pytest.raises(WouldTrain):
        main(["compare", "--epochs", "100000", "--yes", "--output", str(tmp_path / "c.png")])
    assert len(hours_long) == 1


def test_the_size_study_announces_its_work_before_it_trains(tmp_path, hours_long, capsys):
    with pytest.raises(WouldTrain):
        main(["study", "--seeds", "0", "1", "--train-sizes", "100", "4000", "--yes", "--output", str(tmp_path)])
    out = capsys.readouterr().out
    assert "No saved size study in" in out and "600.0 minutes in all" in out
    assert "training 12 models of 960 to 992 updates each (960 epochs on 100 images to 31 epochs on 4,000 images)" in out


# A scheduler address: Dask answers, or the command stops within seconds


@pytest.fixture
def silent_server():
    """An address that accepts connections and never says a word (as many servers wait for a request)."""
    server = socket.create_server(("127.0.0.1", 0))
    accepted = []

    def accept() -> None:
        while True:
            try:
                accepted.append(server.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    yield f"tcp://127.0.0.1:{server.getsockname()[1]}"
    server.close()
    for connection in accepted:
        connection.close()


def test_a_server_that_is_not_dask_fails_within_seconds(silent_server):
    pytest.importorskip("distributed")
    started = time.perf_counter()
    with pytest.raises(ConnectionError, match=f"no Dask scheduler answers at '{silent_server}'"):
        parallel.runner(scheduler=silent_server)
    assert time.perf_counter() - started < 3 * parallel.CONNECT_SECONDS


def test_such_an_address_is_a_usage_error_before_the_data_loads(silent_server, tmp_path, monkeypatch, capsys):
    pytest.importorskip("distributed")
    monkeypatch.setattr(data, "load_mnist", refuse("data loading"))
    says = usage_error(["study", "--scheduler", silent_server, "--output", str(tmp_path)], capsys)
    assert f"--scheduler: no Dask scheduler answers at '{silent_server}'" in says and "dask scheduler" in says


@pytest.fixture
def greeting_server():
    """An address whose server speaks first, as SSH does; Dask reads its greeting as an absurd message length."""
    server = socket.create_server(("127.0.0.1", 0))

    def greet() -> None:
        while True:
            try:
                connection = server.accept()[0]
            except OSError:
                return
            connection.sendall(b"SSH-2.0-OpenSSH_9.6\r\n")

    threading.Thread(target=greet, daemon=True).start()
    yield f"tcp://127.0.0.1:{server.getsockname()[1]}"
    server.close()


def test_a_server_that_speaks_first_is_not_dask_and_no_traceback(greeting_server):
    pytest.importorskip("distributed")
    with pytest.raises(ConnectionError, match=f"something answers at '{greeting_server}', but not as a Dask"):
        parallel.check_scheduler(greeting_server)


def test_a_check_that_hangs_is_given_up_in_time():
    started = time.perf_counter()
    assert isinstance(parallel._within(0.2, lambda: time.sleep(5)), TimeoutError)
    assert time.perf_counter() - started < 2


def test_a_dask_worker_is_not_taken_for_a_scheduler():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(processes=False, n_workers=1, dashboard_address=None) as cluster:
        worker = next(iter(cluster.workers.values())).address
        with pytest.raises(ConnectionError, match="not as a Dask scheduler does"):
            parallel.check_scheduler(worker)
        parallel.check_scheduler(cluster.scheduler_address)  # the scheduler itself passes
