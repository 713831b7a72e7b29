"""The scikit-learn estimator: :class:`MLPClassifier` on chainrule's networks and Trainer
(needs ``pip install "chainrule[sklearn]"``); see :mod:`chainrule.sklearn.estimator`."""

from .estimator import MLPClassifier

__all__ = ["MLPClassifier"]
