"""Model files (.npz + JSON metadata, no pickle, atomic) and reading a picture of a digit."""

import json
import os
import stat

import numpy as np
import pytest

from chainrule import MultiLayerNet, TwoLayerNet, files
from chainrule.datasets import read_digit
from chainrule.io import FORMAT_VERSION, ModelFileError, load, read_metadata, save


def _x(n=5, d=12, seed=0):
    return np.random.default_rng(seed).random((n, d))


NETWORKS = {
    "two-layer float64": lambda: TwoLayerNet(12, 7, 4, weight_init_std=0.3, rng=1),
    "two-layer float32": lambda: TwoLayerNet(12, 7, 4, weight_init_std=0.3, dtype=np.float32, rng=2),
    "multi sigmoid decay": lambda: MultiLayerNet(12, [6, 5], 4, activation="sigmoid", weight_init_std="xavier",
                                                 weight_decay_lambda=0.1, dtype=np.float32, rng=3),
    "multi numeric std": lambda: MultiLayerNet(12, [8], 4, weight_init_std=0.05, rng=4),
}


@pytest.mark.parametrize("name", list(NETWORKS))
def test_round_trip_is_bit_identical(tmp_path, name):
    net = NETWORKS[name]()
    # move the weights away from the seeded initial values, so loading must really read them
    for k in net.params:
        net.params[k] += np.random.default_rng(9).normal(size=net.params[k].shape).astype(net.dtype)
    path = save(net, tmp_path / "model.npz")
    assert path == tmp_path / "model.npz"
    back = load(path)
    assert type(back) is type(net)
    assert back.config == net.config
    assert back.dtype == net.dtype
    for k in net.params:
        np.testing.assert_array_equal(back.params[k], net.params[k])
        assert back.params[k] is back.layers[f"Affine{k[1:]}"].__dict__[k[0]]  # still shared with the layers
    x = _x()
    assert np.array_equal(back.predict(x), net.predict(x))
    assert back.predict(x).tobytes() == net.predict(x).tobytes()


def test_metadata_and_file_layout(tmp_path):
    net = TwoLayerNet(12, 7, 4, dtype=np.float32, rng=0)
    save(net, tmp_path / "m.npz", metadata={"kind": "mnist", "test_acc": 0.97})
    meta = read_metadata(tmp_path / "m.npz")
    assert meta["format"] == "chainrule-model"
    assert meta["format_version"] == FORMAT_VERSION
    assert meta["architecture"] == {"class": "TwoLayerNet", "input_size": 12, "hidden_size": 7,
                                    "output_size": 4, "weight_init_std": 0.01}
    assert meta["dtype"] == "float32"
    assert meta["params"] == {"W1": [12, 7], "b1": [7], "W2": [7, 4], "b2": [4]}
    assert meta["metadata"] == {"kind": "mnist", "test_acc": 0.97}
    import chainrule

    assert meta["chainrule_version"] == chainrule.__version__
    with np.load(tmp_path / "m.npz", allow_pickle=False) as npz:  # a plain npz anybody can read
        assert sorted(npz.files) == ["W1", "W2", "__chainrule__", "b1", "b2"]
        assert npz["__chainrule__"].dtype == np.uint8
        assert npz["W1"].dtype == np.float32


def test_save_is_atomic_and_leaves_no_temporary_files(tmp_path, monkeypatch):
    net = TwoLayerNet(12, 7, 4, rng=0)
    save(net, tmp_path / "m.npz")
    before = (tmp_path / "m.npz").read_bytes()
    assert os.listdir(tmp_path) == ["m.npz"]
    mode = stat.S_IMODE(os.stat(tmp_path / "m.npz").st_mode)
    umask = os.umask(0)
    os.umask(umask)
    assert mode == 0o666 & ~umask  # not mkstemp's 0600

    def broken_savez(f, **arrays):
        f.write(b"PK\x03\x04 half a file")
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez", broken_savez)
    with pytest.raises(OSError, match="disk full"):
        save(TwoLayerNet(12, 7, 4, rng=1), tmp_path / "m.npz", force=True)
    assert (tmp_path / "m.npz").read_bytes() == before  # the old model is intact
    assert os.listdir(tmp_path) == ["m.npz"]  # and the temporary file is gone


def test_save_errors(tmp_path):
    net = TwoLayerNet(12, 7, 4, rng=0)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        save(net, tmp_path / "no" / "such" / "m.npz")
    with pytest.raises(TypeError, match="JSON-serializable"):
        save(net, tmp_path / "m.npz", metadata={"x": np.arange(3)})
    assert not (tmp_path / "m.npz").exists()


