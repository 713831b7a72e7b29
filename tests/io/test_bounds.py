"""Every architecture is bounded before anything is allocated, by one reader.

Each network class computes the shapes of its arrays from its config by arithmetic
(``parameter_shapes``); the model reader checks every number that sizes the architecture
(input sizes, channels, filters, filter sizes, strides, padding, hidden sizes) against
:data:`chainrule.io.model.SIZE_LIMITS`, the parameters in all against ``MAX_PARAMETERS``,
and the arrays' ``.npy`` headers against the shapes, before it builds the network or reads
an array. ``load_params`` of the convolutional networks reads through the same reader."""

import io
import json
import tracemalloc
import zipfile

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chainrule import DeepConvNet, MultiLayerNet, MultiLayerNetExtend, SimpleConvNet, TwoLayerNet
from chainrule.io import ModelFileError, load, read_metadata, save
from chainrule.io.bounds import MAX_CHANNELS, MAX_IMAGE_SIDE, MAX_PARAMETERS

SMALL_CONV = {"filter_num": 3, "filter_size": 3, "pad": 0, "stride": 1}


def _meta(arch, dtype="float32"):
    return {"format": "chainrule-model", "format_version": 1, "chainrule_version": "0.1.0",
            "architecture": arch, "dtype": dtype, "params": {}, "metadata": {}}


def _npy(array_or_shape, dtype="<f4"):
    buf = io.BytesIO()
    if isinstance(array_or_shape, tuple):  # a header alone, declaring this shape
        np.lib.format.write_array_header_1_0(buf, {"descr": dtype, "fortran_order": False, "shape": array_or_shape})
    else:
        np.save(buf, array_or_shape)
    return buf.getvalue()


def _write(path, meta, members=None):
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("__chainrule__.npy", _npy(np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)))
        for name, data in (members or {}).items():
            zf.writestr(f"{name}.npy", data)
    return path


def _refused(fn):
    """The ModelFileError of ``fn()`` and the peak of Python allocations meanwhile."""
    tracemalloc.start()
    try:
        with pytest.raises(ModelFileError) as info:
            fn()
        return str(info.value), tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


# -- the probes: small files declaring huge convolutional networks -------------------------

@pytest.mark.parametrize("arch, count", [
    ({"class": "SimpleConvNet", "input_dim": [1, 600, 600]}, 266_413_890),
    ({"class": "SimpleConvNet", "input_dim": [1, 1000, 1000]}, 744_013_890),
    ({"class": "DeepConvNet", "input_dim": [1, 2000, 2000]}, 200_072_352),
])
def test_a_small_file_declaring_a_huge_convnet_is_refused_before_building(tmp_path, arch, count):
    path = _write(tmp_path / "m.npz", _meta(arch))
    assert path.stat().st_size < 1000
    for read in (load, lambda p: read_metadata(p) and load(p)):
        message, peak = _refused(lambda read=read: read(path))
        assert message == f"{path}: the architecture has {count} parameters, more than the limit of {MAX_PARAMETERS}"
        assert peak < 5e6


