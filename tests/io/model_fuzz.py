"""Fuzzing the model reader with convolutional and batch-normalized networks: run by
``test_model_fuzz.py`` in a child process under an address-space limit.

Each case starts from a real model file (one of 20 small SimpleConvNet, DeepConvNet and
MultiLayerNetExtend networks with Batch Normalization, of various sizes and both dtypes,
each saved once) and damages it: numbers of the stored
architecture replaced by hostile values (negative, zero, huge, floats, strings, booleans,
lists), an array replaced by a header alone declaring a huge shape, by an array of another
shape or dtype, or dropped; bytes flipped or the file cut. It is then read with
:func:`chainrule.io.load` and with ``load_params`` of a network of the saved architecture.
Every case must load or raise :class:`chainrule.io.ModelFileError` naming the file.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections import Counter
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from chainrule import DeepConvNet, MultiLayerNetExtend, SimpleConvNet
from chainrule.io import ModelFileError, load, save

HOSTILE = st.one_of(st.integers(-3, 40), st.sampled_from([4096, 4097, 10**6, 10**6 + 1, 2**31, 2**63, 10**40]),
                    st.floats(allow_nan=True, allow_infinity=True), st.booleans(), st.none(), st.text(max_size=4),
                    st.lists(st.integers(-1, 9), max_size=4), st.dictionaries(st.text(max_size=3), st.integers(),
                                                                            max_size=2))


def _bases():
    """The networks the cases start from: (class name, config, dtype), small and varied."""
    bases = []
    for dtype in ("float32", "float64"):
        for c, h, w, conv, hidden, out in ((1, 5, 5, (1, 1, 0, 1), 1, 1), (2, 9, 7, (3, 3, 1, 2), 5, 4),
                                           (1, 8, 8, (2, 3, 0, 1), 3, 2), (2, 6, 9, (1, 2, 1, 1), 2, 3)):
            conv = dict(zip(("filter_num", "filter_size", "pad", "stride"), conv, strict=True))
            bases.append(("SimpleConvNet", {"input_dim": [c, h, w], "conv_param": conv, "hidden_size": hidden,
                                            "output_size": out}, dtype))
        small = {"filter_num": 2, "filter_size": 3, "pad": 1, "stride": 1}
        for h, w, hidden in ((8, 8, 2), (10, 9, 4)):
            bases.append(("DeepConvNet", {"input_dim": [1, h, w], **{f"conv_param_{i}": small for i in range(1, 7)},
                                          "hidden_size": hidden, "output_size": 3}, dtype))
        for sizes, dropout in (((3, 2, 2), False), ((6, 5, 4, 3), True), ((1, 1, 1), False), ((4, 3, 3, 2, 2), True)):
            bases.append(("MultiLayerNetExtend", {"input_size": sizes[0], "hidden_size_list": list(sizes[1:-1]),
                                                  "output_size": sizes[-1], "use_batchnorm": True,
                                                  "use_dropout": dropout}, dtype))
    return bases


BASES = _bases()
networks = st.sampled_from(range(len(BASES)))
_SAVED = {}


CLASSES = {"SimpleConvNet": SimpleConvNet, "DeepConvNet": DeepConvNet, "MultiLayerNetExtend": MultiLayerNetExtend}


def _paths(arch):
    """Every place in the stored architecture that holds a number: [(key, index or None, sub-key or None)]."""
    places = []
    for key, value in arch.items():
        if isinstance(value, list):
            places += [(key, i, None) for i in range(len(value))] + [(key, None, None)]
        elif isinstance(value, dict):
            places += [(key, None, sub) for sub in value] + [(key, None, None)]
        elif key != "class":
            places.append((key, None, None))
    return places


@st.composite
def damage(draw):
    how = draw(st.sampled_from(["none", "number", "number", "numbers", "header", "shape", "dtype", "drop", "extra",
                                "flip", "cut", "class"]))
    if how in ("number", "numbers"):
        return how, [(draw(st.integers(0, 50)), draw(HOSTILE)) for _ in range(1 if how == "number" else 3)]
    if how == "header":
        return how, (draw(st.integers(0, 20)), draw(st.lists(st.sampled_from([0, 1, 7, 10**6, 2**31, 10**12]),
                                                             min_size=1, max_size=3)))
    if how in ("shape", "dtype", "drop", "extra"):
        return how, (draw(st.integers(0, 20)), draw(st.sampled_from(["<f4", "<f8", "<f2", "<i8", "|u1", ">f8"])))
    if how == "flip":
        return how, draw(st.lists(st.tuples(st.integers(0, 10**5), st.integers(0, 255)), min_size=1, max_size=6))
    if how == "cut":
        return how, draw(st.integers(0, 3000))
    if how == "class":
        return how, draw(st.sampled_from(["SimpleConvNet", "DeepConvNet", "MultiLayerNetExtend", "TwoLayerNet",
                                          "MultiLayerNet"]))
    return how, None


def _npy(array=None, shape=None, descr="<f4"):
    buf = io.BytesIO()
    if array is None:
        np.lib.format.write_array_header_1_0(buf, {"descr": descr, "fortran_order": False, "shape": tuple(shape)})
    else:
        np.save(buf, array)
    return buf.getvalue()


def _rewrite(path, meta, members):
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("__chainrule__.npy", _npy(np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)))
        for name, data in members.items():
            zf.writestr(f"{name}.npy", data)


def _damaged(path, change):
    how, what = change
    if how in ("flip", "cut"):
        data = bytearray(path.read_bytes())
        if how == "cut":
            data = data[:what]
        else:
            for at, value in what:
                data[at % len(data)] = value
        path.write_bytes(bytes(data))
        return
    with np.load(path, allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files}
    meta = json.loads(arrays.pop("__chainrule__").tobytes())
    members = {k: _npy(v) for k, v in arrays.items()}
    names = sorted(members)
    if how in ("number", "numbers"):
        arch = meta["architecture"]
        for at, value in what:
            places = _paths(arch)  # again: a change may have replaced a list or a dict
            key, index, sub = places[at % len(places)]
            if index is not None:
                arch[key][index] = value
            elif sub is not None:
                arch[key][sub] = value
            else:
                arch[key] = value
    elif how == "class":
        meta["architecture"]["class"] = what
    elif how == "header":
        members[names[what[0] % len(names)]] = _npy(shape=what[1])
    elif how == "shape":
        members[names[what[0] % len(names)]] = _npy(np.zeros((2, 3), dtype=what[1]))
    elif how == "dtype":
        name = names[what[0] % len(names)]
        members[name] = _npy(arrays[name].astype(np.dtype(what[1])))
    elif how == "drop":
        del members[names[what[0] % len(names)]]
    elif how == "extra":
        members["W99"] = _npy(np.zeros(3, dtype=what[1]))
    _rewrite(path, meta, members)


def fuzz_model_reader(folder, examples):
    """Run ``examples`` fuzzed cases in ``folder``: ``{"loaded": n, "ModelFileError": m}`` over both readers."""
    counts = Counter()
    path = Path(folder) / "fuzz.npz"

    @settings(max_examples=examples, deadline=None, database=None, phases=[Phase.generate, Phase.shrink],
              suppress_health_check=list(HealthCheck))
    @given(index=networks, change=damage())
    def case(index, change):
        kind, cfg, dtype = BASES[index]
        if index not in _SAVED:
            _SAVED[index] = save(CLASSES[kind](**cfg, dtype=dtype, rng=index), path, force=True).read_bytes()
        path.write_bytes(_SAVED[index])
        _damaged(path, change)
        for reader in ("load", "load_params"):
            target = CLASSES[kind](**cfg, dtype=dtype, rng=1)
            if not hasattr(target, reader) and reader == "load_params":
                continue  # the book gives load_params to its convolutional networks only
            try:
                got = load(path) if reader == "load" else target.load_params(path)
            except ModelFileError as exc:
                assert str(exc).startswith(str(path)), str(exc)
                counts["ModelFileError"] += 1
                continue
            counts["loaded"] += 1
            got = target if reader == "load_params" else got
            want = type(got).parameter_shapes(got.config)
            assert {**{k: v.shape for k, v in got.params.items()}, **{k: v.shape for k, v in got.state.items()}} \
                == want

    case()
    return dict(counts)
