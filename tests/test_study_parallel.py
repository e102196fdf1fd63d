"""Parallel runs of the depth study: in worker processes or on Dask, the very same numbers as one after another."""

import os

import pytest

from course_utils import data, study, training
from course_utils.maintain import parallel

pytestmark = pytest.mark.slow

TINY = study.StudyConfig(depths=(1, 2), seeds=(0, 1), settings=training.TrainingSettings(epochs=1, batch_size=64))


@pytest.fixture(scope="module")
def tiny_data(offline_mnist):
    """300 training and 200 test images of the offline subset."""
    return data.MnistData(
        offline_mnist.x_train[:300],
        offline_mnist.y_train[:300],
        offline_mnist.x_test[:200],
        offline_mnist.y_test[:200],
        "subset",
        "test slice",
    )


@pytest.fixture(scope="module")
def serial(tiny_data):
    return study.run_study(TINY, tiny_data, verbose=False)


@pytest.mark.backend
def test_two_worker_processes_give_every_number_of_one_process(tiny_data, serial, capsys):
    result = study.run_study(TINY, tiny_data, runner=parallel.runner(jobs=2, estimate=8.0))
    assert result.runs == serial.runs  # equal, not approximately: dicts of floats compared exactly
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].startswith("4 runs, 2 at a time in worker processes with") and "about 4 s" in printed[0]
    assert len(printed) == 5 and all(" done: Autoencoder_" in line for line in printed[1:])


@pytest.mark.backend
def test_a_local_dask_cluster_gives_every_number_of_one_process(tiny_data, serial):
    pytest.importorskip("distributed")
    assert study.run_study(TINY, tiny_data, runner=parallel.runner(scheduler="local", verbose=False)).runs == serial.runs


def test_an_active_dask_client_is_used_by_its_address(tiny_data, serial):
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(processes=False, n_workers=1, threads_per_worker=2, dashboard_address=None) as cluster,
        distributed.Client(cluster) as client,
    ):
        result = study.run_study(TINY, tiny_data, runner=parallel.runner(scheduler=client.scheduler.address, verbose=False))
    assert result.runs == serial.runs  # two threads, one training at a time: still the same numbers


def test_workers_get_the_backend_the_quiet_settings_and_their_share_of_threads(monkeypatch):
    monkeypatch.setattr(parallel.environment, "cpu_count", lambda: 8)
    environment = parallel._worker_environment(4)
    assert environment["KERAS_BACKEND"] == parallel.keras.backend.backend()
    assert environment["TF_CPP_MIN_LOG_LEVEL"] == os.environ.get("TF_CPP_MIN_LOG_LEVEL", "3")
    assert environment["TF_NUM_INTEROP_THREADS"] == environment[parallel.WORKER_CPUS_VARIABLE] == "2"
    assert parallel.worker_threads(3) == 2 and parallel.worker_threads(16) == 1


@pytest.mark.parametrize("jobs", [0, -1, 1.5, True, "2"])
def test_jobs_must_be_a_whole_number_of_at_least_one(jobs, tiny_data):
    with pytest.raises(ValueError, match="jobs must be a whole number of at least 1"):
        parallel.runner(jobs=jobs)


def test_without_dask_the_message_says_how_to_install_it(tiny_data, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "dask.distributed", None)  # as if not installed
    with pytest.raises(ImportError, match=r'pip install "dask\[distributed\]"'):
        study.run_study(TINY, tiny_data, runner=parallel.runner(scheduler="local", verbose=False))


def test_an_address_without_a_scheduler_is_a_clear_error(tiny_data):
    pytest.importorskip("distributed")
    with pytest.raises(ConnectionError, match="no Dask scheduler answers at 'tcp://127.0.0.1:1'"):
        study.run_study(TINY, tiny_data, runner=parallel.runner(scheduler="tcp://127.0.0.1:1", verbose=False))
