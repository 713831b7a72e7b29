"""chainrule.train.runs: a run's folder is checked and made before training, and written all at once."""

import json
import os

import numpy as np
import pytest

from chainrule import TwoLayerNet
from chainrule.io import load, read_metadata
from chainrule.train import History
from chainrule.train.runs import RUN_FILES, RunFolderError, release_folder, reserve_folder, save_run


def test_reserve_folder_makes_a_new_folder_and_takes_an_empty_one(tmp_path):
    assert reserve_folder(tmp_path / "a" / "b") is True and os.listdir(tmp_path / "a" / "b") == []
    assert reserve_folder(tmp_path / "a" / "b") is False  # already there and empty: used as it is
    assert sorted(os.listdir(tmp_path / "a")) == ["b"]  # the write probe left nothing behind


def test_reserve_folder_refuses_what_it_must_not_touch(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(RunFolderError, match=r"exists and is not a folder$"):
        reserve_folder(tmp_path / "file")
    run = tmp_path / "run"
    run.mkdir()
    (run / "model.npz").write_text("an earlier run")
    with pytest.raises(RunFolderError, match=r"already holds files \(a run\?\)"):
        reserve_folder(run)
    assert reserve_folder(run, replace=True) is False  # a run folder may be replaced
    (run / "notes.txt").write_text("mine")
    with pytest.raises(RunFolderError, match=r"holds files that are not a run's \(notes.txt\)"):
        reserve_folder(run, replace=True)
    assert sorted(os.listdir(run)) == ["model.npz", "notes.txt"]


def test_release_folder_removes_only_an_empty_folder(tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "model.npz").write_text("x")
    release_folder(tmp_path / "empty")
    release_folder(tmp_path / "full")
    release_folder(tmp_path / "absent")
    assert sorted(os.listdir(tmp_path)) == ["full"]


def test_save_run_writes_the_model_and_history_at_once(tmp_path):
    net = TwoLayerNet(4, 3, 2, rng=0)
    history = History(loss=[0.7, 0.5], train_acc=[0.5, 0.75], test_acc=[0.5, 1.0], iteration=[0, 2], epoch=[0, 1],
                      seconds=[0.1, 0.3],
                      iterations=2)
    written, note = save_run(tmp_path / "r", net, history, {"seed": 3}, plots=False)
    assert written == ["model.npz", "history.json", "history.csv"] and note is None
    assert set(written) <= set(RUN_FILES) and sorted(os.listdir(tmp_path)) == ["r"]  # no temporary folder left
    back = load(tmp_path / "r" / "model.npz")
    for k in net.params:
        np.testing.assert_array_equal(back.params[k], net.params[k])
    assert read_metadata(tmp_path / "r" / "model.npz")["metadata"] == {"seed": 3}
    assert json.loads((tmp_path / "r" / "history.json").read_text())["loss"] == [0.7, 0.5]
    with pytest.raises(OSError):
        save_run(tmp_path / "r", net, history, {}, plots=False)  # never over an earlier run unless replace=True
    assert sorted(os.listdir(tmp_path)) == ["r"] and read_metadata(tmp_path / "r" / "model.npz")["metadata"] == {
        "seed": 3}
    assert save_run(tmp_path / "r", net, history, {"seed": 4}, plots=False, replace=True)[0] == written
    assert read_metadata(tmp_path / "r" / "model.npz")["metadata"] == {"seed": 4}
