"""chainrule.sklearn.MLPClassifier: scikit-learn's estimator checks, any labels, Pipeline, GridSearchCV.

Skipped without scikit-learn (``pip install "chainrule[sklearn]"``).
"""

import importlib
import sys
import warnings

import numpy as np
import pytest

pytest.importorskip("sklearn", reason='scikit-learn is not installed (pip install "chainrule[sklearn]")')

from sklearn.base import clone  # noqa: E402
from sklearn.datasets import make_blobs  # noqa: E402
from sklearn.exceptions import ConvergenceWarning, NotFittedError  # noqa: E402
from sklearn.model_selection import GridSearchCV, cross_val_score  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.utils.estimator_checks import check_estimator  # noqa: E402

from chainrule import MultiLayerNet  # noqa: E402
from chainrule.sklearn import MLPClassifier  # noqa: E402

# Checks that MLPClassifier is expected to fail, with the reason (scikit-learn's
# ``expected_failed_checks``, as its own estimators list theirs): none.
EXPECTED_FAILED_CHECKS = {}

# Checks that scikit-learn itself skips on some machines, and why.
ENVIRONMENT_SKIPS = {
    "check_array_api_input": "scikit-learn runs it only when SCIPY_ARRAY_API=1 is set before SciPy is imported "
                             "(it passes then: chainrule computes with NumPy arrays)",
    "check_classifier_data_not_an_array": "needs pandas",
    "check_dataframe_column_names_consistency": "needs pandas",
}

no_convergence_warning = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def blobs(n=600, classes=3, seed=0):
    x, t = make_blobs(n_samples=n, centers=classes, n_features=8, cluster_std=2.0, random_state=seed)
    return x, t


# -- scikit-learn's own checks ----------------------------------------------------------------

@no_convergence_warning
@pytest.mark.parametrize("estimator", [
    MLPClassifier(),
    MLPClassifier(early_stopping=True),
    MLPClassifier(hidden_layer_sizes=(20, 10), activation="logistic", solver="sgd", learning_rate_init=0.1,
                  dtype="float64"),
], ids=["defaults", "early-stopping", "sigmoid-sgd-float64"])
def test_check_estimator_passes(estimator):
    results = []

    def record(estimator, check_name, exception, status, expected_to_fail, expected_to_fail_reason):
        results.append((check_name, status, exception))

    check_estimator(estimator, expected_failed_checks=EXPECTED_FAILED_CHECKS, on_skip=None, on_fail=None,
                    callback=record)
    failed = [(name, repr(exc)) for name, status, exc in results if status not in ("passed", "skipped")]
    assert failed == []
    skipped = {name for name, status, _ in results if status == "skipped"}
    assert skipped <= set(ENVIRONMENT_SKIPS), skipped
    if importlib.util.find_spec("pandas") is not None:
        assert "check_classifier_data_not_an_array" not in skipped
    passed = {name for name, status, _ in results if status == "passed"}
    assert len(passed) >= 50
    assert {"check_classifiers_train", "check_fit_idempotent", "check_estimators_pickle",
            "check_methods_sample_order_invariance", "check_estimators_partial_fit_n_features"} <= passed


# -- labels, pipelines, searches ----------------------------------------------------------------

@no_convergence_warning
@pytest.mark.parametrize("names", [
    np.array(["setosa", "versicolor", "virginica"]),
    np.array([10, -3, 7]),
    np.array([1.0, 2.0, -1.0]),
    np.array(["a", "b", "c"], dtype=object),
], ids=["str", "int", "float", "object"])
def test_any_label_values(names):
    x, t = blobs()
    y = names[t]
    clf = MLPClassifier(hidden_layer_sizes=(16,), max_iter=50, random_state=0).fit(x, y)
    np.testing.assert_array_equal(clf.classes_, np.sort(names))
    pred = clf.predict(x)
    assert pred.dtype == np.sort(names).dtype and set(pred) <= set(names)
    assert clf.score(x, y) > 0.9
    proba = clf.predict_proba(x)
    assert proba.shape == (600, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=0, atol=1e-6)
    np.testing.assert_array_equal(clf.classes_[proba.argmax(axis=1)], pred)  # columns follow classes_
    assert isinstance(clf.network_, MultiLayerNet) and clf.network_.config["output_size"] == 3


@no_convergence_warning
def test_pipeline_grid_search_and_cross_validation():
    x, t = blobs(n=450)
    x = x * 100 + 40  # badly scaled features: the pipeline's scaler is what makes them learnable
    pipe = Pipeline([("scale", StandardScaler()), ("mlp", MLPClassifier(max_iter=30, random_state=0))])
    search = GridSearchCV(pipe, {"mlp__hidden_layer_sizes": [(4,), (32,)], "mlp__learning_rate_init": [0.01, 1e-5]},
                          cv=3)
    search.fit(x, t)
    assert search.best_params_["mlp__learning_rate_init"] == 0.01  # 1e-5 barely moves in 30 epochs
    assert search.best_score_ > 0.9
    assert search.score(x, t) > 0.9
    scores = cross_val_score(clone(pipe), x, t, cv=3)
    assert scores.shape == (3,) and scores.min() > 0.85
    assert search.best_estimator_.named_steps["mlp"].n_features_in_ == 8