def _write_npz(path, meta=None, **arrays):
    if meta is not None:
        arrays["__chainrule__"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    with open(path, "wb") as f:
        np.savez(f, **arrays)
    return path


@pytest.fixture
def good(tmp_path):
    net = TwoLayerNet(12, 7, 4, rng=0)
    path = save(net, tmp_path / "good.npz")
    with np.load(path, allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files if k != "__chainrule__"}
    return read_metadata(path), arrays


def test_load_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="model file not found: .*nothing.npz"):
        load(tmp_path / "nothing.npz")
    with pytest.raises(IsADirectoryError, match="is a directory"):
        load(tmp_path)


def test_load_not_an_npz(tmp_path):
    (tmp_path / "notes.txt").write_text("hello, I am not a model\n")
    with pytest.raises(ModelFileError, match="not a chainrule model file"):
        load(tmp_path / "notes.txt")
    np.save(tmp_path / "one.npy", np.zeros(3))
    with pytest.raises(ModelFileError, match="single .npy array"):
        load(tmp_path / "one.npy")


def test_load_truncated_file(tmp_path):
    path = save(TwoLayerNet(12, 7, 4, rng=0), tmp_path / "m.npz")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelFileError, match="not a chainrule model file .*or it is damaged"):
        load(path)


def test_load_npz_without_metadata(tmp_path):
    path = _write_npz(tmp_path / "plain.npz", W1=np.zeros((2, 2)))
    with pytest.raises(ModelFileError, match="no chainrule metadata"):
        load(path)


def test_load_refuses_pickled_objects(tmp_path, good):
    meta, arrays = good
    arrays["W1"] = np.array([{"evil": 1}, None], dtype=object)  # stored with pickle by np.savez
    path = _write_npz(tmp_path / "pickled.npz", meta, **arrays)
    with pytest.raises(ModelFileError, match="allow_pickle"):
        load(path)


def test_load_missing_parameter(tmp_path, good):
    meta, arrays = good
    del arrays["b2"]
    with pytest.raises(ModelFileError, match=r"parameter 'b2' is missing \(the TwoLayerNet needs \['W1', 'b1', 'W2'"):
        load(_write_npz(tmp_path / "m.npz", meta, **arrays))


def test_load_extra_array(tmp_path, good):
    meta, arrays = good
    arrays["W3"] = np.zeros((4, 4))
    with pytest.raises(ModelFileError, match="unexpected array 'W3'"):
        load(_write_npz(tmp_path / "m.npz", meta, **arrays))


def test_load_wrong_shape(tmp_path, good):
    meta, arrays = good
    arrays["W2"] = np.zeros((7, 5))
    with pytest.raises(ModelFileError, match=r"parameter 'W2' has shape \(7, 5\) but the TwoLayerNet needs \(7, 4\)"):
        load(_write_npz(tmp_path / "m.npz", meta, **arrays))


def test_load_wrong_dtype(tmp_path, good):
    meta, arrays = good
    arrays["W1"] = arrays["W1"].astype(np.float32)
    with pytest.raises(ModelFileError, match="parameter 'W1' has dtype float32, the model says float64"):
        load(_write_npz(tmp_path / "m.npz", meta, **arrays))


def test_load_newer_format(tmp_path, good):
    meta, arrays = good
    meta["format_version"] = FORMAT_VERSION + 1
    meta["chainrule_version"] = "9.0"
    with pytest.raises(ModelFileError, match=r"written by a newer chainrule \(9.0, model format 2\).*upgrade"):
        load(_write_npz(tmp_path / "m.npz", meta, **arrays))


@pytest.mark.parametrize("change, message", [
    ({"format": "something-else"}, "not a chainrule model"),
    ({"format_version": "one"}, "invalid format version"),
    ({"architecture": {"class": "ConvNet"}}, "unknown network class 'ConvNet'"),
    ({"architecture": {"class": "TwoLayerNet", "input_size": 12}}, "architecture cannot be built"),
    ({"dtype": "float99"}, "unknown dtype 'float99'"),
])
def test_load_bad_metadata(tmp_path, good, change, message):
    meta, arrays = good
    meta.update(change)
    with pytest.raises(ModelFileError, match=message):
        load(_write_npz(tmp_path / "m.npz", meta, **arrays))


def test_load_metadata_not_json(tmp_path, good):
    _, arrays = good
    arrays["__chainrule__"] = np.frombuffer(b"{not json", dtype=np.uint8)
    with pytest.raises(ModelFileError, match="damaged chainrule metadata"):
        load(_write_npz(tmp_path / "m.npz", **arrays))


