"""The explorer page in each language, in headless Chromium: every book graph and a model, stepped through.

What a reader sees (the page's text, its titles and labels) is in the page's language: no English word is
left but the book's names (values, nodes, layers), code and key names; and every number on the page is the
number the English page shows at the same step. Needs what tests/explore/test_page_browser.py needs.
"""

from __future__ import annotations

import re

import pytest

from chainrule.cli import main
from chainrule.graph import FIGURES
from tests import ROOT

pytest.importorskip("chainrule.explore.messages", reason="the explorer page has no message table (explore.messages)")

from chainrule.explore.page import HTML_LANG  # noqa: E402
from tests.explore.browser import open_page  # noqa: E402  (the browser fixture: tests/explore/conftest.py)

LANGS = ("ko", "zh", "ja")
GLOSSARY = (ROOT / "docs" / "glossary.md").read_text(encoding="utf-8")
#: The book's names of layers and code the page shows as they are in every language.
NAMES = {"Affine", "ReLU", "Relu", "Sigmoid", "SoftmaxWithLoss", "Convolution", "Pooling", "BatchNormalization",
         "Dropout", "TwoLayerNet", "dout", "predict"}


def glossary_words(lang):
    """The Latin words of the glossary's terms in ``lang`` (the translated editions write Batch Normalization,
    softmax函数, ReLUレイヤ): those a page in that language may show."""
    column = {"ko": 1, "zh": 2, "ja": 3}[lang]
    rows = [line.strip("|").split("|") for line in GLOSSARY.splitlines() if line.startswith("|")]
    return {w for row in rows if len(row) == 4 for w in re.findall(r"[A-Za-z]+", row[column])}
#: Latin words a translated page shows on purpose: the product, key caps, the dataset, units, math symbols.
KEPT = {"chainrule", "explore", "Home", "End", "Space", "MNIST", "kB", "d", "x", "y", "t", "e", "f", "N", "W", "inf",
        "nan", "softmax"}
#: What the page shows, read in the browser: its text, and the titles and labels of its elements.
READ = """
const shown = (e) => e.offsetParent !== null || e.tagName === 'BODY';
const attrs = Array.from(document.querySelectorAll('[title], [aria-label]')).filter(shown)
  .flatMap((e) => [e.getAttribute('title'), e.getAttribute('aria-label')]).filter(Boolean);
const svg = Array.from(document.querySelectorAll('#graph text')).map((t) => t.textContent);
const code = Array.from(document.querySelectorAll('code')).map((c) => c.textContent);
const figures = Array.from(document.querySelectorAll('#prediction, #chosen, #loss, .pct')).map((e) => e.textContent);
return {text: document.body.innerText, attrs: attrs, svg: svg, code: code, figures: figures,
        lang: document.documentElement.lang, title: document.getElementById('graph-title').textContent};
"""


#: The Hangul words of the page that a line break splits in two (a word's range spans two lines).
BROKEN_WORDS = """
const broken = [];
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
for (let node = walker.nextNode(); node; node = walker.nextNode()) {
  if (!node.parentElement || node.parentElement.offsetParent === null) continue;
  for (const m of node.textContent.matchAll(/[\\uac00-\\ud7a3]+[^\\s]*/g)) {
    const range = document.createRange();
    range.setStart(node, m.index);
    range.setEnd(node, m.index + m[0].length);
    const tops = new Set(Array.from(range.getClientRects(), (r) => Math.round(r.top)));
    if (tops.size > 1) broken.push(m[0]);
  }
}
return broken;
"""


def write_page(folder, lang, *target):
    out = folder / f"page-{lang}.html"
    assert main(["explore", *target, "--lang", lang, "--out", str(out)]) == 0
    return out


def english_words(seen, kept):
    text = seen["text"]
    for code in seen["code"]:  # code (`chainrule predict`) is code in every language
        text = text.replace(code, " ")
    words = re.findall(r"[A-Za-z][A-Za-z_]*\d*", " ".join([text, *seen["attrs"]]))
    return sorted({w for w in words if w not in kept})


