"""The record of a training run: loss per iteration, accuracies per evaluation, seconds.

:class:`History` is what :meth:`chainrule.train.Trainer.train` returns; it is saved as
JSON (floats round-trip exactly) or CSV, and read back from JSON.
"""

from __future__ import annotations

import csv
import io
import json
import math
from dataclasses import asdict, dataclass, field

from ..io.files import write_text

__all__ = ["History"]


@dataclass
class History:
    """What a training run recorded.

    Attributes
    ----------
    loss : list of float, one per iteration
        The minibatch loss of each iteration, computed in the forward pass of
        that iteration's ``gradient`` (before its update).
    iteration, epoch, train_acc, test_acc, seconds : lists, one item per evaluation
        Updates done so far, the same in epochs, the accuracies, and the wall time
        since the start. Evaluations happen before training (epoch 0), after each
        epoch, and at the end if it falls inside an epoch. ``test_acc`` is empty
        without a test set.
    final_train_acc, final_test_acc : float or None
        Accuracies of the final network on the whole sets (per-epoch ones may be
        on a subset, see ``evaluate_sample_num_per_epoch``).
    iter_per_epoch, batch_size, iterations : int
        Iterations per epoch, the minibatch size and the planned number of iterations.
    interrupted : bool
        True when training was stopped early (Ctrl-C); the network keeps what it learned.
    diverged, kept_iteration : int or None
        When training diverged: the iteration whose loss was not finite, and the iteration
        the network was restored to (the last evaluation with finite weights).
    total_seconds, train_seconds, eval_seconds : float
        Wall time of the run; of the training steps; of the evaluations.
    config : dict
        How the run was set up (sampling, optimizer, seed, ...), for the record.
    """

    loss: list = field(default_factory=list)
    iteration: list = field(default_factory=list)
    epoch: list = field(default_factory=list)
    train_acc: list = field(default_factory=list)
    test_acc: list = field(default_factory=list)
    seconds: list = field(default_factory=list)
    final_train_acc: float | None = None
    final_test_acc: float | None = None
    iter_per_epoch: int = 0
    batch_size: int = 0
    iterations: int = 0
    interrupted: bool = False
    diverged: int | None = None
    kept_iteration: int | None = None
    total_seconds: float = 0.0
    train_seconds: float = 0.0
    eval_seconds: float = 0.0
    config: dict = field(default_factory=dict)

    FORMAT = "chainrule-history"

    @property
    def iterations_done(self):
        """How many updates were made (``len(loss)``)."""
        return len(self.loss)

    def to_dict(self):
        """A JSON-ready dict (the lists and numbers above, plus a format tag)."""
        return {"format": self.FORMAT, "version": 1, **asdict(self)}

    @classmethod
    def from_dict(cls, data):
        """Rebuild a :class:`History` from :meth:`to_dict` output (or its JSON)."""
        if data.get("format") != cls.FORMAT:
            raise ValueError(f"not a chainrule history (format {data.get('format')!r})")
        names = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in data.items() if k in names})

    def to_json(self):
        """Strict JSON (RFC 8259): a loss or accuracy that is not finite is ``null``."""
        return json.dumps(_finite(self.to_dict()), indent=1, allow_nan=False)

    def save_json(self, path, *, force=False):
        """Write the history as JSON (atomically; ``force``: replace an existing file); finite floats
        round-trip exactly, others are null."""
        write_text(path, self.to_json() + "\n", force=force)

    @classmethod
    def load_json(cls, path):
        with open(path, encoding="utf-8") as f:
            return cls.from_dict(json.load(f))

    def to_csv(self):
        """One row per iteration: ``iteration,epoch,loss,train_acc,test_acc,seconds``.

        Row 0 is the evaluation before training (no loss); accuracy and seconds
        columns are filled only on the rows where an evaluation happened.
        """
        evals = {it: k for k, it in enumerate(self.iteration)}
        out = io.StringIO()
        w = csv.writer(out, lineterminator="\n")
        w.writerow(["iteration", "epoch", "loss", "train_acc", "test_acc", "seconds"])
        ipe = self.iter_per_epoch or 1
        last = max(len(self.loss), max(self.iteration, default=0))
        for it in range(0, last + 1):
            loss = repr(self.loss[it - 1]) if 1 <= it <= len(self.loss) and self.loss[it - 1] is not None else ""
            k = evals.get(it)
            row = [it, repr(it / ipe), loss, "", "", ""]
            if k is not None:
                row[3] = repr(self.train_acc[k])
                row[4] = repr(self.test_acc[k]) if k < len(self.test_acc) else ""
                row[5] = repr(self.seconds[k])
            if it == 0 and k is None:
                continue
            w.writerow(row)
        return out.getvalue()

    def save_csv(self, path, *, force=False):
        """Write :meth:`to_csv` to ``path`` (atomically; ``force``: replace an existing file)."""
        write_text(path, self.to_csv(), force=force)


def _finite(value):
    """``value`` with every float that is not finite (NaN, infinity) replaced by None."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value
