"""The exits for chapters 6-8: convolutional and batch-normalized networks to ONNX and PyTorch, and back.

A SimpleConvNet, a DeepConvNet and a MultiLayerNetExtend with Batch Normalization and
Dropout are trained briefly on the real MNIST (float32), then exported in float32 and
in float64 (``astype``); ONNX Runtime, ONNX's reference evaluator and PyTorch must give
chainrule's probabilities on all 10,000 test images (1e-5 in float32, 1e-10 in float64)
and exactly its labels (the reference evaluator, plain NumPy, on the first 2,000 for
DeepConvNet). So must 12 random networks of these layers. A PyTorch round
trip gives the same arrays, bit for bit. (The traps and PyTorch's own CNNs:
``test_export_torch_cnn.py``.) Skipped without onnx/onnxruntime or torch.
"""

import json
import os
import pickle

import numpy as np
import pytest

from chainrule import (
    Adam,
    Affine,
    BatchNormalization,
    Convolution,
    DeepConvNet,
    Dropout,
    MultiLayerNetExtend,
    Pooling,
    Relu,
    Sigmoid,
    SimpleConvNet,
    cli,
    save,
)
from chainrule.im2col import check_window
from chainrule.networks_extend import ModeSequential
from tests.export.helpers import (
    DTYPES,
    TOL,
    assert_agree,
    chainrule_outputs,
    needs,
    onnx_runtime_outputs,
    reference_outputs,
    torch_outputs,
)

NETS = ["SimpleConvNet", "DeepConvNet", "MultiLayerNetExtend"]


def _train(net, x, t, iters, batch, seed):
    """Adam (lr 0.001) on ``iters`` random minibatches of the real MNIST: a brief, real training."""
    rng, optimizer = np.random.default_rng(seed), Adam(lr=0.001)
    with net.fast_training():
        for _ in range(iters):
            i = rng.choice(len(x), batch, replace=False)
            optimizer.update(net.params, net.gradient(x[i].astype(net.dtype) / net.dtype.type(255), t[i]))
    return net


@pytest.fixture(scope="session")
def trained(real_mnist):
    """The three networks, trained for a few hundred steps (seconds; DeepConvNet is 0.1 s a step)."""
    x, t = real_mnist.x_train[:20000, None], real_mnist.t_train[:20000]
    extend = MultiLayerNetExtend(784, [100, 100, 100], 10, use_dropout=True, dropout_ration=0.2,
                                 use_batchnorm=True, dtype=np.float32, rng=0)
    return {
        "SimpleConvNet": _train(SimpleConvNet(dtype=np.float32, rng=0), x, t, 150, 100, seed=1),
        "DeepConvNet": _train(DeepConvNet(dtype=np.float32, rng=0), x, t, 100, 50, seed=2),
        "MultiLayerNetExtend": _train(extend, x.reshape(len(x), -1), t, 300, 100, seed=3),
    }


class _Case:
    """A trained network in one dtype, the 10,000 test images in that dtype, and chainrule's outputs on them
    (computed when first asked for, then kept)."""

    def __init__(self, net, x):
        self.net, self.x, self._ours = net, x, None

    @property
    def ours(self):
        if self._ours is None:
            self._ours = chainrule_outputs(self.net, self.x)
        return self._ours


@pytest.fixture(scope="session")
def case(trained, real_mnist):
    """``case(name, dtype)``: the :class:`_Case` of that network in that dtype (one per session)."""
    kept = {}

    def get(name, dtype):
        if (name, dtype) not in kept:
            x = real_mnist.x_test[:, None].astype(dtype) / np.dtype(dtype).type(255)
            kept[name, dtype] = _Case(trained[name].astype(dtype), x.reshape(len(x), -1) if name == NETS[2] else x)
        return kept[name, dtype]

    return get


@pytest.mark.mnist
def test_the_networks_are_trained_and_hold_every_kind_of_layer(trained, case, real_mnist):
    accuracy = {name: np.mean(case(name, np.float32).ours[1] == real_mnist.t_test) for name in NETS}
    assert accuracy["SimpleConvNet"] > 0.9 and accuracy["MultiLayerNetExtend"] > 0.9
    assert accuracy["DeepConvNet"] > 0.6  # 100 steps of the deep net: far from the book's 99%, but learning
    kinds = {name: {type(layer).__name__ for layer in net.layers.values()} for name, net in trained.items()}
    assert {"Convolution", "Pooling", "Affine"} <= kinds["SimpleConvNet"]
    assert {"Convolution", "Pooling", "Affine", "Dropout"} <= kinds["DeepConvNet"]
    assert {"BatchNormalization", "Dropout", "Affine"} <= kinds["MultiLayerNetExtend"]
    assert np.all(trained["MultiLayerNetExtend"].state["running_var1"] > 0)  # the running statistics were kept