def numbers(texts):
    return re.findall(r"-?\d+(?:\.\d+)?(?:e[-+]\d+)?", " ".join(texts))


def book_names(data_graphs):
    """The names the book gives: values, node labels, layers (they are the same in every language)."""
    names = set()
    for g in data_graphs:
        names |= {v["name"] for v in g["values"] if v["name"]} | {n["label"] for n in g["nodes"]}
    return {w for name in names for w in re.findall(r"[A-Za-z][A-Za-z_]*\d*", name)} | {"TwoLayerNet"}


@pytest.fixture(scope="module")
def graph_pages(tmp_path_factory):
    folder = tmp_path_factory.mktemp("graphs")
    return {lang: write_page(folder, lang, "apple-orange") for lang in ("en", *LANGS)}


def steps(name):
    n = len(FIGURES[name]().nodes)
    return sorted({0, 1, n, n + 1, n + 2, 2 * n + 1})


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", list(FIGURES))
def test_each_book_graph_speaks_the_pages_language_with_the_english_numbers(browser, graph_pages, lang, name):
    from chainrule.graph import figure_payloads

    kept = KEPT | NAMES | glossary_words(lang) | book_names(figure_payloads("en"))
    for step in steps(name):
        fragment = f"#graph={name}&step={step}"
        open_page(browser, graph_pages["en"], fragment)
        english = browser.execute_script(READ)
        open_page(browser, graph_pages[lang], fragment)
        seen = browser.execute_script(READ)
        assert seen["lang"] == HTML_LANG[lang] and seen["title"] != english["title"]
        assert english_words(seen, kept) == [], (name, step, english_words(seen, kept))
        if lang == "ko":
            assert browser.execute_script(BROKEN_WORDS) == [], (name, step)
        assert numbers(seen["svg"]) == numbers(english["svg"]), (name, step)
        table = [re.findall(r"\S+", line) for line in seen["text"].splitlines() if "\t" in line]
        english_table = [re.findall(r"\S+", line) for line in english["text"].splitlines() if "\t" in line]
        assert [numbers(row) for row in table] == [numbers(row) for row in english_table], (name, step)
    assert english_words(english, kept)  # the same words are English on the English page: the check can fail


@pytest.mark.mnist
@pytest.mark.parametrize("lang", LANGS)
def test_a_model_page_speaks_the_pages_language_with_the_english_numbers(browser, trained_model_page, lang):
    kept = KEPT | NAMES | glossary_words(lang) | {"model", "npz", "float32", "Affine1", "Relu1", "Affine2"}
    for fragment in ("#label=auto&img=3", "#label=5&img=0", "#label=auto&img=7"):
        open_page(browser, trained_model_page["en"], fragment)
        english = browser.execute_script(READ)
        open_page(browser, trained_model_page[lang], fragment)
        seen = browser.execute_script(READ)
        assert seen["lang"] == HTML_LANG[lang]
        assert english_words(seen, kept) == [], (fragment, english_words(seen, kept))
        if lang == "ko":
            assert browser.execute_script(BROKEN_WORDS) == [], fragment
        # the numbers the page computed: the prediction, the probabilities, the label and its loss
        assert numbers(seen["figures"]) == numbers(english["figures"]) and len(numbers(seen["figures"])) >= 12
    assert english_words(english, kept)


@pytest.fixture(scope="module")
def trained_model_page(real_mnist, tmp_path_factory):
    from chainrule.io import save
    from tests.explore.helpers import train_quick_model

    folder = tmp_path_factory.mktemp("model")
    model = save(train_quick_model(real_mnist), folder / "model.npz", metadata={"kind": "mnist"})
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XDG_CACHE_HOME", str(real_mnist.xdg))
        mp.setenv("CHAINRULE_MIRRORS", "")
        mp.delenv("CHAINRULE_DATA", raising=False)
        return {lang: write_page(folder, lang, str(model)) for lang in ("en", *LANGS)}
