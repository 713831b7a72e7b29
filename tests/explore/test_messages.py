"""The explorer page's words (explore/messages.py): every one the markup and the script name exists, and
the script fills a message's placeholders exactly as Python's ``str.format`` does."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest

from chainrule.explore.messages import TEXT
from chainrule.i18n import LANGUAGES, fields
from tests import ROOT

NODE = shutil.which("node")
EXPLORE = ROOT / "src" / "chainrule" / "explore"


def test_the_markup_names_only_messages_that_exist():
    markup = (EXPLORE / "explore.html").read_text()
    keys = set(re.findall(r"\{\{([\w.]+)\}\}", markup))
    assert keys and keys <= set(TEXT), keys - set(TEXT)


@pytest.mark.skipif(NODE is None, reason="node is not installed (apt-get install nodejs)")
def test_the_page_fills_a_message_as_python_does():
    """t(key, fields) in explore_core.js gives what str.format gives, for every message in every language."""
    cases = []
    for lang in LANGUAGES:
        for key, template in TEXT.table(lang).items():
            values = {name: f"<{name}:{len(name)}>" for name in fields(template)}
            cases.append({"words": {key: template}, "key": key, "fields": values,
                          "expected": template.format(**values)})
    cases.append({"words": {"k": "{{literal}} {x} {missing}"}, "key": "k", "fields": {"x": 1},
                  "expected": "{literal} 1 {missing}"})  # a field the page does not give stays visible
    cases.append({"words": {}, "key": "graph.nothing", "fields": {}, "expected": "graph.nothing"})
    script = ("const E = require(process.argv[1]); const cases = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
              "console.log(JSON.stringify(cases.map((c) => { E.setWords(c.words); return E.t(c.key, c.fields); })));")
    js = EXPLORE / "explore.js"
    run = subprocess.run([NODE, "-e", script, str(js)], input=json.dumps(cases), capture_output=True, text=True,
                         timeout=60)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == [c["expected"] for c in cases]




def test_the_script_names_only_messages_that_exist():
    script = "".join((EXPLORE / name).read_text() for name in ("explore_graph.js", "explore_model.js"))
    keys = set(re.findall(r"\bt\('([\w.]+)'", script))
    assert {"graph.step", "graph.forward_through", "model.loss"} <= keys and keys <= set(TEXT), keys - set(TEXT)
