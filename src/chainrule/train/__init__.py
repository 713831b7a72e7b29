"""Training: forward, backward, update, repeated over minibatches, and what a run needs around it.

* :mod:`~chainrule.train.trainer`: :class:`Trainer` (the book's interface) and :data:`BOOK_RUN`;
* :mod:`~chainrule.train.book_trainer`: :class:`BookTrainer`, the book's own Trainer behaviour (the book runner's);
* :mod:`~chainrule.train.history`: :class:`History`, the record of a run (JSON, CSV);
* :mod:`~chainrule.train.metrics`: :func:`evaluate`, :func:`predict_labels`, :func:`confusion_matrix`;
* :mod:`~chainrule.train.batches`: minibatches gathered from the stored inputs into reused buffers;
* :mod:`~chainrule.train.background`: each epoch's evaluation on the other core;
* :mod:`~chainrule.train.stop`: how a run ends early, every way through :meth:`Trainer.stop` (Ctrl-C, signals,
  a loss that is not finite, a callback);
* :mod:`~chainrule.train.runs`: a run's folder, checked first and written all at once;
* :mod:`~chainrule.train.plot`: accuracy and loss curves, the confusion matrix (matplotlib).
"""

from .batches import input_scale_for
from .book_trainer import BookTrainer
from .history import History
from .metrics import EVAL_CHUNK, confusion_matrix, evaluate, predict_labels
from .stop import TrainingDiverged
from .trainer import BOOK_RUN, Trainer

__all__ = ["BOOK_RUN", "EVAL_CHUNK", "BookTrainer", "History", "Trainer", "TrainingDiverged", "confusion_matrix",
           "evaluate", "input_scale_for", "predict_labels"]
