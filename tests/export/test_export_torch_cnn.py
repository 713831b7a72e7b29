"""The three traps between the book's layers and ONNX / PyTorch, and PyTorch's own CNNs brought into chainrule.

The traps: ONNX Runtime's CPU build has no float64 ``Conv``; the book's Pooling pads
with zeros where ``MaxPool`` pads with -inf; the book's BatchNormalization after a
convolution normalizes each of the ``C*H*W`` values (``eps = 1e-6``) where
``BatchNorm2d`` normalizes per channel. Each test shows the trap is real on its data
and that the exits compute what chainrule computes. Then ``from_torch`` of PyTorch
``nn.Sequential`` CNNs: one trained in PyTorch scores in chainrule what it scored in
PyTorch; what chainrule cannot compute is refused in one line.
"""

import os

import numpy as np
import pytest

from chainrule import (
    Affine,
    BatchNormalization,
    Convolution,
    Dropout,
    MultiLayerNetExtend,
    Pooling,
    Relu,
    Sigmoid,
    SimpleConvNet,
    load,
    save,
)
from chainrule.networks_extend import ModeSequential
from tests.export.helpers import (
    DTYPES,
    assert_agree,
    chainrule_outputs,
    needs,
    one_torch_thread,
    onnx_runtime_outputs,
    reference_outputs,
    torch_outputs,
)

# -- the traps ---------------------------------------------------------------------------------

def test_onnx_runtime_has_no_float64_conv_so_the_float64_graph_slices_windows(tmp_path):
    """The trap: a plain float64 ``Conv`` does not run in ONNX Runtime's CPU build; the exported graph does."""
    needs("onnx", "chainrule[onnx]")
    ort = needs("onnxruntime", "chainrule[onnx]")
    from onnx import TensorProto, helper, numpy_helper

    from chainrule.export import to_onnx

    rng = np.random.default_rng(0)
    W, b = rng.normal(size=(3, 2, 3, 3)), rng.normal(size=3)
    plain = helper.make_model(helper.make_graph(
        [helper.make_node("Conv", ["x", "W", "b"], ["y"], pads=[1, 1, 1, 1], strides=[2, 2])], "conv",
        [helper.make_tensor_value_info("x", TensorProto.DOUBLE, ["N", 2, 7, 7])],
        [helper.make_tensor_value_info("y", TensorProto.DOUBLE, None)],
        initializer=[numpy_helper.from_array(W, "W"), numpy_helper.from_array(b, "b")]),
        opset_imports=[helper.make_opsetid("", 17)])
    plain.ir_version = 8
    with pytest.raises(Exception, match="NOT_IMPLEMENTED"):
        ort.InferenceSession(plain.SerializeToString(), providers=["CPUExecutionProvider"])
    net = ModeSequential([Convolution(W, b, 2, 1), Relu(), Affine(rng.normal(size=(3 * 4 * 4, 4)), rng.normal(size=4))])
    x = rng.normal(size=(5, 2, 7, 7))
    to_onnx(net, tmp_path / "m.onnx", input_shape=(2, 7, 7))
    assert_agree(onnx_runtime_outputs(tmp_path / "m.onnx", x), chainrule_outputs(net, x), np.float64, "float64 Conv")


