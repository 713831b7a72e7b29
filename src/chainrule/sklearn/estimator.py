"""A scikit-learn classifier on chainrule's networks and Trainer: ``Pipeline``, ``GridSearchCV``, clusters.

:class:`MLPClassifier` trains a chainrule :class:`~chainrule.networks.MultiLayerNet`
with :class:`~chainrule.train.Trainer` and speaks scikit-learn's estimator API, with
the names of scikit-learn's own ``MLPClassifier`` where the two share an idea::

    from sklearn.model_selection import GridSearchCV
    from chainrule.sklearn import MLPClassifier

    search = GridSearchCV(MLPClassifier(max_iter=10), {"hidden_layer_sizes": [(50,), (100,)],
                                                       "learning_rate_init": [0.001, 0.003]}, n_jobs=-1)
    search.fit(x_train / 255, t_train)

``n_jobs=-1`` spreads the fits over the cores of this machine (joblib's loky backend).
The same search runs on a Dask cluster under joblib's dask backend, unchanged::

    import joblib
    from dask.distributed import Client
    client = Client("tcp://scheduler:8786")    # or Client(LocalCluster(n_workers=2)) on one machine
    with joblib.parallel_backend("dask"):
        search.fit(x_train / 255, t_train)

Needs scikit-learn (``pip install "chainrule[sklearn]"``; Dask: ``"chainrule[dask]"``).
"""

from __future__ import annotations

import numbers
import warnings

import numpy as np

try:
    from sklearn.base import BaseEstimator, ClassifierMixin
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.model_selection import train_test_split
    from sklearn.utils.multiclass import check_classification_targets
    from sklearn.utils.validation import check_is_fitted, validate_data
except ImportError:
    raise ImportError('chainrule.sklearn needs scikit-learn: pip install "chainrule[sklearn]"') from None

from ..functions import softmax
from ..networks import MultiLayerNet
from ..optimizers import OPTIMIZERS, make_optimizer
from ..train import Trainer

__all__ = ["MLPClassifier"]

_ACTIVATIONS = {"relu": "relu", "logistic": "sigmoid", "sigmoid": "sigmoid"}
_INIT = {"relu": "he", "sigmoid": "xavier"}
_PREDICT_CHUNK = 2000