#: Images the reference evaluator runs, where not all: it computes with plain NumPy, as slowly as chainrule's
#: readable path (DeepConvNet: 20 to 60 s per 10,000 images), and ONNX Runtime and PyTorch run all of them.
REFERENCE_IMAGES = {"DeepConvNet": 2000}
ENGINES = ["ONNX Runtime", "onnx.reference", "PyTorch"]


def engine_outputs(engine, net, x, tmp_path, **export):
    """``(probabilities, labels)`` of ``net`` exported to ``engine`` and run there on ``x``."""
    needs("torch" if engine == "PyTorch" else "onnx", "the engine's extra")
    from chainrule.export import to_onnx, to_torch

    if engine == "PyTorch":
        return torch_outputs(to_torch(net, **export), x)
    to_onnx(net, tmp_path / "m.onnx", force=True, **export)  # one file, replaced by each export of a test
    return (onnx_runtime_outputs if engine == "ONNX Runtime" else reference_outputs)(tmp_path / "m.onnx", x)


@pytest.mark.mnist
@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("name", NETS)
@pytest.mark.parametrize("engine", ENGINES)
def test_every_engine_agrees_on_the_test_images(engine, name, dtype, case, tmp_path):
    c = case(name, dtype)
    n = REFERENCE_IMAGES.get(name, len(c.x)) if engine == "onnx.reference" else len(c.x)
    ours = tuple(a[:n] for a in c.ours)
    assert_agree(engine_outputs(engine, c.net, c.x[:n], tmp_path), ours, dtype, f"{engine}, {name}")


@pytest.mark.mnist
def test_the_vectorized_maxpool_is_the_references_own(case, tmp_path):
    """The reference evaluator's own MaxPool (Python loops) and the tests' NumPy one give the same bits."""
    needs("onnx", "chainrule[onnx]")
    from chainrule.export import to_onnx

    for name in ("SimpleConvNet", "DeepConvNet"):
        for dtype in DTYPES:
            c = case(name, dtype)
            to_onnx(c.net, tmp_path / "m.onnx", force=True)
            x = c.x[:40]
            own = reference_outputs(tmp_path / "m.onnx", x, vectorized_maxpool=False)
            fast = reference_outputs(tmp_path / "m.onnx", x)
            np.testing.assert_array_equal(fast[0], own[0])
            np.testing.assert_array_equal(fast[1], own[1])


@pytest.mark.mnist
@pytest.mark.parametrize("name", NETS)
def test_a_pytorch_round_trip_is_bit_for_bit(name, case, tmp_path):
    torch = needs("torch", "pip install torch")
    from chainrule.export import from_torch, load_torch, save_torch, to_torch

    c = case(name, np.float32)
    net = c.net
    pt, _ = save_torch(net, tmp_path / "m.pt")
    assert all(isinstance(v, torch.Tensor) for v in torch.load(pt, weights_only=True).values())
    for back in (from_torch(to_torch(net)), from_torch(load_torch(pt))):
        assert type(back) is type(net) and back.config == net.config and back.dtype == net.dtype
        for mine, theirs in ((net.params, back.params), (net.state, back.state)):
            assert list(theirs) == list(mine)
            for k in mine:
                assert theirs[k].dtype == mine[k].dtype and theirs[k] is not mine[k]
                np.testing.assert_array_equal(theirs[k], mine[k], err_msg=k)
        for a, b in zip(net.layers.values(), back.layers.values(), strict=True):
            assert repr(a) == repr(b)
        np.testing.assert_array_equal(back.predict(c.x[:100]), net.predict(c.x[:100]))


# -- what the graphs are made of ------------------------------------------------------------