def _pad_trap(dtype):
    """Pooling with pad over negative values (a convolution with a negative bias, no activation between)."""
    rng = np.random.default_rng(0)
    conv = Convolution(rng.normal(0, 0.1, (2, 1, 3, 3)).astype(dtype), np.array([-1.0, -2.0], dtype=dtype))
    affine = Affine(rng.normal(size=(2 * 3 * 3, 4)).astype(dtype), rng.normal(size=4).astype(dtype))
    return ModeSequential([conv, Pooling(2, 2, stride=2, pad=1), affine]), rng.random((6, 1, 6, 6)).astype(dtype)


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_pooling_pads_with_zeros_as_the_book_does_not_with_minus_infinity(dtype, tmp_path):
    torch = needs("torch", "pip install torch")
    needs("onnx", "chainrule[onnx]")
    from chainrule.export import from_torch, to_onnx, to_torch

    net, x = _pad_trap(dtype)
    ours = chainrule_outputs(net, x)
    module = to_torch(net, input_shape=(1, 6, 6))
    assert [type(m).__name__ for m in module] == ["Conv2d", "ZeroPad2d", "MaxPool2d", "Flatten", "Linear"]
    assert_agree(torch_outputs(module, x), ours, dtype, "PyTorch")
    to_onnx(net, tmp_path / "m.onnx", input_shape=(1, 6, 6))
    assert_agree(onnx_runtime_outputs(tmp_path / "m.onnx", x), ours, dtype, "ONNX Runtime")
    assert_agree(reference_outputs(tmp_path / "m.onnx", x), ours, dtype, "onnx.reference")
    # the trap is real here: MaxPool2d's own padding (-inf) gives other numbers, so from_torch refuses it
    naive = torch.nn.Sequential(module[0], torch.nn.MaxPool2d(2, 2, padding=1), *module[3:])
    assert np.max(np.abs(torch_outputs(naive, x)[0] - ours[0])) > 0.01
    from chainrule.export import ExportError

    with pytest.raises(ExportError) as exc:
        from_torch(naive)
    assert str(exc.value) == (
        "layer 1 (MaxPool2d) pads with -inf (padding=1); chainrule's Pooling pads with zeros, which differs once a "
        "padded window holds only negative values: put nn.ZeroPad2d before a MaxPool2d without padding if zeros "
        "are what you mean")


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_batch_normalization_after_a_convolution_normalizes_each_value_with_eps_1e_6(dtype, tmp_path):
    """The book's layer has one mean and variance per C*H*W value (some variances 0, as at an image's border)."""
    torch = needs("torch", "pip install torch")
    needs("onnx", "chainrule[onnx]")
    from chainrule.export import ExportError, from_torch, to_onnx, to_torch

    rng = np.random.default_rng(1)
    var = rng.uniform(0, 2, 2 * 4 * 4)
    var[:5] = 0  # where every training image had the same value: the eps decides
    bn = BatchNormalization(rng.uniform(0.5, 2, 32).astype(dtype), rng.normal(size=32).astype(dtype),
                            running_mean=rng.normal(size=32), running_var=var)
    conv = Convolution(rng.normal(size=(2, 1, 3, 3)).astype(dtype), rng.normal(size=2).astype(dtype))
    net = ModeSequential([conv, bn, Sigmoid(), Affine(rng.normal(size=(32, 3)).astype(dtype),
                                                      rng.normal(size=3).astype(dtype))])
    x = rng.random((8, 1, 6, 6)).astype(dtype)
    ours = chainrule_outputs(net, x)
    module = to_torch(net, input_shape=(1, 6, 6))
    assert [type(m).__name__ for m in module] == ["Conv2d", "Flatten", "BatchNorm1d", "Unflatten", "Sigmoid", "Flatten",
                                                  "Linear"]
    assert module[2].eps == 1e-6 and module[2].num_features == 32
    assert_agree(torch_outputs(module, x), ours, dtype, "PyTorch")
    to_onnx(net, tmp_path / "m.onnx", input_shape=(1, 6, 6))
    assert_agree(onnx_runtime_outputs(tmp_path / "m.onnx", x), ours, dtype, "ONNX Runtime")
    assert_agree(reference_outputs(tmp_path / "m.onnx", x), ours, dtype, "onnx.reference")
    # PyTorch's BatchNorm2d (one mean and variance per channel) computes something else; from_torch refuses it
    per_channel = torch.nn.Sequential(module[0], torch.nn.BatchNorm2d(2, dtype=module[0].weight.dtype))
    with pytest.raises(ExportError) as exc:
        from_torch(per_channel.eval())
    assert str(exc.value) == (
        "layer 1 (BatchNorm2d) normalizes per channel; chainrule's BatchNormalization (the book's) normalizes each "
        "of the C*H*W values: use nn.Flatten(), nn.BatchNorm1d(C*H*W), nn.Unflatten(1, (C, H, W)) as to_torch "
        "writes it")


# -- PyTorch's own CNNs into chainrule ------------------------------------------------------------

