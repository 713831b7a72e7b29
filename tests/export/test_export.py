"""The exits: trained networks as ONNX graphs and PyTorch modules, and PyTorch MLPs back.

Three networks trained on the real MNIST (the book's TwoLayerNet in float32, a sigmoid
MultiLayerNet [100, 100] in float64, a 4-hidden-layer ReLU net) are exported; ONNX
Runtime, ONNX's reference evaluator and PyTorch must give chainrule's probabilities on
all 10,000 test images (1e-5 in float32, 1e-10 in float64) and exactly its labels.
Skipped without onnx/onnxruntime (``chainrule[onnx]``) or torch.
"""

import importlib.util
import json
import os
import re
import subprocess
import sys
from collections import OrderedDict
from types import SimpleNamespace

import numpy as np
import pytest

from chainrule import Affine, Layer, MultiLayerNet, Relu, Sequential, Sigmoid, Trainer, TwoLayerNet, cli, softmax
from chainrule.io import save
from tests.cli.helpers import one_line_error, run

TOL = {np.dtype(np.float32): 1e-5, np.dtype(np.float64): 1e-10}
NETS = ["two_layer_f32", "sigmoid_100_100_f64", "relu_4_hidden_f32"]


def needs(module, extra):
    return pytest.importorskip(module, reason=f"{module} is not installed ({extra})")


def _train(net, data, iters, optimizer, lr, seed):
    x_train = data.x_train.reshape(len(data.x_train), -1)
    x_test = data.x_test.reshape(len(data.x_test), -1)
    trainer = Trainer(net, x_train, data.t_train, x_test, data.t_test, iters=iters, mini_batch_size=100,
                      optimizer=optimizer, optimizer_param={"lr": lr}, verbose=False, progress=False, rng=seed)
    return trainer.train().final_test_acc


@pytest.fixture(scope="session")
def trained(real_mnist, tmp_path_factory):
    """The three networks, briefly trained (one epoch each), and their model files."""
    folder = tmp_path_factory.mktemp("export-models")
    nets = {
        "two_layer_f32": (TwoLayerNet(784, 50, 10, dtype=np.float32, rng=0), "sgd", 0.1),
        "sigmoid_100_100_f64": (MultiLayerNet(784, [100, 100], 10, activation="sigmoid", weight_init_std="xavier",
                                              dtype=np.float64, rng=1), "adam", 0.002),
        "relu_4_hidden_f32": (MultiLayerNet(784, [100, 100, 50, 50], 10, activation="relu", dtype=np.float32,
                                            rng=2), "adam", 0.001),
    }
    out = {}
    for name, (net, optimizer, lr) in nets.items():
        acc = _train(net, real_mnist, 600, optimizer, lr, seed=3)
        path = folder / f"{name}.npz"
        save(net, path, metadata={"kind": "mnist", "test_acc": acc, "input": "uint8 pixels / 255"})
        x = real_mnist.x_test.reshape(10000, -1).astype(net.dtype) * net.dtype.type(1 / 255)
        out[name] = SimpleNamespace(net=net, path=path, acc=acc, x=x, t_test=real_mnist.t_test,
                                    probs=softmax(net.predict(x)), labels=np.argmax(net.predict(x), axis=1))
    return out


@pytest.fixture(params=NETS)
def model(request, trained):
    return trained[request.param]


# -- the three trained networks ----------------------------------------------------------

@pytest.mark.mnist
def test_the_networks_are_real_models(trained):
    for name, m in trained.items():
        assert m.acc > 0.9, name  # one epoch: 0.90 (the book's net, SGD) to 0.96 (Adam)
        assert m.net.dtype == (np.float64 if "f64" in name else np.float32)
    assert [len(m.net.layers) for m in trained.values()] == [3, 5, 9]
    assert isinstance(trained["sigmoid_100_100_f64"].net.layers["Activation_function1"], Sigmoid)


