"""What the ``chainrule`` command says to a learner following the book, in English; translated through
:mod:`chainrule.i18n` (the catalogs' ``cli.*`` entries).

The lines of ``train``, ``gradcheck`` and ``data`` are here (``check``'s are the exercises' own);
``check`` takes ``--lang``, the others speak the locale's language (``LC_ALL``, ``LC_MESSAGES``,
``LANG``). The ``chainrule: error:`` and ``chainrule: warning:`` prefixes, option names and numbers
stay as they are in every language.
"""

from __future__ import annotations

from ..i18n import Messages

__all__ = ["SAY"]

SAY = Messages("cli", {
    # -- chainrule train -----------------------------------------------------------------------------
    "train.start":
        "training {network} on {dataset} ({images} images): {optimizer}, batch {batch}, {iterations} iterations "
        "({epochs}), {sampling}, seed {seed}",
    "epochs.one": "1 epoch",
    "epochs.many": "{n} epochs",
    "train.result": "test accuracy: {test} ({correct}/{n} correct); train accuracy: {train}",
    "train.time": "{iterations} iterations ({epochs}) in {seconds} s",
    "train.saved": "saved to {folder}/: {files}",
    "train.interrupted": "interrupted after {done} of {total} iterations; saved what was learned",
    "train.stopped_by": "stopped by {signal} after {done} of {total} iterations; saved what was learned",
    "train.late": "interrupted while saving; the run was saved completely first: {folder}",
    "train.diverged_kept":
        "training diverged: the loss of iteration {iteration} is {loss}; the saved model is the network of "
        "iteration {kept} (the last with finite weights); try a smaller --lr",
    "train.diverged_never":
        "training diverged: the loss of iteration {iteration} is {loss}; the weights were never finite; try a "
        "smaller --lr",
    "train.measured": ", each epoch measured on the first {n} images of each set",
    "train.mlp_options":
        "{options} shape(s) the MLP and mean nothing with --net {net} (the book's {network} has its own fixed "
        "layers)",
    # -- chainrule gradcheck ------------------------------------------------------------------------
    "gradcheck.start":
        "gradient check: backprop vs numerical gradients, {network}, the first 3 {dataset} training images "
        "(labels {labels})",
    # -- chainrule data -----------------------------------------------------------------------------
    "data.verified": "{dataset}: verified (SHA-256 of the four IDX files)",
    "data.source": "  source: {source}",
    "data.not_stored": "  not stored: the cache could not be written (see the warning)",
    "data.stored": "  stored: {location}",
    "data.train": "  train: {count} images {height}x{width}, label counts 0-9: {counts}",
    "data.test": "  test:  {count} images {height}x{width}, label counts 0-9: {counts}",
})