@pytest.mark.mnist
def test_a_cnn_trained_in_pytorch_scores_in_chainrule_what_it_scored_in_pytorch(real_mnist):
    torch = needs("torch", "pip install torch")
    from chainrule.export import from_torch

    nn = torch.nn
    torch.manual_seed(0)
    module = nn.Sequential(nn.Conv2d(1, 6, 5), nn.ReLU(), nn.MaxPool2d(2),
                           nn.Conv2d(6, 12, 3), nn.ReLU(), nn.ZeroPad2d(1), nn.MaxPool2d(2),
                           nn.Flatten(), nn.Linear(12 * 6 * 6, 48), nn.BatchNorm1d(48), nn.ReLU(), nn.Dropout(0.25),
                           nn.Linear(48, 10))
    x_train = torch.from_numpy(real_mnist.x_train[:20000, None].astype(np.float32) / 255)
    t_train = torch.from_numpy(real_mnist.t_train[:20000].astype(np.int64))
    optimizer = torch.optim.Adam(module.parameters(), lr=0.003)
    generator = torch.Generator().manual_seed(0)
    module.train()
    with one_torch_thread(torch):
        for _ in range(300):
            i = torch.randint(0, len(x_train), (50,), generator=generator)
            optimizer.zero_grad()
            nn.functional.cross_entropy(module(x_train[i]), t_train[i]).backward()
            optimizer.step()
    module.eval()
    x = real_mnist.x_test[:, None].astype(np.float32) / np.float32(255)
    theirs = torch_outputs(module, x)
    torch_accuracy = np.count_nonzero(theirs[1] == real_mnist.t_test) / 10000
    assert torch_accuracy > 0.95

    net = from_torch(module, input_shape=(1, 28, 28))
    assert [type(layer).__name__ for layer in net.layers.values()] == [
        "Convolution", "Relu", "Pooling", "Convolution", "Relu", "Pooling", "Affine", "BatchNormalization", "Relu",
        "Affine"]  # PyTorch's Dropout is the identity at test time: left out
    assert net.layers["Pool2"].pad == 1 and net.layers["BatchNorm1"].momentum == 0.9
    assert net.accuracy(x, real_mnist.t_test, batch_size=1000) == torch_accuracy
    assert_agree(theirs, chainrule_outputs(net, x), np.float32, "PyTorch's CNN in chainrule")


