"""The exercises ``chainrule check`` knows, by group, and the task that runs one case of any of them.

Each group is a module with the same few names: ``NAMES`` (the book's names it
checks), ``TENSORS`` (the rows of each), ``cases(name, rng)``, ``reference(name,
case)`` (chainrule's numbers, computed in the checker's process), ``run_case(name,
obj, case, is_learner)`` (run in the process of the learner's code),
``diagnose(name, tensor, case, ref, got)`` and ``diagnose_raised(name, case)``
(the usual mistake the numbers or the exception point at). A group may also have
``expected(name, case, ref, outcomes)``: chainrule's numbers once the learner's own
random draws are known (Dropout's mask).
"""

from __future__ import annotations

import time

from . import batchnorm, convolution, dropout, layers, optimizers
from .run import case_data, outcome_data, read_case

__all__ = ["GROUPS", "NAMES", "group_of", "task_case"]

#: The groups in the order of the report, each the module of its exercises.
GROUPS = {"layers": layers, "optimizers": optimizers, "batchnorm": batchnorm, "dropout": dropout,
          "convolution": convolution}
#: Every name ``chainrule check`` looks for in a file, in the order of the report.
NAMES = tuple(name for module in GROUPS.values() for name in module.NAMES)


def group_of(name):
    for key, module in GROUPS.items():
        if name in module.NAMES:
            return key
    raise KeyError(name)


def task_case(learner, group, name, role, case, budget):
    """In the learner's process: run one case; yield the outcomes, then the numerical gradients."""
    module = GROUPS[group]
    outcomes, numeric = module.run_case(name, learner.objects[role], read_case(case), learner.is_learner_file)
    yield {t: outcome_data(o) for t, o in outcomes.items()}
    if numeric is not None:  # done well within the checker's wait, which is ``budget``
        yield numeric(time.monotonic() + budget / 2)


def send_case(case):
    """A case as the plain data :func:`task_case` reads."""
    return case_data(case)
