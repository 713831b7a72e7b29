"""``chainrule data``: fetches, verifies and describes a dataset through chainrule.datasets."""

import numpy as np

from chainrule import cli


def test_data_command_is_wired(capsys, monkeypatch):
    import chainrule.datasets

    calls = []

    def fetch(kind, data_dir, progress):
        calls.append((kind, data_dir, progress))
        x, t = np.zeros((3, 28, 28), np.uint8), np.array([0, 1, 1], np.uint8)
        return (x, t, x[:1], t[:1]), "a test", "nowhere"

    monkeypatch.setattr(chainrule.datasets, "fetch", fetch)
    assert cli.main(["data", "--kind", "fashion", "--dir", "/x", "--quiet"]) == 0
    assert cli.main(["data"]) == 0
    assert calls == [("fashion", "/x", False), ("mnist", None, True)]
    out = capsys.readouterr().out
    assert out.splitlines()[:5] == ["Fashion-MNIST: verified (SHA-256 of the four IDX files)",
                                    "  source: a test", "  stored: nowhere",
                                    "  train: 3 images 28x28, label counts 0-9: 1 2 0 0 0 0 0 0 0 0",
                                    "  test:  1 images 28x28, label counts 0-9: 1 0 0 0 0 0 0 0 0 0"]


def test_data_takes_data_dir_and_keeps_dir(capsys, monkeypatch):
    import chainrule.datasets

    calls = []

    def fetch(kind, data_dir, progress):
        calls.append(data_dir)
        x, t = np.zeros((2, 28, 28), np.uint8), np.array([0, 1], np.uint8)
        return (x, t, x, t), "a test", "here"

    monkeypatch.setattr(chainrule.datasets, "fetch", fetch)
    assert cli.main(["data", "--data-dir", "/a", "--quiet"]) == 0
    assert cli.main(["data", "--dir", "/b", "--quiet"]) == 0
    assert calls == ["/a", "/b"]
