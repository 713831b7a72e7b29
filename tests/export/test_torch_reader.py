"""The PyTorch exit's reader is bounded like the model reader: the ``.json`` beside a ``.pt`` and
the ``.pt`` itself are checked (numbers, parameters in all, each tensor's shape and dtype)
before a module is built or a weight is read, every problem an ExportError naming the file;
``from_torch`` refuses a module beyond the bounds before it copies anything."""

import json
import subprocess
import sys
import textwrap

import pytest

from chainrule import TwoLayerNet
from chainrule.io.bounds import MAX_LAYER_SIZE, MAX_PARAMETERS

torch = pytest.importorskip("torch", reason="the PyTorch exit needs torch")
resource = pytest.importorskip("resource", reason="address-space limits need the Unix resource module")

from chainrule.export import ExportError, from_torch, load_torch, save_torch  # noqa: E402
from tests.helpers import child_env, fuzz_in_a_child  # noqa: E402


def _trained(net):
    net.params["b1"] += 0.1
    return net


@pytest.fixture
def saved(tmp_path):
    pt, js = save_torch(_trained(TwoLayerNet(4, 3, 2, rng=0)), tmp_path / "a.pt")
    return pt, js, json.loads(js.read_text())


def _edited(tmp_path, saved, name, edit):
    pt, js, arch = saved
    arch = json.loads(json.dumps(arch))
    edit(arch)
    (tmp_path / f"{name}.json").write_text(json.dumps(arch))
    (tmp_path / f"{name}.pt").write_bytes(pt.read_bytes())
    return tmp_path / f"{name}.pt"


def _set(layer, **values):
    def edit(arch):
        arch["layers"][layer].update(values)
    return edit


@pytest.mark.parametrize("values, says", [
    ({"in_features": -5}, f"layer 0 (Linear) 'in_features' must be an integer from 1 to {MAX_LAYER_SIZE}, got -5"),
    ({"out_features": 60000, "in_features": 60000}, f"the layers have 3600060008 parameters, more than the limit of "
                                                    f"{MAX_PARAMETERS}"),
    ({"in_features": 10**7}, f"layer 0 (Linear) 'in_features' must be an integer from 1 to {MAX_LAYER_SIZE}, got "
                             "10000000"),
    ({"in_features": True}, "layer 0 (Linear) 'in_features' must be an integer from 1 to"),
    ({"in_features": "4"}, "layer 0 (Linear) 'in_features' must be an integer from 1 to"),
])
def test_an_edited_architecture_is_refused_before_building(tmp_path, saved, values, says):
    path = _edited(tmp_path, saved, "b", _set(0, **values))
    with pytest.raises(ExportError) as info:
        load_torch(path)
    assert str(info.value).startswith(f"{tmp_path / 'b.json'}: {says}"), str(info.value)


def test_too_many_layers_are_refused(tmp_path, saved):
    path = _edited(tmp_path, saved, "b", lambda arch: arch.update(layers=[{"type": "ReLU"}] * 100_000))
    with pytest.raises(ExportError, match=r"b.json: the number of layers must be an integer from 1 to 1000, got "
                                          r"100000$"):
        load_torch(path)


def test_a_tensor_that_does_not_fit_is_named_with_both_shapes(tmp_path, saved):
    path = _edited(tmp_path, saved, "c", _set(0, out_features=5))
    with pytest.raises(ExportError) as info:
        load_torch(path)
    assert str(info.value) == (f"{path} does not hold the weights c.json describes: '0.weight' has shape (3, 4), "
                               "c.json says (5, 4)")
    pt, _, _ = saved
    torch.save({**torch.load(pt, weights_only=True), "9.weight": torch.zeros(2)}, tmp_path / "d.pt")
    (tmp_path / "d.json").write_text(saved[1].read_text())
    with pytest.raises(ExportError, match=r"d.pt does not hold the weights d.json describes: unexpected tensor "
                                          r"'9.weight'"):
        load_torch(tmp_path / "d.pt")
    torch.save({k: v.float() for k, v in torch.load(pt, weights_only=True).items()}, tmp_path / "e.pt")  # of float64
    (tmp_path / "e.json").write_text(saved[1].read_text())
    with pytest.raises(ExportError, match=r"e.pt does not hold the weights e.json describes: '0.weight' is "
                                          r"torch.float32, e.json says float64"):
        load_torch(tmp_path / "e.pt")