@pytest.mark.mnist
def test_onnx_runtime_gives_chainrules_probabilities_and_labels(model, tmp_path):
    needs("onnx", "chainrule[onnx]")
    ort = needs("onnxruntime", "chainrule[onnx]")
    from chainrule.export import to_onnx

    to_onnx(model.path, tmp_path / "m.onnx")
    session = ort.InferenceSession(str(tmp_path / "m.onnx"), providers=["CPUExecutionProvider"])
    probs, labels = session.run(["probabilities", "label"], {"image": model.x})
    assert probs.shape == (10000, 10) and probs.dtype == model.net.dtype
    assert labels.shape == (10000,) and labels.dtype == np.int64
    assert np.max(np.abs(probs - model.probs)) <= TOL[model.net.dtype]
    np.testing.assert_array_equal(labels, model.labels)
    # run by ONNX Runtime alone, the graph scores the accuracy the model file records
    assert np.count_nonzero(labels == model.t_test) / 10000 == model.acc


@pytest.mark.mnist
def test_onnx_reference_evaluator_gives_chainrules_probabilities_and_labels(model, tmp_path):
    onnx = needs("onnx", "chainrule[onnx]")
    from onnx.reference import ReferenceEvaluator

    from chainrule.export import to_onnx

    proto = to_onnx(model.net, tmp_path / "m.onnx")
    probs, labels = ReferenceEvaluator(onnx.load(str(tmp_path / "m.onnx"))).run(None, {"image": model.x})
    assert np.max(np.abs(probs - model.probs)) <= TOL[model.net.dtype]
    np.testing.assert_array_equal(labels, model.labels)
    assert proto == onnx.load(str(tmp_path / "m.onnx"))


@pytest.mark.mnist
def test_pytorch_gives_chainrules_probabilities_and_labels(model):
    torch = needs("torch", "pip install torch")
    from chainrule.export import to_torch

    module = to_torch(model.net)
    linears = [m for m in module if isinstance(m, torch.nn.Linear)]
    assert len(linears) == len(model.net.params) // 2
    for k, linear in enumerate(linears, 1):  # PyTorch stores W transposed: (out, in)
        np.testing.assert_array_equal(linear.weight.detach().numpy(), model.net.params[f"W{k}"].T)
        np.testing.assert_array_equal(linear.bias.detach().numpy(), model.net.params[f"b{k}"])
    with torch.no_grad():
        scores = module(torch.from_numpy(model.x))
    probs = torch.softmax(scores, dim=1).numpy()
    assert probs.dtype == model.net.dtype
    assert np.max(np.abs(probs - model.probs)) <= TOL[model.net.dtype]
    np.testing.assert_array_equal(scores.argmax(dim=1).numpy(), model.labels)


@pytest.mark.mnist
def test_from_torch_of_to_torch_is_the_same_network_bit_for_bit(model):
    needs("torch", "pip install torch")
    from chainrule.export import from_torch, to_torch

    back = from_torch(to_torch(model.net))
    assert type(back) is type(model.net) and back.config == model.net.config and back.dtype == model.net.dtype
    assert list(back.params) == list(model.net.params)
    for k in model.net.params:
        assert back.params[k].dtype == model.net.params[k].dtype
        np.testing.assert_array_equal(back.params[k], model.net.params[k])
        assert back.params[k] is not model.net.params[k]
    np.testing.assert_array_equal(back.predict(model.x), model.net.predict(model.x))


