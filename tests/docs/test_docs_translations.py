"""The translated documents follow the English: docs/from-the-book.{ko,zh-CN,ja}.md have the sections, the code
and the outputs of docs/from-the-book.md; and the comparison itself catches each way a translation drifts."""

import pytest

from tests.docs.helpers import LANGS, compare_blocks, compare_pages, numbers, page, sections, spans

ENGLISH = """# Title

Run `chainrule train` first.

```bash
chainrule train --seed 0   # the book's run
```

```
$ chainrule explore runs/20261202-131500/model.npz
wrote explore.html (272 kB): 10 images
test accuracy: 0.9707 in 11.6 s
```

## Second

Text.
"""


@pytest.mark.parametrize("suffix", list(LANGS.values()))
def test_from_the_book_translation_follows_the_english(suffix):
    problems = compare_pages(page("docs/from-the-book.md"), page(f"docs/from-the-book.{suffix}.md"), suffix)
    assert not problems, "\n\n".join(problems)


def test_a_faithful_translation_passes():
    translated = (ENGLISH.replace("Run `chainrule train` first.", "먼저 `chainrule train`을 실행하세요.")
                  .replace("# the book's run", "# 책의 학습").replace("## Second", "## 두 번째")
                  .replace("20261202-131500", "20261206-065828").replace("(272 kB): 10 images", "(283 kB): 이미지 10장")
                  .replace("test accuracy: 0.9707 in 11.6 s", "정확도 0.9707, 36.8초"))
    assert compare_pages(ENGLISH, translated, "ko") == []


@pytest.mark.parametrize("change, problem", [
    (("## Second", "Second"), "the sections differ"),
    (("--seed 0   #", "--seed 1   #"), "the code differs"),
    (("Run `chainrule train` first.", "`chainrule 학습`을 실행하세요."), "code the translation lacks"),
    (("0.9707 in", "0.9708 in"), "an output with other numbers"),
    (("$ chainrule explore", "$ chainrule explore --lang ko"), "the commands differ"),
    (("```bash", "```python"), "a ```bash block is ```python"),
])
def test_each_drift_is_caught(change, problem):
    found = compare_pages(ENGLISH, ENGLISH.replace(*change), "ko")
    assert found and problem in found[0], found


def test_the_pieces():
    assert [s.title for s in sections(ENGLISH)] == ["", "Title", "Second"]
    assert spans("a `b`\nc ``d\ne``") == ["b", "d e"]
    assert numbers("epoch 1 | 0.9059 | 3.3 s | runs/20261206-065828/ (283 kB) 36.8초 1e-07") == ["0.9059", "1", "1e-07"]
    assert compare_blocks(("python", "x = 1  # one"), ("python", "x = 1  # 하나"), "here") == []
    assert compare_blocks(("python", "x = 1  # 1"), ("python", "x = 1  # 2"), "here") != []
