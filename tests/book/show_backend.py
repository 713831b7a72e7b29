"""A matplotlib backend for running the book's scripts in tests: ``MPLBACKEND=module://show_backend``.

Like Agg it opens no window; its ``plt.show()`` saves every open figure to ``$SHOW_DIR`` (``show-<k>-<n>.png``),
appends what each holds to ``$SHOW_DIR/shows.jsonl`` (per axes: the number of points of each line, the images,
the title) and closes them, as closing the windows of an interactive show would.
"""

import json
import os
from pathlib import Path

from matplotlib.backend_bases import FigureManagerBase
from matplotlib.backends.backend_agg import FigureCanvasAgg

FigureCanvas = FigureCanvasAgg
FigureManager = FigureManagerBase


def show(*args, **kwargs):
    import matplotlib.pyplot as plt

    folder = Path(os.environ["SHOW_DIR"])
    log = folder / "shows.jsonl"
    k = sum(1 for _ in open(log)) if log.exists() else 0
    figures = []
    for n in plt.get_fignums():
        figure = plt.figure(n)
        figure.savefig(folder / f"show-{k}-{n}.png")
        figures.append([{"lines": [len(line.get_xdata()) for line in ax.get_lines()], "images": len(ax.get_images()),
                         "title": ax.get_title()} for ax in figure.axes])
    with open(log, "a") as f:
        f.write(json.dumps(figures) + "\n")
    plt.close("all")