@pytest.mark.mnist
def test_torch_files_are_a_state_dict_and_json_loaded_weights_only(model, tmp_path, monkeypatch):
    torch = needs("torch", "pip install torch")
    from chainrule.export import from_torch, load_torch, save_torch

    pt, js = save_torch(model.path, tmp_path / "m.pt")
    assert (pt, js) == (tmp_path / "m.pt", tmp_path / "m.json")
    arch = json.loads(js.read_text())
    assert arch["format"] == "chainrule-torch" and arch["dtype"] == model.net.dtype.name
    assert arch["architecture"] == model.net.config and arch["input_shape"] == [784]
    assert arch["metadata"]["test_acc"] == model.acc
    assert [layer["type"] for layer in arch["layers"]][:2] == ["Linear", "Sigmoid" if "sigmoid" in model.net.config.get(
        "activation", "") else "ReLU"]
    state = torch.load(pt, weights_only=True)  # plain tensors: loads without unpickling any object
    assert isinstance(state, dict) and all(isinstance(v, torch.Tensor) for v in state.values())
    assert sorted(state) == sorted(f"{i}.{w}" for i in range(0, len(model.net.layers), 2) for w in ("weight", "bias"))

    calls = []
    real_load = torch.load
    monkeypatch.setattr(torch, "load", lambda *a, **k: calls.append(k) or real_load(*a, **k))
    back = from_torch(load_torch(pt))
    # weights only, twice: on the meta device (shapes and dtypes, no data), checked, then for real
    assert calls == [{"map_location": "meta", "weights_only": True}, {"map_location": "cpu", "weights_only": True}]
    assert type(back) is type(model.net)
    for k in model.net.params:
        np.testing.assert_array_equal(back.params[k], model.net.params[k])


@pytest.mark.mnist
def test_onnx_graph_input_outputs_operators_and_metadata(trained, tmp_path):
    onnx = needs("onnx", "chainrule[onnx]")
    import chainrule
    from chainrule.export import ONNX_OPSET, to_onnx

    for name, m in trained.items():
        proto = to_onnx(m.path, tmp_path / f"{name}.onnx")
        onnx.checker.check_model(onnx.load(str(tmp_path / f"{name}.onnx")), full_check=True)
        g = proto.graph
        elem = onnx.TensorProto.FLOAT if m.net.dtype == np.float32 else onnx.TensorProto.DOUBLE

        def shape(v):
            return [d.dim_param or d.dim_value for d in v.type.tensor_type.shape.dim]

        assert [(v.name, v.type.tensor_type.elem_type, shape(v)) for v in g.input] == [("image", elem, ["N", 784])]
        assert [(v.name, v.type.tensor_type.elem_type, shape(v)) for v in g.output] == [
            ("probabilities", elem, ["N", 10]), ("label", onnx.TensorProto.INT64, ["N"])]
        activation = "Sigmoid" if "sigmoid" in name else "Relu"
        hidden = len(m.net.params) // 2 - 1
        assert [n.op_type for n in g.node] == ["MatMul", "Add", activation] * hidden + [
            "MatMul", "Add", "Softmax", "ArgMax"]
        assert [o.version for o in proto.opset_import] == [ONNX_OPSET]
        props = {p.key: p.value for p in proto.metadata_props}
        assert json.loads(props["architecture"]) == m.net.config
        assert props["dataset"] == "mnist" and float(props["accuracy"]) == m.acc
        assert props["chainrule_version"] == chainrule.__version__ == proto.producer_version
        assert props["dtype"] == m.net.dtype.name and props["input"] == "uint8 pixels / 255"


@pytest.mark.mnist
def test_export_command_writes_and_checks_onnx_and_torch(trained, tmp_path, capsys):
    needs("onnx", "chainrule[onnx]")
    needs("onnxruntime", "chainrule[onnx]")
    needs("torch", "pip install torch")
    m = trained["two_layer_f32"]
    code, out, err = run(capsys, "export", str(m.path), "--to", "onnx", str(tmp_path / "net.onnx"))
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == (f"wrote {tmp_path / 'net.onnx'}: TwoLayerNet 784-50-10 (float32) as ONNX (opset 17), "
                        "input 'image' (N, 784) float32, outputs 'probabilities' (N, 10) and 'label' (N,); "
                        "onnx.checker passed")
    assert lines[1].startswith("checked: ONNX Runtime ") and lines[1].endswith("256/256 labels equal")
    assert float(lines[1].split("within ")[1].split()[0]) <= 1e-5
    code, out, err = run(capsys, "export", str(m.path), "--to", "torch", str(tmp_path / "net.pt"))
    assert code == 0, err
    assert out.splitlines()[0] == (f"wrote {tmp_path / 'net.pt'} (state_dict) and {tmp_path / 'net.json'} "
                                   "(architecture): TwoLayerNet 784-50-10 (float32) as torch.nn.Sequential")
    assert "(weights_only=True) on 256 random inputs" in out and out.rstrip().endswith("256/256 labels equal")
    assert sorted(os.listdir(tmp_path)) == ["net.json", "net.onnx", "net.pt"]