@pytest.mark.mnist
def test_onnx_graphs_conv_pool_batchnorm_dropout_flatten_and_a_free_batch(case, tmp_path):
    onnx = needs("onnx", "chainrule[onnx]")
    ort = needs("onnxruntime", "chainrule[onnx]")
    from chainrule.export import ONNX_OPSET, to_onnx

    def ops(name, dtype):
        path = tmp_path / f"{name}-{np.dtype(dtype).name}.onnx"
        proto = to_onnx(case(name, dtype).net, path, force=True)  # asked again for its nodes
        assert [o.version for o in proto.opset_import] == [ONNX_OPSET]
        onnx.checker.check_model(onnx.load(str(path)), full_check=True)
        dims = [d.dim_param or d.dim_value for d in proto.graph.input[0].type.tensor_type.shape.dim]
        return [n.op_type for n in proto.graph.node], dims, proto

    conv = ["Conv", "Relu"]
    assert ops("SimpleConvNet", np.float32)[:2] == (
        conv + ["MaxPool", "Flatten", "MatMul", "Add", "Relu", "MatMul", "Add", "Softmax", "ArgMax"], ["N", 1, 28, 28])
    deep, _, proto = ops("DeepConvNet", np.float32)
    assert deep == (conv * 2 + ["MaxPool"]) * 3 + ["Flatten", "MatMul", "Add", "Relu", "Mul", "MatMul", "Add", "Mul",
                                                   "Softmax", "ArgMax"]
    keep = {i.name: onnx.numpy_helper.to_array(i) for i in proto.graph.initializer if i.name.endswith(".keep")}
    assert keep == {"Dropout1.keep": np.float32(0.5), "Dropout2.keep": np.float32(0.5)}  # the book's test-time scaling
    pads = [a.ints for n in proto.graph.node if n.op_type == "Conv" for a in n.attribute if a.name == "pads"]
    assert pads == [[1, 1, 1, 1]] * 3 + [[2, 2, 2, 2]] + [[1, 1, 1, 1]] * 2  # DeepConvNet's conv_param pads
    extend = ["MatMul", "Add", "BatchNormalization", "Relu", "Mul"] * 3 + ["MatMul", "Add", "Softmax", "ArgMax"]
    assert ops("MultiLayerNetExtend", np.float32)[:2] == (extend, ["N", 784])
    nodes = ops("MultiLayerNetExtend", np.float32)[2].graph.node
    eps = [a.f for n in nodes for a in n.attribute if a.name == "epsilon"]
    assert eps == [np.float32(1e-6)] * 3  # the book's eps, as float32 adds it

    # float64: no Conv (ONNX Runtime's CPU build has no float64 kernel for it), the book's arithmetic for BN
    deep64 = ops("DeepConvNet", np.float64)[0]
    assert "Conv" not in deep64 and deep64.count("Slice") == 6 * 9 and deep64.count("MaxPool") == 3
    assert "BatchNormalization" not in ops("MultiLayerNetExtend", np.float64)[0]
    assert ops("MultiLayerNetExtend", np.float64)[0][2:6] == ["Sub", "Div", "Mul", "Add"]

    c = case("DeepConvNet", np.float32)  # any batch size, one image included
    session = ort.InferenceSession(str(tmp_path / "DeepConvNet-float32.onnx"), providers=["CPUExecutionProvider"])
    for n in (1, 3):
        probs, labels = session.run(None, {"image": c.x[:n]})
        assert probs.shape == (n, 10) and np.max(np.abs(probs - c.ours[0][:n])) <= TOL[np.dtype(np.float32)]
        np.testing.assert_array_equal(labels, c.ours[1][:n])


# -- random architectures ---------------------------------------------------------------------

