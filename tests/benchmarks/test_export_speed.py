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
    assert len(lines) == 8, proc.stdout
    for dtype, block in zip(("float32", "float64"), (lines[:4], lines[4:]), strict=True):
        assert block[0] == (f"DeepConvNet ({dtype}) on 30 MNIST test images, chunks of 20, 2 thread(s), 2 round(s): "
                            "median (min-max)")
        assert re.fullmatch(r"  chainrule +\d+\.\d\d s \(\d+\.\d\d-\d+\.\d\d\)  accuracy \d\.\d{4}", block[1]), block[1]
        assert re.fullmatch(r"  ONNX Runtime [\d.]+ +\d+\.\d\d s \(\d+\.\d\d-\d+\.\d\d\)  accuracy \d\.\d{4}  "
                            r"\(session created in \d+\.\d\d s\)", block[2]), block[2]
        assert block[1].split("accuracy ")[1] == block[2].split("accuracy ")[1].split()[0]
        assert re.fullmatch(r"  ONNX Runtime [\d.]+ / chainrule: \d+\.\d\dx the time; labels equal on 30/30 images",
                            block[3]), block[3]


def test_bad_options_are_one_line():
    proc = subprocess.run([sys.executable, str(SCRIPT), "--repeats", "0"], capture_output=True, text=True)
    assert proc.returncode == 1
    assert proc.stderr.strip() == "export_speed.py: --repeats, --threads, --chunk and --images must be positive"