# -- training --------------------------------------------------------------------------------

def test_fit_records_curves_and_warns_when_not_converged():
    x, t = blobs()
    clf = MLPClassifier(hidden_layer_sizes=(16,), max_iter=5, random_state=0)
    with pytest.warns(ConvergenceWarning, match=r"maximum number of epochs \(max_iter=5\) was reached"):
        clf.fit(x, t)
    assert clf.n_iter_ == 5 and clf.t_ == 5 * 600 and len(clf.loss_curve_) == 5
    assert clf.loss_ == clf.loss_curve_[-1] == clf.best_loss_
    assert all(b < a for a, b in zip(clf.loss_curve_, clf.loss_curve_[1:], strict=False))
    assert clf.validation_scores_ is None and clf.best_validation_score_ is None


def test_fit_stops_when_the_loss_stops_improving():
    x, t = blobs()
    clf = MLPClassifier(hidden_layer_sizes=(16,), max_iter=500, tol=0.05, n_iter_no_change=2, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no ConvergenceWarning: it converged
        clf.fit(x, t)
    assert 3 <= clf.n_iter_ < 500 and clf.best_loss_ == min(clf.loss_curve_)
    # scikit-learn's rule: stop after n_iter_no_change + 1 epochs in a row that did not beat the best by tol
    best, stale, stopped_at = np.inf, 0, None
    for epoch, loss in enumerate(clf.loss_curve_, 1):
        stale = 0 if loss <= best - 0.05 else stale + 1
        best = min(best, loss)
        if stale > 2:
            stopped_at = epoch
            break
    assert stopped_at == clf.n_iter_


def test_convergence_ends_training_through_trainer_stop(monkeypatch):
    from chainrule.train import Trainer

    stops = []
    original = Trainer.stop

    def stop(self, reason="stopped"):
        stops.append((reason, self.current_iter))
        original(self, reason)

    monkeypatch.setattr(Trainer, "stop", stop)
    x, t = blobs()
    clf = MLPClassifier(hidden_layer_sizes=(16,), max_iter=500, tol=0.05, n_iter_no_change=2, random_state=0).fit(x, t)
    assert stops == [("converged", clf.n_iter_ * 3)]  # 600 samples, batches of 200: 3 iterations an epoch


def test_early_stopping_keeps_the_best_epochs_weights():
    x, t = blobs(n=800, classes=4, seed=1)
    kw = dict(hidden_layer_sizes=(16,), early_stopping=True, n_iter_no_change=3, tol=1e-3, learning_rate_init=0.01,
              random_state=0)
    clf = MLPClassifier(max_iter=300, **kw).fit(x, t)
    assert clf.n_iter_ < 300 and len(clf.validation_scores_) == clf.n_iter_
    assert clf.best_validation_score_ == max(clf.validation_scores_) and clf.best_loss_ is None
    assert all(s <= clf.best_validation_score_ for s in clf.validation_scores_[-4:])
    best_epoch = clf.validation_scores_.index(clf.best_validation_score_) + 1
    # the same run stopped after the best epoch has exactly the weights early stopping kept
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        short = MLPClassifier(max_iter=best_epoch, **kw).fit(x, t)
    assert short.validation_scores_ == clf.validation_scores_[:best_epoch]
    for k in clf.network_.params:
        np.testing.assert_array_equal(clf.network_.params[k], short.network_.params[k])


@no_convergence_warning
def test_partial_fit_epochs_equal_fit_epochs_bit_for_bit():
    x, t = blobs()
    names = np.array(["x", "y", "z"])
    full = MLPClassifier(hidden_layer_sizes=(16,), max_iter=3, random_state=0).fit(x, names[t])
    step = MLPClassifier(hidden_layer_sizes=(16,), random_state=0)
    for _ in range(3):
        step.partial_fit(x, names[t], classes=names)
    assert step.n_iter_ == 3 and step.loss_curve_ == full.loss_curve_
    for k in full.network_.params:
        np.testing.assert_array_equal(step.network_.params[k], full.network_.params[k])
    part = MLPClassifier(random_state=0).partial_fit(x[:10], names[t[:10]], classes=names)
    assert part.t_ == 10 and list(part.classes_) == ["x", "y", "z"]


def test_partial_fit_and_parameter_errors_are_clear():
    x, t = blobs(n=60)
    with pytest.raises(ValueError, match="^classes must be passed on the first call to partial_fit$"):
        MLPClassifier().partial_fit(x, t)
    clf = MLPClassifier().partial_fit(x, t, classes=[0, 1, 2])
    with pytest.raises(ValueError, match=r"^y holds labels that are not in classes: \[7\]$"):
        clf.partial_fit(x, np.full(60, 7))
    with pytest.raises(ValueError, match=r"differs from the first call's"):
        clf.partial_fit(x, t, classes=[0, 1, 2, 3])
    with pytest.raises(NotFittedError):
        MLPClassifier().predict(x)
    cases = [
        (dict(solver="lbfgs"), "solver must be one of chainrule's optimizers (sgd, momentum, nesterov, adagrad, "
                               "rmsprop, adam); got 'lbfgs'"),
        (dict(activation="tanh"), "activation must be 'relu' or 'logistic'; got 'tanh'"),
        (dict(hidden_layer_sizes=(10, 0)), "hidden_layer_sizes must be positive integers; got (10, 0)"),
        (dict(dtype="float16"), "dtype must be 'float32' or 'float64'; got 'float16'"),
        (dict(batch_size=0), "batch_size must be a positive integer or 'auto'; got 0"),
        (dict(learning_rate_init=0), "learning_rate_init must be a number > 0; got 0"),
        (dict(alpha=-1), "alpha must be a number >= 0; got -1"),
        (dict(max_iter=0), "max_iter must be a positive integer; got 0"),
        (dict(validation_fraction=1.0), "validation_fraction must be in (0, 1); got 1.0"),
        (dict(random_state="seed"), "random_state must be an int, a numpy Generator or RandomState, or None; "
                                    "got 'seed'"),
    ]
    for params, message in cases:
        with pytest.raises(ValueError) as exc:
            MLPClassifier(**params).fit(x, t)
        assert str(exc.value) == message
    with pytest.raises(ValueError, match=r"^y has one class only \('only'\); a classifier needs at least two"):
        MLPClassifier().fit(x, np.full(60, "only"))


@no_convergence_warning
def test_random_state_forms():
    x, t = blobs(n=90)
    a = MLPClassifier(max_iter=2, random_state=5).fit(x, t)
    b = MLPClassifier(max_iter=2, random_state=5).fit(x, t)
    np.testing.assert_array_equal(a.predict_proba(x), b.predict_proba(x))
    c = MLPClassifier(max_iter=2, random_state=np.random.RandomState(5)).fit(x, t)
    d = MLPClassifier(max_iter=2, random_state=np.random.RandomState(5)).fit(x, t)
    np.testing.assert_array_equal(c.predict_proba(x), d.predict_proba(x))
    # a Generator is used as it is: one seeded like the int 5 gives the int's run, and it advances
    rng = np.random.default_rng(5)
    e = MLPClassifier(max_iter=2, random_state=rng).fit(x, t)
    np.testing.assert_array_equal(e.predict_proba(x), a.predict_proba(x))
    f = MLPClassifier(max_iter=2, random_state=rng).fit(x, t)
    assert not np.array_equal(f.network_.params["W1"], e.network_.params["W1"])
    assert not np.array_equal(c.network_.params["W1"], a.network_.params["W1"])  # RandomState(5) is not 5


def test_without_scikit_learn_the_import_says_which_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn", None)
    for name in [m for m in sys.modules if m.startswith("sklearn.")]:
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.delitem(sys.modules, "chainrule.sklearn")
    monkeypatch.delitem(sys.modules, "chainrule.sklearn.estimator")
    with pytest.raises(ImportError) as exc:
        importlib.import_module("chainrule.sklearn")
    assert str(exc.value) == 'chainrule.sklearn needs scikit-learn: pip install "chainrule[sklearn]"'


# -- MNIST ------------------------------------------------------------------------------------

@pytest.mark.mnist
@no_convergence_warning
def test_on_ten_thousand_mnist_images(real_mnist):
    x = real_mnist.x_train[:10000].reshape(10000, -1).astype(np.float32) / np.float32(255)
    xt = real_mnist.x_test.reshape(10000, -1).astype(np.float32) / np.float32(255)
    clf = MLPClassifier(max_iter=5, random_state=0).fit(x, real_mnist.t_train[:10000])
    assert clf.network_.dtype == np.float32 and clf.n_features_in_ == 784
    assert clf.score(xt, real_mnist.t_test) > 0.9


@pytest.mark.mnist
@pytest.mark.slow
@no_convergence_warning
def test_the_books_run_reaches_97_percent(real_mnist):
    """The book's run as an estimator: 784-50-10, SGD lr 0.1, batches of 100, 17 epochs (10200 iterations)."""
    x = real_mnist.x_train.reshape(60000, -1).astype(np.float32) / np.float32(255)
    xt = real_mnist.x_test.reshape(10000, -1).astype(np.float32) / np.float32(255)
    clf = MLPClassifier(hidden_layer_sizes=(50,), solver="sgd", learning_rate_init=0.1, batch_size=100, alpha=0.0,
                        max_iter=17, n_iter_no_change=17, random_state=0).fit(x, real_mnist.t_train)
    assert clf.n_iter_ == 17
    assert clf.score(xt, real_mnist.t_test) >= 0.97