@pytest.mark.parametrize("seed", range(12))
def test_any_depth_size_activation_and_dtype(seed, tmp_path):
    """Random architectures (0 to 5 hidden layers, relu or sigmoid, float32 or float64): every engine agrees."""
    rng = np.random.default_rng(seed)
    dtype = np.dtype(np.float32 if seed % 2 else np.float64)
    d, c = int(rng.integers(1, 40)), int(rng.integers(2, 12))
    hidden = [int(h) for h in rng.integers(1, 30, size=seed % 6)]
    activation = "sigmoid" if seed % 3 == 0 else "relu"
    net = _biased(MultiLayerNet(d, hidden, c, activation=activation, dtype=dtype, rng=rng), seed)
    x = rng.normal(0, 1, size=(int(rng.integers(1, 50)), d)).astype(dtype)
    probs, labels = softmax(net.predict(x)), np.argmax(net.predict(x), axis=1)
    engines = []
    if importlib.util.find_spec("onnx") and importlib.util.find_spec("onnxruntime"):
        import onnx
        import onnxruntime as ort
        from onnx.reference import ReferenceEvaluator

        from chainrule.export import to_onnx

        to_onnx(net, tmp_path / "m.onnx")
        session = ort.InferenceSession(str(tmp_path / "m.onnx"), providers=["CPUExecutionProvider"])
        engines.append(session.run(None, {"image": x}))
        engines.append(ReferenceEvaluator(onnx.load(str(tmp_path / "m.onnx"))).run(None, {"image": x}))
    if importlib.util.find_spec("torch"):
        import torch

        from chainrule.export import from_torch, to_torch

        module = to_torch(net)
        with torch.no_grad():
            scores = module(torch.from_numpy(x))
        engines.append((torch.softmax(scores, dim=1).numpy(), scores.argmax(dim=1).numpy()))
        back = from_torch(module)
        assert type(back) is MultiLayerNet and back.config == net.config
        for k in net.params:
            np.testing.assert_array_equal(back.params[k], net.params[k])
    if not engines:
        pytest.skip("neither onnx/onnxruntime nor torch is installed")
    for engine_probs, engine_labels in engines:
        assert engine_probs.dtype == dtype
        assert np.max(np.abs(engine_probs - probs)) <= TOL[dtype]
        np.testing.assert_array_equal(engine_labels, labels)


# -- bad input: one clear line, nothing written ------------------------------------------------

def _biased(net, seed=0):
    """``net`` with non-zero biases (what training does), so it does not look untrained."""
    rng = np.random.default_rng(seed)
    for k in net.params:
        if k.startswith("b"):
            net.params[k] = rng.normal(0, 0.1, size=net.params[k].shape)
    return net


class Tanh(Layer):
    def forward(self, x):
        return np.tanh(x)


def _sequential(*middle):
    rng = np.random.default_rng(0)
    layers = OrderedDict([("Affine1", Affine(rng.normal(size=(4, 3)), rng.normal(size=3)))])
    layers.update(middle)
    layers["Affine2"] = Affine(rng.normal(size=(3, 2)), rng.normal(size=2))
    return Sequential(layers)


