"""README.md: its snippets print what it says they print, and its commands are what it runs."""

import os
import re
import subprocess
import sys

from tests import ROOT


def test_readme_graph_snippet_prints_what_its_comment_says():
    readme = (ROOT / "README.md").read_text()
    block = next(b for b in re.findall(r"```python\n(.*?)```", readme, re.S) if "g = Graph()" in b)
    claimed = re.search(r"^# (715 .*)$", block, re.M)[1]
    code = "\n".join(line for line in block.splitlines() if not line.startswith("g.render("))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    assert done.returncode == 0, done.stderr
    assert done.stdout == claimed + "\n"
    assert claimed == "715 2.2 110 3.3 165 650"


def test_readme_says_what_pytest_m_slow_does():
    readme = (ROOT / "README.md").read_text()
    assert "`pytest -m slow`\nadds" not in readme and "`pytest -m slow` adds" not in readme
    assert re.search(r"`pytest -m slow`\s+runs only the long training runs", readme)


def test_readme_sample_run_is_the_seeded_command():
    readme = (ROOT / "README.md").read_text()
    block = readme.split("```\n$ chainrule train", 1)[1].split("```", 1)[0]
    first, second = block.splitlines()[:2]
    assert first == " --seed 0"
    assert second.endswith(", shuffle, seed 0")