def test_a_pytorch_module_shaped_like_the_books_comes_back_as_that_class_and_saves(tmp_path):
    torch = needs("torch", "pip install torch")
    from chainrule.export import from_torch

    nn = torch.nn
    torch.manual_seed(0)
    module = nn.Sequential(nn.Conv2d(1, 6, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(6 * 12 * 12, 20),
                           nn.ReLU(), nn.Linear(20, 10), nn.Softmax(dim=1)).double().eval()
    x = np.random.default_rng(0).random((5, 1, 28, 28))
    generic = from_torch(module)  # without the input's size, a chain of the same layers
    assert type(generic) is ModeSequential
    net = from_torch(module, input_shape=(1, 28, 28))
    assert type(net) is SimpleConvNet and net.dtype == np.float64
    assert net.config["conv_param"] == {"filter_num": 6, "filter_size": 5, "pad": 0, "stride": 1}
    assert (net.config["hidden_size"], net.config["output_size"]) == (20, 10)
    with torch.no_grad():
        want = module(torch.from_numpy(x)).numpy()
    for chain in (net, generic, load(save(net, tmp_path / "m.npz"))):
        np.testing.assert_allclose(chainrule_outputs(chain, x)[0], want, rtol=0, atol=1e-12)


def test_batchnorm1d_with_pytorchs_eps_is_read_into_the_books_eps():
    torch = needs("torch", "pip install torch")
    from chainrule.export import from_torch

    nn = torch.nn
    torch.manual_seed(0)
    bn = nn.BatchNorm1d(6, eps=1e-3, momentum=0.25, dtype=torch.float64)
    with torch.no_grad():
        bn.running_mean.normal_()
        bn.running_var.uniform_(0, 2)
        bn.running_var[0] = 0
        bn.weight.uniform_(0.5, 2)
        bn.bias.normal_()
    module = nn.Sequential(nn.Linear(4, 6, dtype=torch.float64), bn, nn.Sigmoid(),
                           nn.Linear(6, 3, dtype=torch.float64)).eval()
    net = from_torch(module)
    layer = net.layers["BatchNorm1"]
    assert layer.momentum == 0.75  # PyTorch's momentum weighs the batch; the book's the running value
    np.testing.assert_array_equal(layer.running_var, bn.running_var.numpy() + (1e-3 - 1e-6))
    x = np.random.default_rng(0).normal(size=(50, 4))
    with torch.no_grad():
        want = torch.softmax(module(torch.from_numpy(x)), dim=1).numpy()
    np.testing.assert_allclose(chainrule_outputs(net, x)[0], want, rtol=0, atol=1e-12)


def test_dropout_goes_out_as_pytorchs_dropout_and_an_explicit_scale():
    torch = needs("torch", "pip install torch")
    import chainrule.export
    from chainrule.export import from_torch, to_torch

    net = MultiLayerNetExtend(6, [5], 3, use_dropout=True, dropout_ration=0.3, dtype=np.float32, rng=0)
    net.params["b1"] = np.ones(5, np.float32)
    module = to_torch(net)
    assert [type(m).__name__ for m in module] == ["Linear", "ReLU", "Dropout", "Scale", "Linear"]
    assert isinstance(module[3], chainrule.export.Scale) and module[3].factor.dtype == torch.float32
    assert module[3].factor.item() == np.float32(0.7) and "factor=0.7" in repr(module)
    x = np.random.default_rng(0).random((4, 6)).astype(np.float32)
    with torch.no_grad():  # test mode: x * (1 - ratio), the book's way
        np.testing.assert_array_equal(module[3](module[2](torch.from_numpy(x))).numpy(), x * np.float32(0.7))
    module.train()  # training: PyTorch's 1 / (1 - p) undone, so the kept values pass unscaled, as in the book
    torch.manual_seed(0)
    y = module[3](module[2](torch.from_numpy(x))).numpy()
    kept = y != 0
    assert 0 < kept.mean() < 1
    np.testing.assert_allclose(y[kept], x[kept], rtol=1e-6)
    module.eval()
    bad = torch.nn.Sequential(*module[:3], chainrule.export.Scale(0.5), module[4])
    from chainrule.export import ExportError

    with pytest.raises(ExportError, match=r"^layer 2 \(Dropout\) with p=0.3 is followed by Scale\(0.5\); the book's "
                                          r"Dropout is Dropout\(p\) then Scale\(1 - p\) = Scale\(0.7\)$"):
        from_torch(bad)
    assert from_torch(module).layers["Dropout1"].dropout_ratio == 0.3


def test_from_torch_refuses_what_chainrule_cannot_compute_in_one_line():
    torch = needs("torch", "pip install torch")
    from chainrule.export import ExportError, from_torch

    nn = torch.nn
    conv = "; chainrule's Convolution has one stride and one zero padding for both axes, no dilation, no groups"
    cases = [
        (nn.Sequential(nn.Conv2d(2, 4, 3, groups=2), nn.Flatten(), nn.Linear(4, 2)),
         "layer 0 (Conv2d) has groups=2" + conv),
        (nn.Sequential(nn.Conv2d(1, 4, 3, dilation=2, stride=(1, 2)), nn.Flatten(), nn.Linear(4, 2)),
         "layer 0 (Conv2d) has dilation=(2, 2), stride=(1, 2)" + conv),
        (nn.Sequential(nn.Conv2d(1, 4, 3, padding=(1, 0)), nn.Flatten(), nn.Linear(4, 2)),
         "layer 0 (Conv2d) has padding=(1, 0)" + conv),
        (nn.Sequential(nn.Conv2d(1, 4, 3, padding=1, padding_mode="reflect"), nn.Flatten(), nn.Linear(4, 2)),
         "layer 0 (Conv2d) has padding_mode='reflect'" + conv),
        (nn.Sequential(nn.Conv2d(1, 4, 3), nn.MaxPool2d(2, ceil_mode=True), nn.Flatten(), nn.Linear(4, 2)),
         "layer 1 (MaxPool2d): chainrule's Pooling has one stride for both axes, no dilation, no ceil_mode, no "
         "return_indices"),
        (nn.Sequential(nn.Conv2d(1, 4, 3), nn.ZeroPad2d((1, 0, 1, 0)), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(4, 2)),
         "layer 1 (ZeroPad2d): chainrule pads with zeros inside its layers; a ZeroPad2d must pad all four sides alike "
         "and come right before a MaxPool2d (the book's Pooling pad)"),
        (nn.Sequential(nn.Linear(4, 8), nn.Unflatten(1, (2, 2, 2)), nn.Conv2d(2, 1, 1), nn.Flatten(), nn.Linear(4, 2)),
         "layer 1 (Unflatten): chainrule goes back to images only to undo the Flatten before a BatchNorm1d (Flatten, "
         "BatchNorm1d, ..., Unflatten(1, (C, H, W)))"),
        (nn.Sequential(nn.Linear(4, 3), nn.BatchNorm1d(3, track_running_stats=False), nn.Linear(3, 2)),
         "layer 1 (BatchNorm1d) keeps no running statistics (track_running_stats=False), so it normalizes with each "
         "batch's own even at test time: chainrule cannot hold that"),
        (nn.Sequential(nn.Linear(4, 3), nn.Flatten(start_dim=0), nn.Linear(3, 2)),
         "layer 1 (Flatten) flattens dims 0 to -1; chainrule's layers flatten each sample whole (start_dim=1, "
         "end_dim=-1)"),
        (nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU()),
         "the module ends in images (N, C, H, W); a chainrule network ends in scores (N, classes)"),
    ]
    for module, message in cases:
        with pytest.raises(ExportError) as exc:
            from_torch(module)
        assert str(exc.value) == message
    small = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 26 * 26, 2))
    with pytest.raises(ExportError, match=r"^layer 'Affine1' \(Affine\) takes 2704 inputs but gets 4x24x24 = 2304 "
                                          r"per sample$"):
        from_torch(small, input_shape=(1, 26, 26))
    assert type(from_torch(small, input_shape=(1, 28, 28))) is ModeSequential