def _random_network(seed, x_train):
    """A random chain of Convolution, BatchNormalization, Relu/Sigmoid, Pooling, Dropout and Affine layers for
    MNIST images, with non-zero biases and running statistics from a few training-mode passes."""
    rng = np.random.default_rng(seed)
    dtype = np.dtype(np.float64 if seed % 2 else np.float32)

    def weights(shape, fan_in):
        return (rng.normal(size=shape) * np.sqrt(2 / fan_in)).astype(dtype)

    def block(kinds, shape):
        """The layers named by ``kinds`` (bn, act, drop, pool) in order, sized for ``shape``; and the shape after."""
        out = []
        for kind in kinds:
            n = int(np.prod(shape))
            if kind == "bn":
                gamma, beta = rng.uniform(0.5, 1.5, n).astype(dtype), rng.normal(0, 0.1, n).astype(dtype)
                out.append(BatchNormalization(gamma, beta))
            elif kind == "act":
                out.append(Relu() if rng.random() < 0.6 else Sigmoid())
            elif kind == "drop":
                out.append(Dropout(float(rng.uniform(0.1, 0.6)), rng=seed))
            else:
                out.append(Pooling(*kind))
                shape = (shape[0], *check_window(shape[1], shape[2], *kind))
        return out, shape

    def extras():
        return (["bn"] if rng.random() < 0.4 else []) + ["act"] + (["drop"] if rng.random() < 0.3 else [])

    layers, shape = [], (1, 28, 28)
    for _ in range(int(rng.choice([0, 1, 1, 2, 2]))):
        C, H, W = shape
        fn, pad, stride = int(rng.integers(2, 7)), int(rng.integers(0, 3)), int(rng.integers(1, 3))
        k = min(int(rng.integers(1, 6)), H + 2 * pad)
        layers.append(Convolution(weights((fn, C, k, k), C * k * k), rng.normal(0, 0.1, fn).astype(dtype), stride,
                                  pad))
        shape = (fn, *check_window(H, W, k, k, stride, pad))
        kinds = extras()
        pool = (int(rng.integers(1, 4)), int(rng.integers(1, 4)), int(rng.integers(1, 3)), int(rng.integers(0, 2)))
        if rng.random() < 0.7 and min(shape[1:]) + 2 * pool[3] >= max(pool[:2]):
            kinds.insert(int(rng.integers(0, len(kinds) + 1)), pool)  # before the activation: negative values
        more, shape = block(kinds, shape)
        layers += more
    for _ in range(int(rng.integers(0, 3))):
        h = int(rng.integers(5, 40))
        layers.append(Affine(weights((int(np.prod(shape)), h), np.prod(shape)), rng.normal(0, 0.1, h).astype(dtype)))
        more, shape = block(extras(), (h,))
        layers += more
    layers.append(Affine(weights((int(np.prod(shape)), 10), np.prod(shape)), rng.normal(0, 0.1, 10).astype(dtype)))
    net = ModeSequential(layers)
    for i in range(3):  # the running statistics as training leaves them
        net.predict(x_train[100 * i:100 * (i + 1)].astype(dtype) / 255, train_flg=True)
    return net, dtype


@pytest.mark.mnist
@pytest.mark.parametrize("seed", range(12))
def test_random_architectures_agree_on_the_10000_test_images(seed, real_mnist, tmp_path):
    needs("onnx", "chainrule[onnx]")
    needs("torch", "pip install torch")
    from chainrule.export import from_torch, to_torch

    net, dtype = _random_network(seed, real_mnist.x_train[:300, None])
    x = real_mnist.x_test[:, None].astype(dtype) / dtype.type(255)
    ours = chainrule_outputs(net, x)
    for engine in ENGINES:
        assert_agree(engine_outputs(engine, net, x, tmp_path, input_shape=(1, 28, 28)), ours, dtype, f"{engine}, {net}")
    module = to_torch(net, input_shape=(1, 28, 28))
    back = from_torch(module)  # a ModeSequential, or the book's class when the layers are its (a lone Affine)
    assert [repr(a) for a in back.layers.values()] == [repr(a) for a in net.layers.values()]
    for k in net.params:
        np.testing.assert_array_equal(back.params[k], net.params[k])
    for k in net.state:
        np.testing.assert_array_equal(back.state[k], net.state[k])
    np.testing.assert_array_equal(back.predict(x[:300]), net.predict(x[:300]))


@pytest.mark.mnist
def test_the_random_architectures_cover_every_layer_and_the_traps(real_mnist):
    nets = [_random_network(seed, real_mnist.x_train[:300, None])[0] for seed in range(12)]
    layers = [layer for net in nets for layer in net.layers.values()]
    kinds = {type(layer).__name__ for layer in layers}
    assert kinds == {"Convolution", "Pooling", "BatchNormalization", "Dropout", "Affine", "Relu", "Sigmoid"}
    pairs = [(b, a) for net in nets for b, a in zip(list(net.layers.values()), list(net.layers.values())[1:],
                                                        strict=False)]
    assert any(isinstance(a, Pooling) and a.pad and not isinstance(b, (Relu, Sigmoid)) for b, a in pairs)  # < 0 padded
    assert any(isinstance(a, BatchNormalization) and isinstance(b, Convolution) for b, a in pairs)  # C*H*W features
    assert any(isinstance(layer, Convolution) and layer.stride > 1 and layer.pad > 0 for layer in layers)
    assert any(not any(isinstance(layer, Convolution) for layer in net.layers.values()) for net in nets)


