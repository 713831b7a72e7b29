"""The book's example scripts print the book's numbers."""

import runpy
import sys

import pytest

from tests import ROOT

EXAMPLES = ROOT / "examples"


def run_example(name, capsys, monkeypatch):
    monkeypatch.setattr(sys, "argv", [name])
    runpy.run_path(str(EXAMPLES / name), run_name="__main__")
    out = capsys.readouterr().out
    return dict(line.split(": ", 1) for line in out.strip().splitlines())


def test_buy_apple(capsys, monkeypatch):
    got = run_example("buy_apple.py", capsys, monkeypatch)
    assert got == {"price": "220", "dApple": "2.2", "dApple_num": "110", "dTax": "200"}


def test_buy_apple_orange(capsys, monkeypatch):
    got = run_example("buy_apple_orange.py", capsys, monkeypatch)
    assert got["price"] == "715"
    assert float(got["dApple"]) == pytest.approx(2.2)
    assert got["dApple_num"] == "110"
    assert float(got["dOrange"]) == pytest.approx(3.3)  # the book prints 3.3000000000000003
    assert got["dOrange_num"] == "165"
    assert got["dTax"] == "650"
