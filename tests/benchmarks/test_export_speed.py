"""benchmarks/export_speed.py: DeepConvNet in chainrule and in ONNX Runtime, run whole on a few images.

No timing here: speed is measured by running the benchmark, never asserted in tests.
"""

import re
import subprocess
import sys

import numpy as np
import pytest

from chainrule import DeepConvNet, save
from tests import ROOT

SCRIPT = ROOT / "benchmarks" / "export_speed.py"


@pytest.mark.mnist
def test_the_benchmark_runs_whole_on_a_few_images(real_mnist_env, tmp_path):
    pytest.importorskip("onnx", reason="onnx is not installed (chainrule[onnx])")
    pytest.importorskip("onnxruntime", reason="onnxruntime is not installed (chainrule[onnx])")
    net = DeepConvNet(dtype=np.float32, rng=1)
    save(net, tmp_path / "deep.npz")
    proc = subprocess.run([sys.executable, str(SCRIPT), "--images", "30", "--chunk", "20", "--repeats", "2",
                           "--model", str(tmp_path / "deep.npz")], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) == 12, proc.stdout
    timed = r" +\d+\.\d\d s \(\d+\.\d\d-\d+\.\d\d\)  accuracy (\d\.\d{4})"
    for dtype, block in zip(("float32", "float64"), (lines[:6], lines[6:]), strict=True):
        assert block[0] == (f"DeepConvNet ({dtype}) on 30 MNIST test images, chunks of 20, 2 thread(s), 2 round(s): "
                            "median (min-max)")
        book = re.fullmatch(r"  \(a\) chainrule" + timed, block[1])
        fast = re.fullmatch(r"  \(b\) chainrule, fast path" + timed, block[2])
        onnx = re.fullmatch(r"  \(c\) ONNX Runtime [\d.]+" + timed + r"  \(session created in \d+\.\d\d s\)", block[3])
        assert book and fast and onnx, block
        assert book.group(1) == fast.group(1) == onnx.group(1)  # one accuracy: the same labels
        for line, other in zip(block[4:], ("(a)", "(b)"), strict=True):
            ratio = r"  \(c\) / " + re.escape(other) + r": \d+\.\d\dx the time; labels equal on 30/30 images"
            assert re.fullmatch(ratio, line), line


def test_bad_options_are_one_line():
    proc = subprocess.run([sys.executable, str(SCRIPT), "--repeats", "0"], capture_output=True, text=True)
    assert proc.returncode == 1
    assert proc.stderr.strip() == "export_speed.py: --repeats, --threads, --chunk and --images must be positive"