BOUNDS = {  # architecture -> what the message says
    "input height": ({"class": "SimpleConvNet", "input_dim": [1, MAX_IMAGE_SIDE + 1, 8], "conv_param": SMALL_CONV},
                     f"'input_dim' height must be an integer from 1 to {MAX_IMAGE_SIDE}, got {MAX_IMAGE_SIDE + 1}"),
    "input width": ({"class": "DeepConvNet", "input_dim": [1, 28, 10**12]},
                    f"'input_dim' width must be an integer from 1 to {MAX_IMAGE_SIDE}, got {10**12}"),
    "input channels": ({"class": "SimpleConvNet", "input_dim": [MAX_CHANNELS + 1, 8, 8], "conv_param": SMALL_CONV},
                       f"'input_dim' channels must be an integer from 1 to {MAX_CHANNELS}, got {MAX_CHANNELS + 1}"),
    "negative input": ({"class": "SimpleConvNet", "input_dim": [1, -28, 28]},
                       f"'input_dim' height must be an integer from 1 to {MAX_IMAGE_SIDE}, got -28"),
    "filters": ({"class": "SimpleConvNet", "input_dim": [1, 8, 8],
                 "conv_param": {**SMALL_CONV, "filter_num": 10**9}},
                f"conv_param 'filter_num' must be an integer from 1 to {MAX_CHANNELS}, got 1000000000"),
    "filter size": ({"class": "DeepConvNet", "conv_param_3": {"filter_num": 32, "filter_size": 5000, "pad": 1,
                                                                 "stride": 1}},
                    f"conv_param_3 'filter_size' must be an integer from 1 to {MAX_IMAGE_SIDE}, got 5000"),
    "stride 0": ({"class": "SimpleConvNet", "conv_param": {**SMALL_CONV, "stride": 0}},
                 f"conv_param 'stride' must be an integer from 1 to {MAX_IMAGE_SIDE}, got 0"),
    "negative pad": ({"class": "DeepConvNet", "conv_param_1": {"filter_num": 16, "filter_size": 3, "pad": -1,
                                                                  "stride": 1}},
                     f"conv_param_1 'pad' must be an integer from 0 to {MAX_IMAGE_SIDE}, got -1"),
    "stride a float": ({"class": "SimpleConvNet", "conv_param": {**SMALL_CONV, "stride": 1.5}},
                       f"conv_param 'stride' must be an integer from 1 to {MAX_IMAGE_SIDE}, got 1.5"),
    "hidden size": ({"class": "SimpleConvNet", "hidden_size": 10**7},
                    "'hidden_size' must be an integer from 1 to 1000000, got 10000000"),
    "batchnorm hidden": ({"class": "MultiLayerNetExtend", "input_size": 4, "hidden_size_list": [3, 2_000_000],
                          "output_size": 2, "use_batchnorm": True},
                         "'hidden_size_list' [1] must be an integer from 1 to 1000000, got 2000000"),
    "layers": ({"class": "MultiLayerNetExtend", "input_size": 4, "hidden_size_list": [1] * 5000, "output_size": 2},
               "the number of layers must be an integer from 1 to 1000, got 5001"),
    "filter bigger than the image": ({"class": "SimpleConvNet", "input_dim": [1, 8, 8],
                                      "conv_param": {**SMALL_CONV, "filter_size": 9}},
                                     "the stored architecture cannot be built: a 9x9 filter does not fit 8x8 images "
                                     "padded by 0"),
    "nothing left to pool": ({"class": "SimpleConvNet", "input_dim": [1, 8, 8],
                              "conv_param": {**SMALL_CONV, "filter_size": 8}},
                             "the stored architecture cannot be built: the convolution's 1x1 output is smaller than "
                             "the 2x2 pooling window"),
    "input_dim a string": ({"class": "SimpleConvNet", "input_dim": "abc"},
                           "the stored architecture cannot be built: input_dim must be (C, H, W)"),
    "unknown argument": ({"class": "DeepConvNet", "conv_param_7": SMALL_CONV},
                         "the stored architecture cannot be built: got an unexpected keyword argument 'conv_param_7'"),
    "parameters in all": ({"class": "DeepConvNet", "input_dim": [1, 4000, 4000], "hidden_size": 4},
                          f"the architecture has 64071846 parameters, more than the limit of {MAX_PARAMETERS}"),
}


@pytest.mark.parametrize("case", list(BOUNDS))
def test_every_number_of_an_architecture_is_bounded(tmp_path, case):
    arch, says = BOUNDS[case]
    path = _write(tmp_path / "m.npz", _meta(arch))
    message, peak = _refused(lambda: load(path))
    assert message.startswith(f"{path}: ") and says in message, message
    assert peak < 5e6


def test_conv_param_stride_0_is_a_clear_value_error():
    for make in (lambda: SimpleConvNet(conv_param={**SMALL_CONV, "stride": 0}),
                 lambda: DeepConvNet(conv_param_2={**SMALL_CONV, "stride": 0})):
        with pytest.raises(ValueError, match=r"conv_param(_2)? 'stride' must be a positive integer; got 0"):
            make()
    with pytest.raises(ValueError, match="'pad' must be a non-negative integer; got -2"):
        SimpleConvNet(conv_param={**SMALL_CONV, "pad": -2})


# -- the arithmetic is the constructors' own ----------------------------------------------

def _built_shapes(net):
    return {**{k: v.shape for k, v in net.params.items()}, **{k: v.shape for k, v in net.state.items()}}


conv = st.fixed_dictionaries({"filter_num": st.integers(1, 4), "filter_size": st.integers(1, 4),
                              "pad": st.integers(0, 2), "stride": st.integers(1, 3)})


