"""chainrule's tests: one folder per subpackage of ``src/chainrule`` (and per folder of the repository
they test), one test module per source module (``test_<module>.py``, ``test_<module>_<aspect>.py``)."""

from pathlib import Path

#: The repository's root folder.
ROOT = Path(__file__).resolve().parents[1]
