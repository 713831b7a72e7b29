"""Chapter 8's DeepConvNet on the MNIST test set: chainrule's predict beside the exported graph in ONNX Runtime.

The network is a model file (``--model PATH``, e.g. a DeepConvNet trained with
``chainrule train`` or saved with ``save_params``) or, by default, a freshly built
``DeepConvNet(rng=0)`` (the time does not depend on the weights' values). It is cast
to each ``--dtype`` and exported with ``chainrule.export.to_onnx``; then the test
images (uint8 scaled by 1/255 inside the timed loop, in chunks of ``--chunk``) go
through:

(a) chainrule: ``network.predict`` (the book's forward pass, test mode), argmax;
(b) chainrule, fast path: the same inside ``network.fast_training()`` (the layers'
    fast formulation, as the Trainer evaluates);
(c) ONNX Runtime: the exported graph on the CPU execution provider (float32: ``Conv``,
    ``MaxPool``; float64: the windows sliced and multiplied, as ONNX Runtime has no
    float64 ``Conv``), its ``label`` output.

All use ``--threads`` threads (BLAS for chainrule, intra-op for ONNX Runtime; default
2). The contenders alternate for ``--repeats`` rounds in one process, so a slow minute
of the machine hits all of them; the table shows the median (min-max). The ONNX Runtime
session is created once, outside the timed loop (its creation time is printed). All
must give the same labels on every image, or the script says so.

    python benchmarks/export_speed.py
    python benchmarks/export_speed.py --model run/model.npz --dtype float32 --repeats 5
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

__all__ = ["main"]


def _network(model):
    from chainrule import DeepConvNet, load

    return DeepConvNet(rng=0) if model is None else load(model)


def _data(images):
    from chainrule.datasets import load_mnist

    _, (x_test, t_test) = load_mnist(normalize=False, flatten=False, one_hot_label=False, progress=False)
    return x_test[:images], t_test[:images]


def _contenders(net, dtype, folder, threads, chunk):
    """``{name: run}`` where ``run(x_uint8)`` returns the labels; and the ONNX Runtime session's creation time."""
    import onnxruntime

    from chainrule.export import to_onnx

    net = net.astype(dtype)
    scale = np.dtype(dtype).type(1 / 255)
    path = Path(folder) / f"deep_{np.dtype(dtype).name}.onnx"
    to_onnx(net, path, check_trained=False)
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    start = time.perf_counter()
    session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    created = time.perf_counter() - start

    def chunks(x, fn):
        return np.concatenate([fn(x[i:i + chunk].astype(dtype) * scale) for i in range(0, len(x), chunk)])

    def fast(xb):
        with net.fast_training():
            return np.argmax(net.predict(xb), axis=1)

    return {
        "(a) chainrule": lambda x: chunks(x, lambda xb: np.argmax(net.predict(xb), axis=1)),
        "(b) chainrule, fast path": lambda x: chunks(x, fast),
        f"(c) ONNX Runtime {onnxruntime.__version__}": lambda x: chunks(x, lambda xb: session.run(["label"],
                                                                                                  {"image": xb})[0]),
    }, created


def build_parser():
    p = argparse.ArgumentParser(prog="export_speed.py", description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", default=None, help="a DeepConvNet model file (default: DeepConvNet(rng=0))")
    p.add_argument("--dtype", choices=("float32", "float64", "both"), default="both")
    p.add_argument("--repeats", type=int, default=3, help="alternating rounds (default 3)")
    p.add_argument("--threads", type=int, default=2, help="BLAS / ONNX Runtime threads (default 2)")
    p.add_argument("--chunk", type=int, default=100, help="images per forward pass (default 100)")
    p.add_argument("--images", type=int, default=10000, help="test images (default all 10000)")
    return p


def main(argv=None):
    args = build_parser().parse_args(argv)
    if min(args.repeats, args.threads, args.chunk, args.images) < 1:
        raise SystemExit("export_speed.py: --repeats, --threads, --chunk and --images must be positive")
    from threadpoolctl import threadpool_limits

    net = _network(args.model)
    x, t = _data(args.images)
    dtypes = ["float32", "float64"] if args.dtype == "both" else [args.dtype]
    with tempfile.TemporaryDirectory() as folder, threadpool_limits(limits=args.threads, user_api="blas"):
        for dtype in dtypes:
            runs, created = _contenders(net, dtype, folder, args.threads, args.chunk)
            times, labels = {name: [] for name in runs}, {}
            for _ in range(args.repeats):
                for name, run in runs.items():
                    start = time.perf_counter()
                    labels[name] = run(x)
                    times[name].append(time.perf_counter() - start)
            print(f"{type(net).__name__} ({dtype}) on {len(x)} MNIST test images, chunks of {args.chunk}, "
                  f"{args.threads} thread(s), {args.repeats} round(s): median (min-max)")
            names = list(runs)
            for name, ts in times.items():
                extra = f"  (session created in {created:.2f} s)" if name == names[-1] else ""
                print(f"  {name:<28} {statistics.median(ts):7.2f} s ({min(ts):.2f}-{max(ts):.2f})  "
                      f"accuracy {np.mean(labels[name] == t):.4f}{extra}")
            onnx = statistics.median(times[names[-1]])
            for name in names[:-1]:
                same = int(np.count_nonzero(labels[name] == labels[names[-1]]))
                print(f"  {names[-1][:3]} / {name[:3]}: {onnx / statistics.median(times[name]):.2f}x the time; "
                      f"labels equal on {same}/{len(x)} images")
    return 0


if __name__ == "__main__":
    sys.exit(main())
