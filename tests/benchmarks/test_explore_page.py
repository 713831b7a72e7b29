"""benchmarks/explore_page.py run whole, on one load and one stroke per page: every page is written, opens and
reports its size, its time to interactive and its redraws; the screenshots are saved. No timing is asserted
(speed is measured by running the benchmark); the DeepConvNet page's size is."""

import re
import subprocess
import sys

import pytest

from tests import ROOT
from tests.explore.browser import CHROMIUM, DRIVER

SCRIPT = ROOT / "benchmarks" / "explore_page.py"


def test_the_benchmark_runs_whole_and_reports_every_page(tmp_path):
    pytest.importorskip("selenium", reason="selenium is not installed (pip install selenium)")
    if CHROMIUM is None or DRIVER is None:
        pytest.skip("Chromium and its driver are not installed (apt-get install chromium chromium-driver)")
    command = [sys.executable, str(SCRIPT), "--loads", "1", "--strokes", "1", "--screenshots", str(tmp_path)]
    run = subprocess.run(command, capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]
    lines = [line for line in run.stdout.splitlines() if not line.startswith("wrote ")]
    assert lines[0].startswith("load: ")
    page = r"(.+?): (\d+\.\d+) MB, interactive after (\d+) ms"
    found = {m[1]: m for m in (re.match(page, line) for line in lines) if m}
    assert list(found) == ["figures (apple-orange first)", "MLP 784-50-10", "SimpleConvNet", "DeepConvNet"]
    assert float(found["DeepConvNet"][2]) < 3.0  # one self-contained file under 3 MB
    for name in ("MLP 784-50-10", "SimpleConvNet", "DeepConvNet"):
        line = next(line for line in lines if line.startswith(name))
        assert re.search(r"a stroke's redraw .* (\d+) ms \(median of (\d+) redraws over 1 strokes", line), line
    shots = sorted(p.name for p in tmp_path.glob("*.png"))
    assert shots == ["explore.png", "explore_bn.png", "explore_deepconvnet.png", "explore_model.png",
                     "explore_optimizers.png", "explore_simpleconvnet.png"]
