"""What the command says to a learner, in the locale's language (cli/messages.py): the lines of
``data`` and ``gradcheck`` under each locale, the same numbers in every language."""

from __future__ import annotations

import re

import numpy as np
import pytest

from chainrule import cli
from chainrule.cli.messages import SAY
from chainrule.i18n import LANGUAGES
from tests import ROOT

LOCALE = {"en": "en_US.UTF-8", "ko": "ko_KR.UTF-8", "zh": "zh_CN.UTF-8", "ja": "ja_JP.UTF-8"}
#: The first line of ``chainrule data`` in each language.
VERIFIED = {"en": "Fashion-MNIST: verified (SHA-256 of the four IDX files)",
            "ko": "Fashion-MNIST: 검증 완료(IDX 파일 네 개의 SHA-256)",
            "zh": "Fashion-MNIST：验证完毕（四个 IDX 文件的 SHA-256）",
            "ja": "Fashion-MNIST：検証しました（四つの IDX ファイルの SHA-256）"}


@pytest.fixture
def fake_fetch(monkeypatch):
    import chainrule.datasets

    def fetch(kind, data_dir, progress):
        x, t = np.zeros((3, 28, 28), np.uint8), np.array([0, 1, 1], np.uint8)
        return (x, t, x[:1], t[:1]), "a test", "nowhere"

    monkeypatch.setattr(chainrule.datasets, "fetch", fetch)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_data_speaks_the_locales_language_with_the_same_numbers(capsys, monkeypatch, fake_fetch, lang):
    monkeypatch.setenv("LANG", LOCALE[lang])
    assert cli.main(["data", "--kind", "fashion", "--quiet"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == VERIFIED[lang] and "a test" in lines[1] and "nowhere" in lines[2]
    assert [re.findall(r"\d+", line)[-10:] for line in lines[3:5]] == [
        ["1", "2", "0", "0", "0", "0", "0", "0", "0", "0"], ["1", "0", "0", "0", "0", "0", "0", "0", "0", "0"]]
    assert all("28x28" in line and "0-9" in line for line in lines[3:5])


def test_english_is_the_default_outside_the_four_languages(capsys, monkeypatch, fake_fetch):
    monkeypatch.setenv("LANG", "de_DE.UTF-8")
    assert cli.main(["data", "--kind", "fashion", "--quiet"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == VERIFIED["en"]


def test_every_message_is_said_somewhere():
    """Each message of the table is used by a command (a key no code names would be a translator's lost work)."""
    code = "".join(p.read_text() for p in (ROOT / "src" / "chainrule" / "cli").glob("*.py"))
    unused = [key for key in SAY if f'"{key}"' not in code and f'"{key.rsplit(".", 1)[0]}.' not in code]
    assert unused == []


@pytest.fixture
def stand_in(monkeypatch):
    """A small learnable stand-in for MNIST instead of the real data."""
    rng = np.random.default_rng(0)
    centres = rng.random((10, 784)) < 0.2
    t = rng.integers(0, 10, size=600).astype(np.uint8)
    x = np.where(centres[t] ^ (rng.random((600, 784)) < 0.05), 255, 0).astype(np.uint8)
    monkeypatch.setattr(cli.common, "load_data", lambda kind, data_dir, progress: ((x[:500], t[:500]),
                                                                                    (x[500:], t[500:])))


def numbers(lines):
    """The numbers of the result lines (the seconds left out: they differ from run to run)."""
    return [sorted(re.findall(r"\d+(?:\.\d+)?", re.sub(r"\d+\.\d ?(s|초|秒)", "", line))) for line in lines]


def test_train_says_the_same_run_in_every_language(tmp_path, capsys, monkeypatch, stand_in):
    said = {}
    for lang in LANGUAGES:
        monkeypatch.setenv("LANG", LOCALE[lang])
        code = cli.main(["train", "--iters", "20", "--batch-size", "50", "--seed", "3", "--no-plots", "--quiet",
                         "--out", str(tmp_path / lang)])
        assert code == 0
        said[lang] = capsys.readouterr().out.strip().splitlines()
    assert said["en"][0].startswith("test accuracy: ") and said["en"][1].endswith(" s")
    assert said["ko"][0].startswith("시험 데이터 정확도: ") and "회 반복(2 에폭)" in said["ko"][1]
    assert said["zh"][2].startswith("已保存到 ") and said["ja"][2].endswith("：model.npz history.json history.csv")
    for lang in LANGUAGES:
        assert numbers(said[lang][:2]) == numbers(said["en"][:2]), lang
