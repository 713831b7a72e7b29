"""``chainrule predict``: a class and its probabilities per picture; bad pictures and models each one line."""

import re

import numpy as np
import pytest

from chainrule import TwoLayerNet, cli
from chainrule.io import save
from tests.cli.helpers import one_line_error, run
from tests.datasets.helpers import digit_png


def test_predict_prints_the_class_and_probabilities(tmp_path, capsys, fake_data):
    pil = pytest.importorskip("PIL.Image")
    assert cli.main(["train", "--iters", "5", "--quiet", "--no-plots", "--out", str(tmp_path)]) == 0
    img = np.full((60, 40), 255, dtype=np.uint8)
    img[10:50, 18:23] = 0  # a dark vertical stroke on white paper: a "1"
    pil.fromarray(img).save(tmp_path / "one.png")
    capsys.readouterr()
    code, out, err = run(capsys, "predict", str(tmp_path / "model.npz"), str(tmp_path / "one.png"),
                         str(tmp_path / "one.png"))
    assert code == 0, err
    lines = out.strip().splitlines()
    assert len(lines) == 6
    m = re.fullmatch(rf"{re.escape(str(tmp_path / 'one.png'))}: (\d) \((\d+\.\d)%\)", lines[0])
    assert m
    probs = dict(re.findall(r"(\d): (\d\.\d{4})", lines[1] + lines[2]))
    assert sorted(probs) == [str(i) for i in range(10)]
    assert sum(map(float, probs.values())) == pytest.approx(1, abs=1e-3)
    assert max(probs, key=lambda k: float(probs[k])) == m.group(1)


def test_missing_image(tmp_path, capsys, fake_data):
    pytest.importorskip("PIL", reason="chainrule predict reads pictures with Pillow (the [image] extra)")
    assert cli.main(["train", "--iters", "2", "--quiet", "--no-plots", "--out", str(tmp_path)]) == 0
    capsys.readouterr()
    code, _, err = run(capsys, "predict", str(tmp_path / "model.npz"), str(tmp_path / "none.png"))
    assert code == 1 and "image not found" in one_line_error(err)


def test_predict_never_prints_nan_percent(tmp_path, capsys):
    pil = pytest.importorskip("PIL.Image")
    net = TwoLayerNet(784, 10, 10, rng=0)
    net.params["W2"][...] = np.nan
    save(net, tmp_path / "m.npz")
    pil.fromarray(np.pad(np.full((10, 4), 255, np.uint8), 9)).save(tmp_path / "d.png")
    code, out, err = run(capsys, "predict", str(tmp_path / "m.npz"), str(tmp_path / "d.png"))
    assert code == 1 and "nan" not in out.lower()
    assert one_line_error(err) == (f"chainrule: error: {tmp_path / 'm.npz'} holds non-finite weights (NaN or "
                                   "infinity: a training run that diverged?); it cannot classify anything")


def test_a_bad_picture_is_reported_on_its_own_line_and_the_rest_are_classified(tmp_path, capsys, fake_data):
    pil = pytest.importorskip("PIL.Image")
    assert cli.main(["train", "--iters", "5", "--quiet", "--no-plots", "--out", str(tmp_path / "r")]) == 0
    good = digit_png(pil, tmp_path / "good.png", 8)
    (tmp_path / "bad.png").write_text("not a picture")
    capsys.readouterr()
    code, out, err = run(capsys, "predict", str(tmp_path / "r" / "model.npz"), str(tmp_path / "bad.png"),
                         str(good), str(tmp_path / "none.png"))
    assert code == 1
    assert [line.split(":")[0] for line in out.splitlines() if not line.startswith(" ")] == [str(good)]
    lines = err.splitlines()
    assert len(lines) == 2 and all(line.startswith("chainrule: error: ") for line in lines)
    assert f"{tmp_path / 'bad.png'} is not an image Pillow can read" in lines[0]
    assert lines[1] == f"chainrule: error: image not found: {tmp_path / 'none.png'}"