@pytest.mark.parametrize("to", ["onnx", "torch"])
def test_bad_networks_are_one_clear_error_and_write_nothing(tmp_path, to):
    needs("onnx" if to == "onnx" else "torch", "the extra")
    from chainrule.export import ExportError, save_torch, to_onnx, to_torch

    def export(obj):
        return to_onnx(obj, tmp_path / "out.onnx") if to == "onnx" else save_torch(obj, tmp_path / "out.pt")

    cases = [
        (TwoLayerNet(4, 3, 2, rng=0), ExportError,
         "the TwoLayerNet looks untrained: every bias is still 0, as initialized (train it first, or pass "
         "check_trained=False)"),
        ({"W1": np.ones((4, 3))}, TypeError,
         "cannot export a dict: expected a chainrule network (TwoLayerNet, MultiLayerNet, MultiLayerNetExtend, "
         "SimpleConvNet, DeepConvNet, Sequential) or the path of a model file"),
        (_sequential(("Tanh1", Tanh())), ExportError,
         "layer 'Tanh1' (Tanh) cannot be exported: the exits support Affine, Convolution, Pooling, BatchNormalization, "
         "Dropout, Relu and Sigmoid layers"),
        (Sequential([Affine(np.ones((4, 3)), np.ones(3)), Relu(), Affine(np.ones((5, 2)), np.ones(2))]), ExportError,
         "layer 'Affine3' (Affine) takes 5 inputs but gets 3 per sample"),
    ]
    nan = _biased(TwoLayerNet(4, 3, 2, rng=0))
    nan.params["W2"][0, 0] = np.nan
    cases.append((nan, ExportError, "layer 'Affine2' holds NaN or infinite values in W (did the training diverge?)"))
    for obj, error, message in cases:
        with pytest.raises(error) as exc:
            export(obj)
        assert str(exc.value) == message
        assert "\n" not in str(exc.value)
        assert os.listdir(tmp_path) == []
    if to == "torch":
        with pytest.raises(FileNotFoundError, match="^model file not found: no-such-model.npz$"):
            to_torch("no-such-model.npz")  # a str or Path is the path of a model file
    # check_trained=False lets a freshly initialized network through, and the export computes what it does
    fresh = TwoLayerNet(4, 3, 2, weight_init_std=1.0, rng=0)
    x = np.random.default_rng(1).standard_normal((5, 4))
    if to == "onnx":
        onnx = needs("onnx", "chainrule[onnx]")
        from onnx.reference import ReferenceEvaluator

        to_onnx(fresh, tmp_path / "ok.onnx", check_trained=False)
        probs, labels = ReferenceEvaluator(onnx.load(str(tmp_path / "ok.onnx"))).run(None, {"image": x})
    else:
        import torch

        with torch.no_grad():
            scores = to_torch(fresh, check_trained=False)(torch.from_numpy(x))
        probs, labels = torch.softmax(scores, dim=1).numpy(), scores.argmax(dim=1).numpy()
    np.testing.assert_allclose(probs, softmax(fresh.predict(x)), rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(labels, fresh.predict(x).argmax(axis=1))


def test_bad_files_on_the_command_line_are_one_line_and_write_nothing(tmp_path, capsys):
    needs("onnx", "chainrule[onnx]")
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    np.savez(tmp_path / "other.npz", W1=np.ones((784, 50)))
    save(TwoLayerNet(784, 50, 10, rng=0), tmp_path / "untrained.npz")
    cases = [
        (tmp_path / "missing.npz", f"model file not found: {tmp_path / 'missing.npz'}"),
        (tmp_path / "other.npz", f"{tmp_path / 'other.npz'} has no chainrule metadata ('__chainrule__'): it was not "
                                 "written by chainrule.io.save"),
        (tmp_path / "untrained.npz", "the TwoLayerNet looks untrained: every bias is still 0, as initialized "
                                     "(train it first, or pass --allow-untrained to export it anyway)"),
    ]
    for to, suffix in (("onnx", ".onnx"), ("torch", ".pt")):
        for path, message in cases:
            code, out, err = run(capsys, "export", str(path), "--to", to, str(out_dir / f"x{suffix}"))
            assert code == 1 and out == ""
            assert one_line_error(err) == f"chainrule: error: {message}"
            assert os.listdir(out_dir) == []
    with pytest.raises(SystemExit) as exc:
        cli.main(["export", str(tmp_path / "other.npz"), "--to", "tflite", "x"])
    assert exc.value.code == 2 and "invalid choice: 'tflite'" in one_line_error(capsys.readouterr().err)


def test_from_torch_refuses_modules_it_cannot_read_in_one_line():
    torch = needs("torch", "pip install torch")
    from chainrule.export import ExportError, from_torch

    nn = torch.nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(4, 2)

        def forward(self, x):
            return self.fc(x) * 2

    reads = ("Linear, Conv2d, MaxPool2d (after ZeroPad2d for zero padding), BatchNorm1d, ReLU, Sigmoid, Dropout "
             "(with a following Scale), Flatten, Unflatten, Identity and a final Softmax")
    cases = [
        (Net(), "from_torch reads an nn.Sequential; got a Net (its forward() cannot be read as a chain of layers)"),
        (nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.Linear(4, 2)),
         "layer 2 (Linear) gets images: put nn.Flatten() before it (PyTorch's Linear would act on the last axis of "
         "the image)"),
        (nn.Sequential(nn.Linear(4, 3), nn.Tanh(), nn.Linear(3, 2)), f"layer 1 (Tanh) has no chainrule layer: "
                                                                     f"from_torch reads {reads}"),
        (nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(5, 2)),
         "layer 'Affine2' (Affine) takes 5 inputs but gets 3 per sample"),
        (nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2, dtype=torch.float64)),
         "layer 2 (Linear) is float64 but the layers before are float32: use one dtype"),
        (nn.Sequential(nn.Linear(4, 3, dtype=torch.float16)),
         "layer 0 (Linear) holds float16; chainrule computes in float32 or float64"),
        (nn.Sequential(nn.Softmax(dim=1)), "the module has no Linear or Conv2d layer: nothing to read"),
    ]
    for module, message in cases:
        with pytest.raises(ExportError) as exc:
            from_torch(module)
        assert str(exc.value) == message
    with pytest.raises(TypeError, match=r"^from_torch needs a torch.nn.Module; got a dict$"):
        from_torch({"0.weight": torch.zeros(3, 4)})


