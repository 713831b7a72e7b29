"""What ``chainrule check`` reports: a row per tensor (:class:`CheckRow`) in a :class:`CheckReport`."""

from __future__ import annotations

from dataclasses import dataclass, field

from .messages import language, text
from .render import render

__all__ = ["VERDICTS", "CheckReport", "CheckRow"]

VERDICTS = ("exact", "close", "wrong", "not implemented")


@dataclass(frozen=True)
class CheckRow:
    """One tensor of one layer (or one parameter of a network), over all the cases it was run on.

    ``verdict``: ``"exact"``, ``"close"``, ``"wrong"`` or ``"not implemented"``.
    ``max_diff``: the largest ``|learner - chainrule|`` over the cases (None when no
    case could be compared). ``numeric_diff``: the largest difference from the
    numerical gradient of the learner's own forward (None for forward outputs).
    ``dout_mutated``: the call changed an array it was given (``dout`` for a
    gradient, the input for a forward output). For a wrong row: ``case`` (the
    message key of the case, ``case_shape`` its shapes), ``first_diff`` (the index
    of the first element that differs), ``got`` and ``expected`` there, ``error``
    (what the learner's code raised) and ``hint`` (the message key of the mistake);
    ``stopped`` when the process running the learner's code gave no answer:
    ``"time_limit"``, ``"exit"``, ``"signal"`` or ``"garbled"`` (``error`` then holds the
    limit in seconds, the exit status, the signal's name or what was wrong).
    """

    layer: str
    tensor: str
    verdict: str
    max_diff: float | None = None
    numeric_diff: float | None = None
    shape_ok: bool = True
    dout_mutated: bool = False
    first_diff: tuple | None = None
    got: float | None = None
    expected: float | None = None
    got_shape: tuple | None = None
    expected_shape: tuple | None = None
    case: str | None = None
    case_shape: str | None = None
    hint: str | None = None
    error: str | None = None
    stopped: str | None = None

    @property
    def ok(self):
        return self.verdict in ("exact", "close") and self.shape_ok and not self.dout_mutated

    def hint_text(self, lang="en"):
        return text(f"hint.{self.hint}", lang, **self._fields()) if self.hint else None

    def _fields(self):
        return {"layer": self.layer, "tensor": self.tensor, "got_shape": self.got_shape,
                "expected_shape": self.expected_shape}


@dataclass
class CheckReport:
    """What :func:`check` found: ``rows`` (:class:`CheckRow`), ``ok``, ``str()`` the table.

    ``report["Relu", "dx"]`` gives a row; ``report.wrong`` the rows that are not right;
    ``report.render(lang)`` the table in another language. For a network,
    ``culprit`` names the layer where the gradient first goes wrong. ``printed``: what
    the learner's code printed while it was checked (at most a few thousand characters
    of its start and its end; ``printed_bytes`` counts them all).
    """

    source: str | None  # the file or module checked; None: a dict of classes
    rows: list = field(default_factory=list)
    lang: str = "en"
    network: bool = False
    network_name: str = "TwoLayerNet"  # the network class checked
    subject: str = "layers"  # what the rows are of: "layers", "optimizers" or "classes" (layers, optimizers, functions)
    missing: tuple = ()  # the book's layers the file does not define
    borrowed: tuple = ()  # the book's names the file imports from chainrule (not checked)
    culprit: str | None = None
    notes: list = field(default_factory=list)  # (message key, fields) printed under the table
    printed: str = ""  # what the learner's code printed (its start and its end when it was long)
    printed_bytes: int = 0  # how many bytes it printed in all

    def __getitem__(self, key):
        layer, tensor = key
        for row in self.rows:
            if row.layer == layer and row.tensor == tensor:
                return row
        raise KeyError(key)

    def layer_rows(self, layer):
        return [row for row in self.rows if row.layer == layer]

    @property
    def wrong(self):
        return [row for row in self.rows if not row.ok]

    @property
    def ok(self):
        return bool(self.rows) and not self.wrong

    def __str__(self):
        return self.render(self.lang)

    def _repr_pretty_(self, p, cycle):  # IPython / Jupyter
        p.text(str(self))

    def render(self, lang=None):
        return render(self, language(lang or self.lang))
