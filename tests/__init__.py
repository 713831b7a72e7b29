"""chainrule's tests mirror the source: one folder per subpackage of ``src/chainrule`` (and per folder of
the repository they test: benchmarks/, docs/, examples/, notebooks/, tools/), one test module per source
module, named after it: ``test_<module>.py``, or ``test_<module>_<aspect>.py`` for one aspect of it
(``test_layers_fast.py``: the layers' fast formulation). ``test_init.py`` tests a package's
``__init__``; ``tests/<package>/test_<package>.py`` a package as a whole. Helpers shared by tests
live beside them (``helpers.py``, ``conftest.py``). tests/docs/test_architecture_tests.py holds the
tests to this rule."""

from pathlib import Path

#: The repository's root folder.
ROOT = Path(__file__).resolve().parents[1]