def test_networks_the_plan_refuses_are_one_line(tmp_path):
    needs("onnx", "chainrule[onnx]")
    from chainrule.export import ExportError, to_onnx

    rng = np.random.default_rng(0)
    conv = Convolution(rng.normal(size=(2, 1, 3, 3)), rng.normal(size=2))
    affine = Affine(rng.normal(size=(2 * 4 * 4, 3)), rng.normal(size=3))
    cases = [
        (ModeSequential([conv, Relu(), affine]), {},
         "the ModeSequential's layers do not say the size of its input: give input_shape=(C, H, W) (images) or (D,)"),
        (ModeSequential([conv, Relu(), affine]), {"input_shape": (1, 5, 5)},
         "layer 'Affine3' (Affine) takes 32 inputs but gets 2x3x3 = 18 per sample"),
        (ModeSequential([conv, Relu(), affine]), {"input_shape": (3, 6, 6)},
         "layer 'Convolution1' (Convolution) has filters for 1 channels but gets 3 (3x6x6)"),
        (ModeSequential([conv, Relu(), affine]), {"input_shape": (36,)},
         "layer 'Convolution1' (Convolution) needs images (C, H, W) but gets 36 values per sample"),
        (ModeSequential([conv, Relu(), affine]), {"input_shape": (1, 2, 2)},
         "layer 'Convolution1' (Convolution): a 3x3 window does not fit in a 2x2 input padded by 0 (2x2)"),
        (ModeSequential([conv, Relu(), Pooling(2, 2)]), {"input_shape": (1, 6, 6)},
         "the network gives images (2x2x2 = 8 values per sample); the exits need scores (N, classes) at the end (an "
         "Affine layer)"),
        (ModeSequential([conv, Relu(), affine]), {"input_shape": (1, 6, 0)},
         "input_shape must be (D,) or (C, H, W) of positive integers; got (1, 6, 0)"),
        (ModeSequential([Convolution(np.ones((2, 1, 3, 3), np.float32), np.ones(2, np.float32)), affine]),
         {"input_shape": (1, 6, 6)},
         "layer 'Affine2' holds W in float64, the first layer computes in float32: use one dtype"),
    ]
    for net, kwargs, message in cases:
        with pytest.raises(ExportError) as exc:
            to_onnx(net, tmp_path / "m.onnx", **kwargs)
        assert str(exc.value) == message
    assert os.listdir(tmp_path) == []