def test_from_torch_refuses_a_huge_module_before_reading_it():
    huge = torch.nn.Sequential(torch.nn.Linear(8000, 7000, device="meta"), torch.nn.ReLU(),
                               torch.nn.Linear(7000, 10, device="meta"))  # 56 million weights, never allocated
    with pytest.raises(ExportError) as info:
        from_torch(huge)
    assert str(info.value) == f"the module has 56077010 parameters, more than the limit of {MAX_PARAMETERS}"


def test_a_named_pipe_in_place_of_the_architecture_is_refused(tmp_path, saved):
    import os

    from tests.fifo_helpers import without_hanging

    (tmp_path / "f.pt").write_bytes(saved[0].read_bytes())
    os.mkfifo(tmp_path / "f.json")
    result = without_hanging(lambda: load_torch(tmp_path / "f.pt"), tmp_path / "f.json")
    assert isinstance(result.get("error"), ExportError), result
    assert str(result["error"]) == f"{tmp_path / 'f.json'} is not a regular file"


# -- under a 1.5 GB address space: the probes, then 2,000 fuzzed cases ----------------------------

CHILD = textwrap.dedent("""
    import json, resource, sys
    resource.setrlimit(resource.RLIMIT_AS, (1536 << 20, 1536 << 20))
    import torch
    from chainrule.export import from_torch, load_torch
    d = sys.argv[1]
    results = {}
    for name in ("huge", "negative", "wide"):
        try:
            module = load_torch(f"{d}/{name}.pt")
            results[name] = "loaded " + str(sum(p.numel() for p in module.parameters()))
            from_torch(module)
        except Exception as exc:
            results[name] = type(exc).__name__ + ": " + str(exc)
    print(json.dumps(results))
""")


def test_the_probes_of_edited_architectures_within_1_5_gb(tmp_path, saved):
    _edited(tmp_path, saved, "huge", _set(0, in_features=60000, out_features=60000))  # 14.4 GB of float32
    _edited(tmp_path, saved, "negative", _set(0, in_features=-3))
    _edited(tmp_path, saved, "wide", _set(0, out_features=700_000))  # within the bounds, but not the weights
    done = subprocess.run([sys.executable, "-c", CHILD, str(tmp_path)], capture_output=True, text=True,
                          timeout=300, env=child_env(), check=False)
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout)
    assert results["huge"] == (f"ExportError: {tmp_path / 'huge.json'}: the layers have 3600060008 parameters, more "
                               f"than the limit of {MAX_PARAMETERS}")
    assert results["negative"].startswith(f"ExportError: {tmp_path / 'negative.json'}: layer 0 (Linear) "
                                          "'in_features' must be an integer from 1 to")
    assert results["wide"].startswith(f"ExportError: {tmp_path / 'wide.pt'} does not hold the weights wide.json "
                                      "describes: '0.weight' has shape (3, 4), wide.json says (700000, 4)")


def test_fuzzed_torch_files_give_only_export_errors_within_1_5_gb(tmp_path):
    """2,000 fuzzed (.json, .pt) pairs (see ``torch_fuzz.py``), in a child process limited to 1.5 GB of
    address space: each loads (and converts back with from_torch) or raises ExportError naming one of its files."""
    counts = fuzz_in_a_child("tests.export.torch_fuzz:fuzz_torch_reader", tmp_path, 2000)["counts"]
    assert set(counts) <= {"loaded", "ExportError"}, counts
    assert sum(counts.values()) >= 2000 and counts.get("loaded", 0) >= 50 and counts["ExportError"] >= 500, counts
