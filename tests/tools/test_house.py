"""tools/house.py measures the house from its imports, and the house holds to it: no import cycle (imports
inside functions count), and no module imports a package that encloses it, but the book shim."""

import json
import subprocess
import sys

import pytest

from tests import ROOT
from tests.helpers import house

HOUSE = house()


def write(root, files):
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def test_chainrule_has_no_import_cycle():
    figures = HOUSE.measure()
    assert figures["cycles"] == []
    assert figures["longest import chain"] is not None and figures["import edges"] > 100


def test_only_the_book_shim_imports_a_package_that_encloses_it():
    inward = [line.split(" -> ") for line in HOUSE.measure()["imports of an enclosing package"]]
    assert inward, "the book shim imports the package root: the tool should see it"
    assert all(importer.startswith("chainrule.book.") for importer, _ in inward), inward


def test_a_cycle_through_an_import_inside_a_function_is_found(tmp_path):
    src = write(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/graph.py": "def to_html():\n    from . import explore\n",
        "pkg/explore.py": "from .graph import to_html\n",
        "pkg/layers.py": "from .batchnorm import BatchNormalization\n",
        "pkg/batchnorm.py": "from pkg.layers import Layer\n",
        "pkg/leaf.py": "import os\n",
    })
    figures = HOUSE.measure(src)
    assert sorted(figures["cycles"]) == [["pkg.batchnorm", "pkg.layers"], ["pkg.explore", "pkg.graph"]]
    assert figures["longest import chain"] is None  # not measured while there are cycles
    assert figures["edges"]["pkg.leaf"] == [] and figures["import edges"] == 4


def test_edges_chains_and_imports_of_an_enclosing_package(tmp_path):
    src = write(tmp_path, {
        "pkg/__init__.py": "from .a import f\n",
        "pkg/a.py": "from .sub import b\n",
        "pkg/sub/__init__.py": "",
        "pkg/sub/b.py": "from ..c import g\nfrom .. import a\n",  # `from .. import a`: the module pkg.a
        "pkg/c.py": "import numpy\n",
        "pkg/sub/d.py": "from pkg import f\n",  # the root package, from inside it
    })
    figures = HOUSE.measure(src)
    assert figures["edges"]["pkg"] == ["pkg.a"] and figures["edges"]["pkg.sub.b"] == ["pkg.a", "pkg.c"]
    assert figures["imports of an enclosing package"] == ["pkg.sub.d -> pkg"]
    assert figures["cycles"] == [["pkg.a", "pkg.sub.b"]]
    assert (figures["files"], figures["folders"]) == (6, 2)


def test_the_command_prints_the_figures_and_fails_on_a_cycle(tmp_path):
    done = subprocess.run([sys.executable, str(ROOT / "tools" / "house.py"), "--json"], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0 and json.loads(done.stdout)["cycles"] == []
    write(tmp_path, {"p/__init__.py": "", "p/x.py": "from . import y\n", "p/y.py": "from . import x\n"})
    done = subprocess.run([sys.executable, str(ROOT / "tools" / "house.py"), "--root", str(tmp_path)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "cycles: 1\n  p.x <-> p.y" in done.stdout


@pytest.mark.parametrize("name", ["chainrule.cli", "chainrule.cli.train"])
def test_nothing_but_the_command_and_its_launcher_imports_cli(name):
    edges = HOUSE.measure()["edges"]
    importers = sorted(a for a, deps in edges.items() if name in deps)
    assert all(a.startswith("chainrule.cli") or a in ("_chainrule_launch", "chainrule.__main__") for a in importers)
