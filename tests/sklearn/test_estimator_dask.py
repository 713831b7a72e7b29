"""A grid search over chainrule.sklearn.MLPClassifier on a Dask cluster, against the same search on loky.

A ``LocalCluster`` of two worker processes on the loopback interface stands in for a real
cluster (``Client("tcp://scheduler:8786")`` is the only line that changes). Skipped
without dask[distributed] (``pip install "chainrule[dask]"``) or scikit-learn.
"""

import os
import time

import numpy as np
import pytest

pytest.importorskip("sklearn", reason='scikit-learn is not installed (pip install "chainrule[sklearn]")')
distributed = pytest.importorskip("distributed", reason='dask[distributed] is not installed '
                                                        '(pip install "chainrule[dask]")')
joblib = pytest.importorskip("joblib")

from sklearn.model_selection import GridSearchCV  # noqa: E402

from chainrule.sklearn import MLPClassifier  # noqa: E402

GRID = {"hidden_layer_sizes": [(16,), (64,)], "learning_rate_init": [0.0003, 0.003]}


@pytest.fixture
def environ_restored():
    """Dask's LocalCluster writes OMP/MKL/OPENBLAS_NUM_THREADS=1 (and more) into this process's
    environment for its workers and leaves them there; later tests start subprocesses."""
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


def search(x, t):
    return GridSearchCV(MLPClassifier(max_iter=3, random_state=0), GRID, cv=2, n_jobs=-1)


@pytest.mark.mnist
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")  # 3 epochs are not convergence
def test_grid_search_on_a_local_dask_cluster_matches_loky(real_mnist, environ_restored):
    x = real_mnist.x_train[:10000].reshape(10000, -1).astype(np.float32) / np.float32(255)
    t = real_mnist.t_train[:10000]

    start = time.perf_counter()
    with joblib.parallel_backend("loky", n_jobs=2):
        on_loky = search(x, t).fit(x, t)
    loky_seconds = time.perf_counter() - start

    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                       dashboard_address=None)
    client = distributed.Client(cluster)
    try:
        workers = set(client.scheduler_info()["workers"])
        assert len(workers) == 2 and all(w.startswith("tcp://127.0.0.1:") for w in workers)
        with distributed.get_task_stream(client) as tasks, joblib.parallel_backend("dask"):
            on_dask = search(x, t).fit(x, t)
        ran_on = {task["worker"] for task in tasks.data}
    finally:
        client.close()
        cluster.close()
    assert cluster.status.name == "closed"

    # 4 candidates x 2 folds = 8 fits, spread over both workers of the cluster
    assert len(on_dask.cv_results_["params"]) == 4 and on_dask.n_splits_ == 2
    assert len(tasks.data) >= 8 and ran_on == workers
    assert on_dask.best_params_ == on_loky.best_params_
    np.testing.assert_allclose(on_dask.cv_results_["mean_test_score"], on_loky.cv_results_["mean_test_score"],
                               rtol=0, atol=2e-3)
    assert on_dask.best_score_ > 0.9 and loky_seconds > 0