@st.composite
def configs(draw):
    kind = draw(st.sampled_from(["TwoLayerNet", "MultiLayerNet", "MultiLayerNetExtend", "SimpleConvNet",
                                 "DeepConvNet"]))
    size = st.integers(1, 9)
    if kind == "TwoLayerNet":
        return TwoLayerNet, {"input_size": draw(size), "hidden_size": draw(size), "output_size": draw(size)}
    if kind in ("MultiLayerNet", "MultiLayerNetExtend"):
        cfg = {"input_size": draw(size), "hidden_size_list": draw(st.lists(size, max_size=4)),
               "output_size": draw(size)}
        if kind == "MultiLayerNetExtend":
            cfg.update(use_batchnorm=draw(st.booleans()), use_dropout=draw(st.booleans()))
            return MultiLayerNetExtend, cfg
        return MultiLayerNet, cfg
    if kind == "SimpleConvNet":
        return SimpleConvNet, {"input_dim": [draw(st.integers(1, 3)), draw(st.integers(4, 14)),
                                             draw(st.integers(4, 14))],
                               "conv_param": draw(conv), "hidden_size": draw(size), "output_size": draw(size)}
    return DeepConvNet, {"input_dim": [draw(st.integers(1, 2)), draw(st.integers(8, 30)), draw(st.integers(8, 30))],
                         **{f"conv_param_{i}": draw(conv) for i in range(1, 7)},
                         "hidden_size": draw(size), "output_size": draw(size)}


@settings(max_examples=300, deadline=None)
@given(configs())
def test_parameter_shapes_are_the_built_networks_shapes(made):
    cls, cfg = made
    try:
        net = cls(**cfg, rng=0)
    except ValueError as exc:  # a window that does not fit: the arithmetic says the same
        with pytest.raises(ValueError) as info:
            cls.parameter_shapes(cfg)
        assert str(info.value) == str(exc)
        return
    assert cls.parameter_shapes(cfg) == _built_shapes(net)
    assert cls.parameter_shapes(net.config) == _built_shapes(net)


# -- the headers are checked against the shapes before any array is read -------------------

def test_an_array_header_disagreeing_with_the_architecture_is_refused_before_reading(tmp_path):
    net = SimpleConvNet(input_dim=(1, 8, 8), conv_param=SMALL_CONV, hidden_size=4, output_size=3,
                        dtype=np.float32, rng=0)
    good = save(net, tmp_path / "good.npz")
    members = {k: _npy(np.asarray(v)) for k, v in net.params.items()}
    members["W2"] = _npy((10**12,))  # a header alone: 4 TB of float32 declared
    path = _write(tmp_path / "bomb.npz", read_metadata(good), members)
    message, peak = _refused(lambda: load(path))
    assert message.startswith(f"{path}: array 'W2' declares shape (1000000000000,)") and peak < 5e6
    members["W2"] = _npy(np.zeros((5, 4), dtype=np.float32))  # small, but not the architecture's (27, 4)
    path = _write(tmp_path / "wrong.npz", read_metadata(good), members)
    assert _refused(lambda: load(path))[0] == (f"{path}: parameter 'W2' has shape (5, 4) but the SimpleConvNet "
                                               "needs (27, 4)")


def test_load_params_reads_through_the_one_reader(tmp_path):
    net = SimpleConvNet(input_dim=(1, 8, 8), conv_param=SMALL_CONV, hidden_size=4, output_size=3, rng=0)
    members = {k: _npy(np.asarray(v)) for k, v in net.params.items()}
    members["W2"] = _npy((10**12,), "<f8")
    path = tmp_path / "bomb.npz"
    with zipfile.ZipFile(path, "w") as zf:  # a plain .npz of arrays named like params, no metadata
        for name, data in members.items():
            zf.writestr(f"{name}.npy", data)
    message, peak = _refused(lambda: net.load_params(path))
    assert message.startswith(f"{path}: array 'W2' declares shape (1000000000000,)") and peak < 5e6
    with pytest.raises(ModelFileError, match=r"declares shape \(1000000000000,\)"):
        SimpleConvNet().load_params(path)
    saved = save(net, tmp_path / "m.npz")
    meta = read_metadata(saved)
    members["W2"] = _npy(np.asarray(net.params["W2"]))
    meta["format_version"] = 99  # the reader's format checks apply to load_params too
    with pytest.raises(ModelFileError, match="written by a newer chainrule"):
        net.load_params(_write(tmp_path / "new.npz", meta, members))
