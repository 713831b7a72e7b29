"""Fuzzing the PyTorch exit's reader (``load_torch``, then ``from_torch``): run by
``test_torch_reader.py`` in a child process under an address-space limit.

Each case starts from a real pair written by ``save_torch`` (one of 20 small MLPs of various depths,
sizes, activation and dtype) and damages it: numbers and layer types of the ``.json``
replaced by hostile values (negative, zero, huge, floats, strings, booleans, lists), the
layer list cut, repeated or replaced, the format and dtype changed, the text cut or made
not JSON; the ``.pt`` cut, flipped, replaced by other bytes or by another network's
weights. Every case must load or raise :class:`chainrule.export.ExportError` naming one
of the two files.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from chainrule.export import ExportError, from_torch, load_torch, save_torch
from chainrule.networks import MultiLayerNet

HOSTILE = st.one_of(st.integers(-3, 8), st.sampled_from([10**6, 10**6 + 1, 60000, 2**31, 2**63, 10**40]),
                    st.floats(allow_nan=True, allow_infinity=True), st.booleans(), st.none(), st.text(max_size=4),
                    st.lists(st.integers(-1, 5), max_size=3), st.dictionaries(st.text(max_size=3), st.integers(),
                                                                            max_size=2))
LAYER_TYPES = st.sampled_from(["Linear", "ReLU", "Sigmoid", "Conv2d", "Softmax", "", "linear", "__import__"])


#: The networks the cases start from: (sizes, activation, dtype), each written once (``_pair``).
NETWORKS = [(sizes, activation, dtype) for sizes in ((2, 3), (3, 2, 2), (4, 3, 2), (1, 5, 2, 3), (6, 1, 1))
            for activation in ("relu", "sigmoid") for dtype in ("float32", "float64")]
networks = st.sampled_from(range(len(NETWORKS)))
_PAIRS = {}


def _pair(folder, index):
    """The ``(weights bytes, architecture text)`` that ``save_torch`` writes for ``NETWORKS[index]``."""
    if index not in _PAIRS:
        sizes, activation, dtype = NETWORKS[index]
        net = MultiLayerNet(sizes[0], sizes[1:-1], sizes[-1], activation=activation, dtype=dtype, rng=index)
        net.params["b1"] += 0.5
        pt, js = save_torch(net, Path(folder) / f"base{index}.pt", force=True)
        _PAIRS[index] = pt.read_bytes(), js.read_text()
    return _PAIRS[index]


def _write(folder, index, name):
    data, text = _pair(folder, index)
    pt, js = Path(folder) / f"{name}.pt", Path(folder) / f"{name}.json"
    pt.write_bytes(data)
    js.write_text(text)
    return pt, js


@st.composite
def json_damage(draw):
    how = draw(st.sampled_from(["none", "number", "type", "drop key", "layers", "format", "dtype", "text",
                                "top"]))
    if how == "number":
        return how, (draw(st.integers(0, 20)), draw(st.sampled_from(["in_features", "out_features"])),
                     draw(HOSTILE))
    if how == "type":
        return how, (draw(st.integers(0, 20)), draw(LAYER_TYPES))
    if how == "drop key":
        return how, (draw(st.integers(0, 20)), draw(st.sampled_from(["type", "in_features", "out_features"])))
    if how == "layers":
        return how, draw(st.sampled_from(["cut", "double", "many", "empty", "not a list", "not dicts"]))
    if how in ("format", "dtype"):
        return how, draw(st.one_of(st.sampled_from(["chainrule-torch", "float16", "int64", "float32"]), HOSTILE))
    if how == "text":
        return how, (draw(st.sampled_from(["cut", "bytes", "deep"])), draw(st.integers(0, 400)),
                     draw(st.binary(max_size=40)))
    return how, draw(HOSTILE)


def _damage_json(js, damage):
    how, what = damage
    arch = json.loads(js.read_text())
    layers = arch["layers"]
    if how == "number":
        i, key, value = what
        if layers and layers[i % len(layers)].get("type") == "Linear":
            layers[i % len(layers)][key] = value
    elif how == "type":
        layers[what[0] % len(layers)]["type"] = what[1]
    elif how == "drop key":
        layers[what[0] % len(layers)].pop(what[1], None)
    elif how == "layers":
        arch["layers"] = {"cut": layers[:-1], "double": layers + layers, "many": layers * 700, "empty": [],
                          "not a list": {"0": layers}, "not dicts": [1, "Linear", None]}[what]
    elif how in ("format", "dtype"):
        arch[how] = what
    elif how == "top":
        arch = what
    text = json.dumps(arch)
    if how == "text":
        kind, at, junk = what
        data = text.encode()
        data = {"cut": data[:at], "bytes": data[:at] + junk + data[at:],
                "deep": b"[" * 100_000 + b"]" * 100_000}[kind]
        js.write_bytes(data)
    else:
        js.write_text(text)


@st.composite
def pt_damage(draw):
    how = draw(st.sampled_from(["none", "none", "cut", "flip", "bytes", "other", "dtype"]))
    if how == "cut":
        return how, draw(st.integers(0, 2000))
    if how == "flip":
        return how, draw(st.lists(st.tuples(st.integers(0, 5000), st.integers(0, 255)), min_size=1, max_size=6))
    if how == "bytes":
        return how, draw(st.binary(max_size=300))
    if how == "other":
        return how, draw(networks)
    return how, None


def _damage_pt(folder, pt, damage):
    how, what = damage
    data = pt.read_bytes()
    if how == "cut":
        pt.write_bytes(data[:what])
    elif how == "flip":
        data = bytearray(data)
        for at, value in what:
            data[at % len(data)] = value
        pt.write_bytes(bytes(data))
    elif how == "bytes":
        pt.write_bytes(what)
    elif how == "other":
        other, _ = _write(folder, what, "other")
        pt.write_bytes(other.read_bytes())
    elif how == "dtype":
        import torch

        state = torch.load(pt, weights_only=True)
        torch.save({k: v.to(torch.float16) for k, v in state.items()}, pt)


def fuzz_torch_reader(folder, examples):
    """Run ``examples`` fuzzed cases in ``folder``; return how many loaded and how many raised ExportError."""
    counts = Counter()

    @settings(max_examples=examples, deadline=None, database=None, phases=[Phase.generate, Phase.shrink],
              suppress_health_check=list(HealthCheck))
    @given(spec=networks, json_change=json_damage(), pt_change=pt_damage())
    def case(spec, json_change, pt_change):
        pt, js = _write(folder, spec, "case")
        _damage_json(js, json_change)
        _damage_pt(folder, pt, pt_change)
        try:
            module = load_torch(pt)
        except ExportError as exc:
            assert str(exc).startswith((str(pt), str(js))), str(exc)
            counts["ExportError"] += 1
            return
        counts["loaded"] += 1
        try:
            network = from_torch(module)  # a module of the layers the file lists, whatever they are
        except ExportError:
            return
        x = np.ones((2, network.params["W1"].shape[0]), dtype=network.dtype)
        assert network.predict(x).shape[0] == 2

    case()
    return dict(counts)
