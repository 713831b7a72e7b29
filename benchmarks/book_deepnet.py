"""Chapter 8's training run on the book's own code, measured on a fraction and extrapolated.

The book's ``ch08/train_deepnet.py`` trains its ``DeepConvNet`` (float64) with its
``common/trainer.py`` Trainer: 20 epochs of 600 steps of 100 images (Adam, lr 0.001), an
evaluation of 1000 training and 1000 test images after each epoch's first step, then the
accuracy on all 10,000 test images. A full run takes hours, so this script builds exactly
that network and Trainer from a checkout of the book's repository (``--book`` or
``CHAINRULE_BOOK_REPO``; nothing of the book is copied here), times ``--steps`` of its training
steps, one evaluation and the final accuracy on ``--final-images`` test images, and
extrapolates::

    full run = 12000 * step + 20 * evaluation + final accuracy (scaled to 10,000 images)

With ``--run DIR``, the folder of a ``chainrule train --net deepconv`` run, it prints that run's
time and test accuracy (from its ``history.json``) beside it, and the ratio. The load average
is printed too: on a shared machine both numbers move with it.

    python benchmarks/book_deepnet.py --book ~/deep-learning-from-scratch --run runs/deep
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

STEPS_PER_RUN, EVALUATIONS, EVAL_IMAGES, TEST_IMAGES = 12000, 20, 1000, 10000


def measure(book, steps, final_images):
    """Seconds of one training step, one per-epoch evaluation, and the final accuracy (all test images)."""
    sys.path[:0] = [str(Path(book) / "ch08"), str(book)]
    import numpy as np
    from common.trainer import Trainer  # the book's own
    from deep_convnet import DeepConvNet

    from chainrule.datasets import load_mnist

    (x_train, t_train), (x_test, t_test) = load_mnist(flatten=False)  # as the book's load_mnist(flatten=False)
    np.random.seed(0)  # noqa: NPY002 - the book's code draws from the global generator
    network = DeepConvNet()
    trainer = Trainer(network, x_train, t_train, x_test, t_test, epochs=20, mini_batch_size=100, optimizer="Adam",
                      optimizer_param={"lr": 0.001}, evaluate_sample_num_per_epoch=EVAL_IMAGES, verbose=False)
    trainer.train_step()  # step 0 also evaluates: not a training step's time
    start = time.perf_counter()
    for _ in range(steps):
        trainer.train_step()
    step = (time.perf_counter() - start) / steps
    start = time.perf_counter()
    network.accuracy(x_train[:EVAL_IMAGES], t_train[:EVAL_IMAGES])
    network.accuracy(x_test[:EVAL_IMAGES], t_test[:EVAL_IMAGES])
    evaluation = time.perf_counter() - start
    start = time.perf_counter()
    network.accuracy(x_test[:final_images], t_test[:final_images])
    final = (time.perf_counter() - start) * TEST_IMAGES / final_images
    return step, evaluation, final


def hours(seconds):
    return f"{seconds / 3600:.2f} h ({seconds:.0f} s)"


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--book", default=os.environ.get("CHAINRULE_BOOK_REPO"),
                   help="a checkout of oreilly-japan/deep-learning-from-scratch (default: CHAINRULE_BOOK_REPO)")
    p.add_argument("--steps", type=int, default=60, help="training steps to time (default 60)")
    p.add_argument("--final-images", type=int, default=2000,
                   help="test images to time the final accuracy on, scaled to 10,000 (default 2000)")
    p.add_argument("--run", default=None, help="a `chainrule train --net deepconv` run folder to compare with")
    args = p.parse_args(argv)
    if not args.book:
        p.error("give --book PATH or set CHAINRULE_BOOK_REPO")
    load = os.getloadavg()[0]
    step, evaluation, final = measure(args.book, args.steps, args.final_images)
    total = STEPS_PER_RUN * step + EVALUATIONS * evaluation + final
    print("the book's ch08/train_deepnet.py on its own code (float64), measured on a fraction:")
    print(f"  training step (100 images):          {step:.3f} s (mean of {args.steps} steps)")
    print(f"  evaluation per epoch (1000 + 1000):  {evaluation:.1f} s")
    print(f"  final accuracy (10000 test images):  {final:.1f} s ({args.final_images} timed)")
    print(f"  the full run, extrapolated:          {hours(total)}")
    if args.run:
        history = json.loads((Path(args.run) / "history.json").read_text())
        ours = history["total_seconds"]
        print(f"chainrule train --net deepconv ({args.run}): {len(history['loss'])} iterations in {hours(ours)}, "
              f"test accuracy {history['final_test_acc']:.4f}")
        print(f"the book's code / chainrule: {total / ours:.2f}x")
    print(f"load average (1 min) at the start and end: {load:.1f}, {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    return 0


if __name__ == "__main__":
    sys.exit(main())
