"""Every module imports on its own (no import cycle), and the package's entry points work."""

import importlib.util
import pkgutil
import subprocess
import sys

import pytest

import chainrule

MODULES = sorted(m.name for m in pkgutil.walk_packages(chainrule.__path__, "chainrule."))


def test_the_modules_are_found():
    assert {"chainrule.layers", "chainrule.networks", "chainrule.train", "chainrule.train.history",
            "chainrule.train.metrics", "chainrule._blas", "chainrule.io", "chainrule.io.files",
            "chainrule.cli"} <= set(MODULES)
    assert "chainrule.bench" not in MODULES  # the benchmark lives in benchmarks/, outside the package


@pytest.mark.parametrize("module", MODULES)
def test_each_module_imports_alone(module):
    result = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True, text=True)
    if module == "chainrule.sklearn" and importlib.util.find_spec("sklearn") is None:
        # the estimator's module needs its extra, and says so in one line instead of a deep traceback
        assert result.returncode == 1 and result.stderr.strip().splitlines()[-1].endswith(
            'pip install "chainrule[sklearn]"'), result.stderr
        return
    assert result.returncode == 0, result.stderr


def test_python_dash_m_chainrule_is_the_chainrule_command():
    result = subprocess.run([sys.executable, "-m", "chainrule", "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.strip() == f"chainrule {chainrule.__version__}"


def test_save_and_load_at_the_top_level(tmp_path):
    import numpy as np

    net = chainrule.TwoLayerNet(4, 3, 2, rng=0)
    path = chainrule.save(net, tmp_path / "m.npz")
    again = chainrule.load(path)
    for k in net.params:
        np.testing.assert_array_equal(again.params[k], net.params[k])
    assert chainrule.save is chainrule.io.save and chainrule.load is chainrule.io.load