# -- the files of a convolutional network, edited: refused before anything is built -------------------

def _cnn_files(tmp_path):
    """save_torch of a small CNN with every kind of layer: Conv2d, BatchNorm1d between Flatten and Unflatten,
    ZeroPad2d + MaxPool2d, Dropout + Scale, Linear."""
    needs("torch", "pip install torch")
    from chainrule.export import save_torch

    net, _ = _pad_trap(np.float32)
    rng = np.random.default_rng(2)
    bn = BatchNormalization(np.ones(2 * 4 * 4, np.float32), np.zeros(2 * 4 * 4, np.float32),
                            running_var=rng.uniform(0.5, 1, 32))
    layers = list(net.layers.values())
    net = ModeSequential([layers[0], bn, Relu(), layers[1], Dropout(0.25), layers[2]])
    return save_torch(net, tmp_path / "cnn.pt", input_shape=(1, 6, 6))


@pytest.mark.parametrize("layer, values, says", [
    (0, {"in_channels": 10**6}, "layer 0 (Conv2d) 'in_channels' must be an integer from 1 to 4096, got 1000000"),
    (0, {"kernel_size": [3, -1]}, "layer 0 (Conv2d) 'kernel_size' must be an integer from 1 to 4096, got -1"),
    (0, {"padding": 5000}, "layer 0 (Conv2d) 'padding' must be an integer from 0 to 4096, got 5000"),
    (2, {"num_features": "32"}, "layer 2 (BatchNorm1d) 'num_features' must be an integer from 1 to 1000000"),
    (3, {"sizes": [2, 4, 10**5]}, "layer 3 (Unflatten) 'sizes' must be an integer from 1 to 4096, got 100000"),
    (5, {"padding": True}, "layer 5 (ZeroPad2d) 'padding' must be an integer from 0 to 4096, got True"),
    (6, {"stride": 0}, "layer 6 (MaxPool2d) 'stride' must be an integer from 1 to 4096, got 0"),
    (2, {"eps": "1e-6"}, "damaged layer list: ValueError(\"eps must be a number from 0 to below 1, not '1e-6'\")"),
    (7, {"p": 1}, "has a damaged layer list: ValueError('p must be a number from 0 to below 1, not 1')"),
    (8, {"type": "Scale2"}, "layer 8: unknown layer type 'Scale2'"),
    (0, {"in_channels": 4096, "out_channels": 4096, "kernel_size": [3000, 3000]},
     f"the layers have {4096 * 4096 * 3000 * 3000 + 4096 + 32 * 4 + 1 + 1 + 18 * 4 + 4} parameters, more than the "
     "limit of 50000000"),  # the filters and bias, BatchNorm1d's four arrays and count, Scale, Linear
])
def test_an_edited_cnn_architecture_is_one_error_before_anything_is_built(tmp_path, layer, values, says):
    import json

    from chainrule.export import ExportError, load_torch

    pt, js = _cnn_files(tmp_path)
    arch = json.loads(js.read_text())
    assert [entry["type"] for entry in arch["layers"]] == [
        "Conv2d", "Flatten", "BatchNorm1d", "Unflatten", "ReLU", "ZeroPad2d", "MaxPool2d", "Dropout", "Scale",
        "Flatten", "Linear"]
    arch["layers"][layer].update(values)
    (tmp_path / "bad.json").write_text(json.dumps(arch))
    (tmp_path / "bad.pt").write_bytes(pt.read_bytes())
    with pytest.raises(ExportError) as exc:
        load_torch(tmp_path / "bad.pt")
    message = str(exc.value)
    assert message.startswith(str(tmp_path / "bad.json")) and says in message and "\n" not in message, message
