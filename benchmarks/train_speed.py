"""The book's MNIST run, timed side by side: chainrule train, the book's float64 loop, PyTorch, scikit-learn.

Also prints the machine's lower bound for chainrule train and how its time scales.
The logic lives in :mod:`chainrule.bench` (also run by ``chainrule bench``).

    python benchmarks/train_speed.py            # 3 alternating rounds of 10000 iterations + scaling table
    python benchmarks/train_speed.py --quick    # a quick check
"""

import sys

from chainrule.bench import main

if __name__ == "__main__":
    sys.exit(main())
