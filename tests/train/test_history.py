"""chainrule.train.history: a run's record, as strict JSON and as CSV, read back."""

import json

import pytest

from chainrule.train import History, Trainer
from tests.train.helpers import net32


def test_history_json_is_strict():
    h = History(loss=[0.5, float("nan"), float("inf")], train_acc=[float("nan")])
    data = json.loads(h.to_json(), parse_constant=lambda name: pytest.fail(f"{name} in JSON"))
    assert data["loss"] == [0.5, None, None] and data["train_acc"] == [None]
    back = History.from_dict(data)  # null, read back, is an empty CSV cell
    assert back.to_csv().splitlines()[1:] == ["1,1.0,0.5,,,", "2,2.0,,,,", "3,3.0,,,,"]


def test_history_json_and_csv(data, tmp_path):
    x, t, xt, tt = data
    h = Trainer(net32(), x, t, xt, tt, iters=19, mini_batch_size=50, rng=0, verbose=False).train()
    h.config["seed"] = 0
    h.save_json(tmp_path / "h.json")
    back = History.load_json(tmp_path / "h.json")
    assert back == h  # floats round-trip exactly
    data_json = json.loads((tmp_path / "h.json").read_text())
    assert data_json["format"] == "chainrule-history" and data_json["loss"] == h.loss
    h.save_csv(tmp_path / "h.csv")
    rows = (tmp_path / "h.csv").read_text().splitlines()
    assert rows[0] == "iteration,epoch,loss,train_acc,test_acc,seconds"
    assert len(rows) == 1 + 20  # evaluation before training + 19 iterations
    assert rows[1].startswith("0,0.0,,")  # no loss before the first update
    fields = rows[1 + 8].split(",")  # iteration 8 ends epoch 1: an evaluation row
    assert fields[0] == "8" and float(fields[1]) == 1.0 and float(fields[2]) == h.loss[7]
    assert float(fields[3]) == h.train_acc[1] and float(fields[4]) == h.test_acc[1]
    assert rows[1 + 5].split(",")[3:] == ["", "", ""]
    assert float(rows[-1].split(",")[4]) == h.test_acc[-1]
    with pytest.raises(ValueError, match="not a chainrule history"):
        History.from_dict({"loss": []})
