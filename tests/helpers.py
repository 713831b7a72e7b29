"""Shared by the tests: gradients by central differences; the house tool (tools/house.py) as a module;
fuzzing in a child process limited to an address space (:func:`fuzz_in_a_child`)."""

import importlib.util
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import chainrule
from chainrule import numerical_gradient
from tests import ROOT


def numeric_wrt(f, arr):
    """Numerical gradient of the scalar ``f()`` with respect to ``arr`` (changed in place, restored)."""
    return numerical_gradient(lambda _a: f(), arr)


def house():
    """``tools/house.py``, which measures the imports of ``src/`` (tools/ is not a package)."""
    spec = importlib.util.spec_from_file_location("house", ROOT / "tools" / "house.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


#: The child of :func:`fuzz_in_a_child`: it imports ``function`` (``"module:name"``), gives it a scratch folder
#: (in memory, under /dev/shm, where there is one: thousands of small files are written and read) and the
#: number of cases, and prints what it returns with the seconds it took. A MemoryError, an exception the
#: fuzzing does not expect or a hypothesis failure ends it with a non-zero status and its traceback.
CHILD = textwrap.dedent("""
    import importlib, json, os, resource, sys, tempfile, time
    limit, function, folder, examples = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    module, name = function.split(":")
    fuzz = getattr(importlib.import_module(module), name)
    shm = "/dev/shm"
    scratch = shm if os.path.isdir(shm) and os.access(shm, os.W_OK) else folder
    with tempfile.TemporaryDirectory(dir=scratch) as where:
        start = time.perf_counter()
        counts = fuzz(where, examples)
    print(json.dumps({"counts": counts, "seconds": time.perf_counter() - start}))
""")


def child_env():
    """The environment of a child: one BLAS thread, the chainrule under test and these tests importable."""
    return {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "PATH": "/usr/bin:/bin",
            "PYTHONPATH": f"{Path(chainrule.__file__).parents[1]}:{ROOT}"}


def fuzz_in_a_child(function, folder, examples, *, limit=1536 << 20, timeout=600):
    """``{"counts": ..., "seconds": ...}`` of ``function(scratch, examples)`` run in a child under ``limit`` bytes."""
    done = subprocess.run([sys.executable, "-c", CHILD, str(limit), function, str(folder), str(examples)],
                          capture_output=True, text=True, timeout=timeout, env=child_env(), check=False)
    assert done.returncode == 0, done.stderr[-5000:]
    return json.loads(done.stdout.strip().splitlines()[-1])