def test_from_torch_reads_a_plain_pytorch_mlp():
    torch = needs("torch", "pip install torch")
    from chainrule.export import from_torch

    nn = torch.nn
    torch.manual_seed(0)
    module = nn.Sequential(nn.Flatten(), nn.Linear(12, 8), nn.Sigmoid(), nn.Dropout(0.5), nn.Linear(8, 6),
                           nn.Sigmoid(), nn.Linear(6, 3, bias=False), nn.Softmax(dim=1)).double().eval()
    net = from_torch(module)
    assert isinstance(net, MultiLayerNet) and net.config["hidden_size_list"] == [8, 6]
    assert net.config["activation"] == "sigmoid" and net.dtype == np.float64
    x = np.random.default_rng(0).random((5, 3, 4))
    with torch.no_grad():
        want = module(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(softmax(net.predict(x.reshape(5, 12))), want, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(net.params["b3"], np.zeros(3))
    two = from_torch(nn.Sequential(nn.Linear(5, 4), nn.ReLU(), nn.Linear(4, 2)))
    assert isinstance(two, TwoLayerNet) and two.dtype == np.float32


def test_load_torch_bad_files_are_one_line(tmp_path):
    torch = needs("torch", "pip install torch")
    from chainrule.export import ExportError, load_torch, save_torch

    pt, js = save_torch(_biased(TwoLayerNet(4, 3, 2, rng=0)), tmp_path / "a.pt")
    with pytest.raises(FileNotFoundError, match="^architecture file not found: .*b.json$"):
        torch.save({}, tmp_path / "b.pt")
        load_torch(tmp_path / "b.pt")
    arch = json.loads(js.read_text())
    arch["layers"][0]["out_features"] = 5
    (tmp_path / "c.json").write_text(json.dumps(arch))
    (tmp_path / "c.pt").write_bytes(pt.read_bytes())
    with pytest.raises(ExportError, match=r"^.*c.pt does not hold the weights c.json describes: '0.weight' has shape "
                                          r"\(3, 4\), c.json says \(5, 4\)$"):
        load_torch(tmp_path / "c.pt")
    (tmp_path / "d.json").write_text(js.read_text())
    (tmp_path / "d.pt").write_bytes(b"not a torch file")
    with pytest.raises(ExportError, match=r"d.pt does not hold the weights d.json describes"):
        load_torch(tmp_path / "d.pt")
    (tmp_path / "e.json").write_text('{"format": "something else"}')
    (tmp_path / "e.pt").write_bytes(pt.read_bytes())
    with pytest.raises(ExportError, match=r"e.json is not a chainrule PyTorch architecture file$"):
        load_torch(tmp_path / "e.pt")
    with pytest.raises(ExportError, match=r"give the weights file a name other than .json"):
        load_torch(tmp_path / "a.json")


# -- without the extras -------------------------------------------------------------------

@pytest.mark.parametrize("module, to, install", [
    ("onnx", "onnx", 'exporting to ONNX needs onnx: pip install "chainrule[onnx]"'),
    ("torch", "torch", "the PyTorch exit needs torch: pip install torch"),
])
def test_a_missing_engine_is_one_line_naming_what_to_install(module, to, install, tmp_path, capsys, monkeypatch):
    from chainrule.export import from_torch, to_onnx, to_torch

    save(_biased(TwoLayerNet(4, 3, 2, rng=0)), tmp_path / "m.npz")
    monkeypatch.setitem(sys.modules, module, None)  # `import onnx` / `import torch` now fails
    code, out, err = run(capsys, "export", str(tmp_path / "m.npz"), "--to", to, str(tmp_path / "out.x"))
    assert code == 1 and one_line_error(err) == f"chainrule: error: {install}"
    assert sorted(os.listdir(tmp_path)) == ["m.npz"]
    calls = [lambda: to_onnx(tmp_path / "m.npz", tmp_path / "o.onnx")] if to == "onnx" else [
        lambda: to_torch(tmp_path / "m.npz"), lambda: from_torch(object())]
    for call in calls:
        with pytest.raises(ImportError) as exc:
            call()
        assert str(exc.value) == install
    assert sorted(os.listdir(tmp_path)) == ["m.npz"]


def test_importing_chainrule_imports_no_engine():
    code = ("import sys, chainrule, chainrule.cli, chainrule.export; "
            "print(sorted(m for m in ('onnx', 'onnxruntime', 'torch', 'sklearn', 'dask', 'distributed') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_export_without_onnx_runtime_still_writes_and_says_it_did_not_run(tmp_path, capsys, monkeypatch):
    onnx = needs("onnx", "chainrule[onnx]")
    save(_biased(TwoLayerNet(6, 4, 3, rng=0)), tmp_path / "m.npz")
    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    code, out, err = run(capsys, "export", str(tmp_path / "m.npz"), "--to", "onnx", str(tmp_path / "m.onnx"))
    assert code == 0, err
    assert out.splitlines()[1] == 'not run: ONNX Runtime is not installed (pip install "chainrule[onnx]")'
    onnx.checker.check_model(onnx.load(str(tmp_path / "m.onnx")))


def test_export_help(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["export", "--help"])
    out = capsys.readouterr().out
    assert exc.value.code == 0
    for text in ("MODEL", "--to {onnx,torch}", "OUT", 'chainrule[onnx]', "state_dict", "--to onnx model.onnx"):
        assert text in out, text
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    assert re.search(r"^\s+export\s+write a saved model as an ONNX graph or PyTorch weights", capsys.readouterr().out,
                     re.MULTILINE)


def test_from_torch_ignores_a_recorded_architecture_that_does_not_fit():
    torch = needs("torch", "pip install torch")
    from chainrule.export import from_torch, to_torch

    module = to_torch(_biased(MultiLayerNet(6, [5, 4], 3, activation="sigmoid", rng=0)))
    module.chainrule_architecture = TwoLayerNet(6, 5, 3, rng=0).config  # stale: one hidden layer, relu
    net = from_torch(module)
    assert type(net) is MultiLayerNet and net.config["hidden_size_list"] == [5, 4]
    assert net.config["activation"] == "sigmoid"
    x = np.random.default_rng(0).random((4, 6))
    with torch.no_grad():
        np.testing.assert_allclose(net.predict(x), module(torch.from_numpy(x)).numpy(), rtol=0, atol=1e-12)
