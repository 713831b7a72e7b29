"""``chainrule export``: a saved model as an ONNX graph or PyTorch weights, checked in that engine."""

from __future__ import annotations

import numpy as np

from .common import CLIError, Formatter


def add(sub):
    p = sub.add_parser("export", help="write a saved model as an ONNX graph or PyTorch weights",
                       description="Write a saved model for a bigger engine, then run the written file in that "
                                   "engine on random inputs and compare with chainrule.\n"
                                   "onnx: an ONNX graph (input 'image' (N, 784) or (N, 1, 28, 28) for a "
                                   "convolutional network, outputs 'probabilities' and 'label'; needs pip install "
                                   "\"chainrule[onnx]\").\n"
                                   "torch: torch.save(state_dict) to OUT plus OUT's name with .json holding the "
                                   "architecture (needs pip install torch).",
                       epilog="examples:\n  chainrule export runs/20250101-120000/model.npz --to onnx model.onnx\n"
                              "  chainrule export runs/20250101-120000/model.npz --to torch model.pt",
                       formatter_class=Formatter)
    p.add_argument("model", metavar="MODEL", help="a model file written by chainrule train (model.npz)")
    p.add_argument("--to", choices=("onnx", "torch"), required=True, help="the format to write")
    p.add_argument("out", metavar="OUT", help="the file to write (.onnx, or .pt for torch)")
    p.add_argument("--force", action="store_true", help="replace OUT (and, for torch, its .json) if they exist")
    p.add_argument("--allow-untrained", action="store_true",
                   help="export a network whose biases are all still 0 (as initialized); refused by default")
    p.set_defaults(func=run)
    return p


def run(args):
    from ..export import UntrainedError

    try:
        lines = export_lines(args.model, args.to, args.out, force=args.force, allow_untrained=args.allow_untrained)
    except TypeError as exc:
        raise CLIError(str(exc)) from None
    except UntrainedError as exc:
        raise CLIError(f"{exc.what} looks untrained: every bias is still 0, as initialized (train it first, or "
                       "pass --allow-untrained to export it anyway)") from None
    print("\n".join(lines))
    return 0


def export_lines(model_path, to, out, *, check_inputs=256, rng=0, force=False, allow_untrained=False):
    """Export the model file ``model_path`` to ``out`` as ``to`` ("onnx" or "torch").

    Then run the written file in its engine (ONNX Runtime, PyTorch) on ``check_inputs``
    random inputs and compare with chainrule. Returns the lines to print. The outputs
    follow the output rule (:mod:`chainrule.io.files`; ``force``), checked before any work.
    """
    from ..export import (
        ONNX_OPSET,
        ExportError,
        check_outputs,
        load_torch,
        make_plan,
        need_onnx,
        need_torch,
        save_torch,
        to_onnx,
        torch_files,
    )
    from ..functions import softmax
    from ..io import load_with_metadata

    if to not in ("onnx", "torch"):
        raise ExportError(f"unknown export format {to!r}; choose onnx or torch")
    (need_onnx if to == "onnx" else need_torch)()  # a missing engine is reported before the model is read
    check_outputs(model_path, *([out] if to == "onnx" else torch_files(out)), force=force, how="--force")
    network, meta = load_with_metadata(model_path)  # the file is read once, here
    plan = make_plan(network, meta, check_trained=not allow_untrained)
    x = np.random.default_rng(rng).random((check_inputs, *plan.input_shape)).astype(plan.dtype)
    ours = softmax(network.predict(x))
    lines = []
    if to == "onnx":
        to_onnx(network, out, metadata=meta, check_trained=not allow_untrained, force=force)
        lines.append(f"wrote {out}: {plan.describe()} as ONNX (opset {ONNX_OPSET}), input 'image' "
                     f"(N, {', '.join(map(str, plan.input_shape))}) {plan.dtype.name}, outputs 'probabilities' "
                     f"(N, {plan.classes}) and 'label' (N,); onnx.checker passed")
        try:
            import onnxruntime
        except ImportError:
            lines.append('not run: ONNX Runtime is not installed (pip install "chainrule[onnx]")')
            return lines
        session = onnxruntime.InferenceSession(str(out), providers=["CPUExecutionProvider"])
        probs, labels = session.run(["probabilities", "label"], {"image": x})
        engine = f"ONNX Runtime {onnxruntime.__version__}"
    else:
        pt, js = save_torch(network, out, metadata=meta, check_trained=not allow_untrained, force=force)
        lines.append(f"wrote {pt} (state_dict) and {js} (architecture): {plan.describe()} as torch.nn.Sequential")
        torch = need_torch()
        with torch.no_grad():
            scores = load_torch(pt)(torch.from_numpy(x))
        probs = torch.softmax(scores, dim=1).numpy()
        labels = scores.argmax(dim=1).numpy()
        engine = f"PyTorch {torch.__version__} (weights_only=True)"
    diff = float(np.max(np.abs(probs - ours)))
    same = int(np.count_nonzero(labels == np.argmax(ours, axis=1)))
    lines.append(f"checked: {engine} on {check_inputs} random inputs in [0, 1): probabilities within {diff:.1e} "
                 f"of chainrule's, {same}/{check_inputs} labels equal")
    return lines