# -- the book's own weights ------------------------------------------------------------------

BOOK_REPO = os.environ.get("CHAINRULE_BOOK_REPO")


def _exported_agree(net, x, tmp_path, what):
    """ONNX Runtime and PyTorch give ``net``'s outputs on ``x``; returns chainrule's labels."""
    ours = chainrule_outputs(net, x)
    for engine in ("ONNX Runtime", "PyTorch"):
        theirs = engine_outputs(engine, net, x, tmp_path, check_trained=False)
        assert_agree(theirs, ours, net.dtype, f"{engine}, {what}")
    return ours[1]


def test_weights_pickled_as_the_book_saves_them_go_out_the_same_way(tmp_path):
    """A ``params.pkl`` written as the book's ``save_params`` writes it (a pickled dict of float64 arrays), read
    by ``load_params`` (weights only), leaves like any network."""
    needs("onnx", "chainrule[onnx]")
    needs("onnxruntime", "chainrule[onnx]")
    needs("torch", "pip install torch")
    rng = np.random.default_rng(0)
    for cls in (SimpleConvNet, DeepConvNet):
        params = {k: rng.normal(0, 0.1, v.shape) for k, v in cls(rng=0).params.items()}
        with open(tmp_path / "params.pkl", "wb") as f:
            pickle.dump(params, f)
        net = cls()
        net.load_params(tmp_path / "params.pkl")
        _exported_agree(net, rng.random((20, 1, 28, 28)), tmp_path, cls.__name__)


@pytest.mark.mnist
@pytest.mark.skipif(not BOOK_REPO, reason="set CHAINRULE_BOOK_REPO to a copy of the book's repository")
@pytest.mark.parametrize("cls, name", [(SimpleConvNet, "ch07/params.pkl"),
                                       (DeepConvNet, "ch08/deep_convnet_params.pkl")])
def test_the_books_trained_convnets_go_out_and_score_the_same(cls, name, real_mnist, tmp_path):
    needs("onnx", "chainrule[onnx]")
    needs("onnxruntime", "chainrule[onnx]")
    needs("torch", "pip install torch")
    net = cls()
    net.load_params(os.path.join(BOOK_REPO, name))
    labels = _exported_agree(net, real_mnist.x_test[:, None] / 255.0, tmp_path, name)
    assert np.mean(labels == real_mnist.t_test) > 0.95  # trained by the book (the files score 0.96 and 0.98)


# -- the command -------------------------------------------------------------------------------

@pytest.mark.mnist
def test_export_command_writes_and_checks_a_convolutional_model(case, tmp_path, capsys):
    needs("onnx", "chainrule[onnx]")
    needs("onnxruntime", "chainrule[onnx]")
    torch = needs("torch", "pip install torch")
    net = case("SimpleConvNet", np.float32).net
    save(net, tmp_path / "cnn.npz", metadata={"kind": "mnist"})
    described = "SimpleConvNet 1x28x28 -> 10: 1 Convolution, 1 Pooling, 2 Affine (float32)"
    assert cli.main(["export", str(tmp_path / "cnn.npz"), "--to", "onnx", str(tmp_path / "cnn.onnx")]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == (f"wrote {tmp_path / 'cnn.onnx'}: {described} as ONNX (opset 17), input 'image' (N, 1, 28, 28) "
                      "float32, outputs 'probabilities' (N, 10) and 'label' (N,); onnx.checker passed")
    assert out[1].startswith("checked: ONNX Runtime ") and out[1].endswith("256/256 labels equal")
    assert cli.main(["export", str(tmp_path / "cnn.npz"), "--to", "torch", str(tmp_path / "cnn.pt")]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == (f"wrote {tmp_path / 'cnn.pt'} (state_dict) and {tmp_path / 'cnn.json'} (architecture): "
                      f"{described} as torch.nn.Sequential")
    assert out[1].endswith("256/256 labels equal")
    arch = json.loads((tmp_path / "cnn.json").read_text())
    assert arch["input_shape"] == [1, 28, 28] and arch["architecture"] == net.config
    assert [layer["type"] for layer in arch["layers"]] == ["Conv2d", "ReLU", "MaxPool2d", "Flatten", "Linear", "ReLU",
                                                           "Linear"]
    assert sorted(torch.load(tmp_path / "cnn.pt", weights_only=True)) == [
        "0.bias", "0.weight", "4.bias", "4.weight", "6.bias", "6.weight"]
