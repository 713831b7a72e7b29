"""chainrule.train.metrics: accuracy, predicted labels and the confusion matrix, in chunks that give
the numbers of one pass."""

import numpy as np
import pytest

from chainrule import TwoLayerNet
from chainrule.train import confusion_matrix, evaluate, predict_labels


def test_predict_labels_and_evaluate_in_chunks(data):
    x, t, _, _ = data
    net = TwoLayerNet(20, 8, 4, weight_init_std=0.5, rng=0)
    xf = x / 255.0
    whole = np.argmax(net.predict(xf), axis=1)
    np.testing.assert_array_equal(predict_labels(net, x), whole)
    np.testing.assert_array_equal(predict_labels(net, x, chunk_size=7), whole)
    np.testing.assert_array_equal(predict_labels(net, xf, chunk_size=1000), whole)
    assert evaluate(net, x, t, chunk_size=33) == net.accuracy(xf, t)
    assert evaluate(net, x, np.eye(4)[t]) == net.accuracy(xf, t)
    with pytest.raises(ValueError, match=r"labels t must be in \[0, 4\)"):
        evaluate(net, x, t + 1)


def test_confusion_matrix():
    t = np.array([0, 0, 1, 2, 2, 2])
    y = np.array([0, 1, 1, 2, 0, 2])
    cm = confusion_matrix(t, y, 3)
    np.testing.assert_array_equal(cm, [[1, 1, 0], [0, 1, 0], [1, 0, 2]])
    assert cm.sum() == 6 and np.trace(cm) == 4
    assert confusion_matrix(t, y).shape == (3, 3)
    with pytest.raises(ValueError, match="label vectors of one shape"):
        confusion_matrix(t, y[:-1])