class MLPClassifier(ClassifierMixin, BaseEstimator):
    """Multi-layer perceptron classifier trained by chainrule's backpropagation.

    Parameters
    ----------
    hidden_layer_sizes : int or tuple of int, default=(100,)
        Sizes of the hidden layers (``()`` for none: softmax regression).
    activation : {"relu", "logistic"}, default="relu"
        Activation of the hidden layers (``"sigmoid"`` is accepted for ``"logistic"``).
        Weights start with He's scale for ReLU, Xavier's for the sigmoid; biases at 0.
    solver : {"adam", "sgd", "momentum", "nesterov", "adagrad", "rmsprop"}, default="adam"
        chainrule's optimizer (:mod:`chainrule.optimizers`) with its default settings.
    alpha : float, default=0.0001
        L2 penalty, scaled as scikit-learn scales it: the loss gains
        ``0.5 * alpha / batch_size * sum(W**2)``.
    batch_size : int or "auto", default="auto"
        Minibatch size; ``"auto"`` is ``min(200, n_samples)``. Clipped to the number of samples.
    learning_rate_init : float, default=0.001
        The optimizer's learning rate.
    max_iter : int, default=200
        Most epochs ``fit`` trains for.
    random_state : int, numpy.random.Generator, numpy.random.RandomState or None
        Seeds the initial weights, the sample order and the validation split.
    tol : float, default=1e-4
        Improvement below which an epoch counts as no progress.
    verbose : bool, default=False
        Print a line per epoch (chainrule's Trainer's).
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the training data (stratified), stop when its
        accuracy has not improved by ``tol`` for ``n_iter_no_change`` epochs, and keep
        the weights of the best epoch. Otherwise stop when the training loss has not
        improved by ``tol`` for ``n_iter_no_change`` epochs.
    validation_fraction : float, default=0.1
    n_iter_no_change : int, default=10
    dtype : {"float32", "float64"}, default="float32"
        What the network computes in (float32 is about twice as fast).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The labels, sorted; any values ``np.unique`` sorts (strings too).
    network_ : MultiLayerNet
        The trained network; its output ``k`` scores ``classes_[k]``
        (``chainrule.export.to_onnx(clf.network_, ...)`` exports it).
    loss_curve_ : list of float
        Mean training loss of each epoch (penalty included).
    loss_ : float
        The last of them.
    best_loss_ : float or None
        The lowest (None with early stopping).
    validation_scores_ : list of float or None
        Accuracy on the held-out data after each epoch (None without early stopping).
    best_validation_score_ : float or None
    n_iter_ : int
        Epochs trained.
    t_ : int
        Training samples seen.
    n_features_in_ : int
    feature_names_in_ : ndarray of str (when X has column names)
    """

    def __init__(self, hidden_layer_sizes=(100,), activation="relu", *, solver="adam", alpha=0.0001,
                 batch_size="auto", learning_rate_init=0.001, max_iter=200, random_state=None, tol=1e-4,
                 verbose=False, early_stopping=False, validation_fraction=0.1, n_iter_no_change=10,
                 dtype="float32"):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate_init = learning_rate_init
        self.max_iter = max_iter
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.dtype = dtype

    # -- scikit-learn's API -------------------------------------------------------------------
    def fit(self, X, y):
        """Train a new network on ``X`` (n_samples, n_features) and labels ``y`` (n_samples,)."""
        settings = self._settings()
        X, y = validate_data(self, X, y, dtype=settings["dtype"], reset=True)
        check_classification_targets(y)
        classes, t = np.unique(y, return_inverse=True)
        if len(classes) < 2:
            raise ValueError(f"y has one class only ({_plain(classes[0])!r}); a classifier needs at least two classes")
        self.classes_ = classes
        self._start(X.shape[0], settings)
        self._train(X, t.astype(np.intp, copy=False), settings, epochs=settings["max_iter"], incremental=False)
        return self

    def partial_fit(self, X, y, classes=None):
        """One epoch over ``X``, ``y``; ``classes`` (every label of the whole data) on the first call."""
        settings = self._settings()
        first = not hasattr(self, "network_")
        if first:
            if classes is None:
                raise ValueError("classes must be passed on the first call to partial_fit")
            classes = np.unique(np.asarray(classes))
            if len(classes) < 2:
                raise ValueError(f"classes has one class only ({_plain(classes[0])!r}); "
                                 "a classifier needs at least two")
        elif classes is not None and not np.array_equal(np.unique(np.asarray(classes)), self.classes_):
            raise ValueError(f"classes={np.unique(classes).tolist()} differs from the first call's "
                             f"{self.classes_.tolist()}")
        X, y = validate_data(self, X, y, dtype=settings["dtype"], reset=first)
        check_classification_targets(y)
        known = classes if first else self.classes_
        t = np.searchsorted(known, y)
        bad = (t >= len(known)) | (known[np.minimum(t, len(known) - 1)] != y)
        if bad.any():
            raise ValueError(f"y holds labels that are not in classes: {sorted(set(np.asarray(y)[bad].tolist()))[:5]}")
        if first:
            self.classes_ = known
            self._start(X.shape[0], settings)
        self._train(X, t.astype(np.intp, copy=False), settings, epochs=1, incremental=True)
        return self

    def predict_proba(self, X):
        """Class probabilities, shape (n_samples, n_classes), columns in the order of ``classes_``."""
        return softmax(self._scores(X))

    def predict_log_proba(self, X):
        """Logarithms of :meth:`predict_proba`."""
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def predict(self, X):
        """The most probable label of each row (a value of ``classes_``)."""
        scores = self._scores(X)
        return self.classes_[np.argmax(scores, axis=1)]

    # -- the work -----------------------------------------------------------------------------
    def _settings(self):
        """The parameters, checked; a ValueError names the one that is wrong."""
        sizes = self.hidden_layer_sizes
        sizes = [sizes] if isinstance(sizes, numbers.Integral) else list(sizes)
        if any(not isinstance(s, numbers.Integral) or isinstance(s, bool) or s < 1 for s in sizes):
            raise ValueError(f"hidden_layer_sizes must be positive integers; got {self.hidden_layer_sizes!r}")
        if self.activation not in _ACTIVATIONS:
            raise ValueError(f"activation must be 'relu' or 'logistic'; got {self.activation!r}")
        if not isinstance(self.solver, str) or self.solver.lower() not in OPTIMIZERS:
            raise ValueError(f"solver must be one of chainrule's optimizers ({', '.join(OPTIMIZERS)}); "
                             f"got {self.solver!r}")
        for name, low in (("alpha", 0), ("learning_rate_init", None), ("tol", 0)):
            value = getattr(self, name)
            if not isinstance(value, numbers.Real) or not np.isfinite(value) or \
                    (value < low if low is not None else value <= 0):
                raise ValueError(f"{name} must be a number {'>= 0' if low is not None else '> 0'}; got {value!r}")
        for name in ("max_iter", "n_iter_no_change"):
            value = getattr(self, name)
            if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{name} must be a positive integer; got {value!r}")
        if not (self.batch_size == "auto" or (isinstance(self.batch_size, numbers.Integral)
                                              and not isinstance(self.batch_size, bool) and self.batch_size >= 1)):
            raise ValueError(f"batch_size must be a positive integer or 'auto'; got {self.batch_size!r}")
        if not isinstance(self.validation_fraction, numbers.Real) or not 0 < self.validation_fraction < 1:
            raise ValueError(f"validation_fraction must be in (0, 1); got {self.validation_fraction!r}")
        if str(self.dtype) not in ("float32", "float64"):
            raise ValueError(f"dtype must be 'float32' or 'float64'; got {self.dtype!r}")
        return {"sizes": [int(s) for s in sizes], "activation": _ACTIVATIONS[self.activation],
                "dtype": np.dtype(str(self.dtype)), "max_iter": int(self.max_iter)}

    def _batch(self, n):
        return min(200 if self.batch_size == "auto" else int(self.batch_size), n)

    def _start(self, n_samples, settings):
        """A new network, optimizer and random stream; empty curves."""
        self._rng = _generator(self.random_state)
        self.network_ = MultiLayerNet(
            self.n_features_in_, settings["sizes"], len(self.classes_), activation=settings["activation"],
            weight_init_std=_INIT[settings["activation"]], weight_decay_lambda=self.alpha / self._batch(n_samples),
            dtype=settings["dtype"], rng=self._rng)
        self._optimizer = make_optimizer(self.solver, lr=float(self.learning_rate_init))
        self.loss_curve_ = []
        self.validation_scores_ = [] if self.early_stopping else None
        self.best_loss_ = None if self.early_stopping else np.inf
        self.best_validation_score_ = -np.inf if self.early_stopping else None
        self.n_iter_ = 0
        self.t_ = 0
        self._no_improvement = 0
        self._best_params = None

    def _train(self, X, t, settings, *, epochs, incremental):
        early = self.early_stopping and not incremental
        x_val = t_val = None
        if early:
            seed = int(self._rng.integers(2**31))
            counts = np.bincount(t)
            n_val = int(np.ceil(self.validation_fraction * len(t)))
            stratify = t if n_val >= len(counts) and len(t) - n_val >= len(counts) and counts.min() >= 2 else None
            X, x_val, t, t_val = train_test_split(X, t, test_size=n_val, random_state=seed, stratify=stratify)
        n = X.shape[0]

        def end_of_epoch(trainer, record):
            self.n_iter_ += 1
            self.t_ += n
            self.loss_ = float(record["loss"])
            self.loss_curve_.append(self.loss_)
            if incremental:
                return
            if early:
                score = float(record["test_acc"])
                self.validation_scores_.append(score)
                self._no_improvement = 0 if score >= self.best_validation_score_ + self.tol else \
                    self._no_improvement + 1
                if score > self.best_validation_score_:
                    self.best_validation_score_ = score
                    self._best_params = {k: v.copy() for k, v in self.network_.params.items()}
            else:
                self._no_improvement = 0 if self.loss_ <= self.best_loss_ - self.tol else self._no_improvement + 1
                self.best_loss_ = min(self.best_loss_, self.loss_)
            if self._no_improvement > self.n_iter_no_change:
                trainer.stop("converged")

        trainer = Trainer(self.network_, X, t, x_val, t_val, epochs=epochs, mini_batch_size=self._batch(n),
                          optimizer=self._optimizer, verbose=bool(self.verbose), rng=self._rng, progress=False,
                          callback=end_of_epoch, input_scale=1.0, eval_at_start=False, background_eval=False,
                          evaluate_sample_num_per_epoch=len(x_val) if early else (None if incremental else 1))
        trainer.train()
        converged = trainer.stop_reason == "converged"
        if early and self._best_params is not None:
            for k, v in self._best_params.items():
                self.network_.params[k] = v
            self._best_params = None
        if not incremental and not converged and self.n_iter_ >= settings["max_iter"]:
            warnings.warn(f"MLPClassifier: the maximum number of epochs (max_iter={settings['max_iter']}) was reached "
                          "before the optimization converged", ConvergenceWarning, stacklevel=3)

    def _scores(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=self.network_.dtype)
        scores = np.empty((X.shape[0], len(self.classes_)), dtype=self.network_.dtype)
        for start in range(0, X.shape[0], _PREDICT_CHUNK):
            scores[start:start + _PREDICT_CHUNK] = self.network_.predict(X[start:start + _PREDICT_CHUNK])
        return scores


def _plain(value):
    """A NumPy scalar as the Python value it holds (for messages)."""
    return value.item() if isinstance(value, np.generic) else value


def _generator(random_state):
    """A NumPy Generator from scikit-learn's forms of ``random_state`` (never the global state)."""
    if isinstance(random_state, np.random.Generator):
        return random_state
    if isinstance(random_state, np.random.RandomState):  # the caller's own RandomState: one draw seeds ours
        return np.random.default_rng(int(random_state.randint(2**31 - 1)))
    if random_state is None or (isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool)):
        return np.random.default_rng(random_state)
    raise ValueError(f"random_state must be an int, a numpy Generator or RandomState, or None; got {random_state!r}")