def test_atomic_path_cleans_up_on_error(tmp_path):
    target = tmp_path / "x.txt"
    target.write_text("old")
    with pytest.raises(RuntimeError), files.atomic_path(target, force=True) as tmp:
        tmp.write_text("new")
        raise RuntimeError("boom")
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["x.txt"]
    files.write_text(target, "new", force=True)
    assert target.read_text() == "new"


# -- read_digit ---------------------------------------------------------------------------


def _glyph():
    """A 28x28 uint8 '7'-like stroke, MNIST-style (bright ink on black), inside a 20x20 box."""
    g = np.zeros((28, 28))
    g[5:8, 6:22] = 1.0  # the bar
    for r in range(8, 25):  # the diagonal
        c = int(round(21 - (r - 8) * 0.6))
        g[r, c - 1:c + 2] = 1.0
    return (g * 255).astype(np.uint8)


def _save(array, path, mode=None):
    from PIL import Image

    Image.fromarray(array, mode=mode).save(path)
    return path


@pytest.fixture
def pil():
    return pytest.importorskip("PIL.Image")


def _com(a):
    a = a.astype(float)
    r = np.arange(a.shape[0])
    return (r @ a.sum(axis=1)) / a.sum(), (r @ a.sum(axis=0)) / a.sum()


def test_read_digit_dark_ink_on_white_paper(tmp_path, pil):
    big = pil.fromarray(255 - _glyph()).resize((280, 280), pil.Resampling.BICUBIC)  # black on white, 10x
    big.save(tmp_path / "seven.png")
    d = read_digit(tmp_path / "seven.png")
    assert d.shape == (28, 28) and d.dtype == np.uint8
    assert d.max() == 255 and d[0].max() == 0 and d[:, 0].max() == 0  # ink bright, background black
    rows, cols = np.flatnonzero(d.any(axis=1)), np.flatnonzero(d.any(axis=0))
    assert max(rows[-1] - rows[0], cols[-1] - cols[0]) + 1 in (20, 21)  # longer side scaled to 20
    cy, cx = _com(d)
    assert abs(cy - 14) <= 0.5 and abs(cx - 14) <= 0.5  # centred by centre of mass
    # it looks like the glyph, centred: compare with the glyph moved to the same centre of mass
    ref = _glyph().astype(float)
    gy, gx = _com(ref)
    ref = np.roll(ref, (round(14 - gy), round(14 - gx)), axis=(0, 1))
    overlap = np.sum(np.minimum(d / 255, ref / 255)) / np.sum(ref / 255)
    assert overlap > 0.6


def test_read_digit_bright_ink_and_jpeg_and_off_centre(tmp_path, pil):
    canvas = np.zeros((300, 200), dtype=np.uint8)
    small = np.asarray(pil.fromarray(_glyph()).resize((84, 84)))
    canvas[20:104, 100:184] = small  # off-centre, in a corner region
    pil.fromarray(canvas).save(tmp_path / "seven.jpg", quality=90)
    d = read_digit(tmp_path / "seven.jpg")
    cy, cx = _com(d)
    assert abs(cy - 14) <= 0.5 and abs(cx - 14) <= 0.5
    assert d[0].max() < 30 and d.max() == 255


def test_read_digit_transparent_background(tmp_path, pil):
    rgba = np.zeros((140, 140, 4), dtype=np.uint8)  # black ink, alpha = the stroke
    rgba[..., 3] = np.asarray(pil.fromarray(_glyph()).resize((140, 140)))
    pil.fromarray(rgba, mode="RGBA").save(tmp_path / "seven.png")
    d = read_digit(tmp_path / "seven.png")
    assert d.max() == 255 and d[0].max() == 0
    cy, cx = _com(d)
    assert abs(cy - 14) <= 0.5 and abs(cx - 14) <= 0.5


def test_read_digit_errors(tmp_path, pil):
    with pytest.raises(FileNotFoundError, match="image not found"):
        read_digit(tmp_path / "none.png")
    (tmp_path / "fake.png").write_bytes(b"not an image at all")
    with pytest.raises(ValueError, match="not an image Pillow can read"):
        read_digit(tmp_path / "fake.png")
    _save(np.full((50, 50), 240, dtype=np.uint8), tmp_path / "blank.png")
    with pytest.raises(ValueError, match="no digit found .*looks blank"):
        read_digit(tmp_path / "blank.png")
