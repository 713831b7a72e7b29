"""chainrule._blas: a training step's products on one BLAS thread, evaluations on the BLAS default,
in the Trainer and in the book's own loop."""

import subprocess
import sys

import numpy as np
import pytest

from chainrule import TwoLayerNet


def _blas_threads_now():
    threadpoolctl = pytest.importorskip("threadpoolctl")
    infos = [i for i in threadpoolctl.threadpool_info() if i.get("user_api") == "blas"]
    if not infos:
        pytest.skip("no BLAS library visible to threadpoolctl")
    return infos[0]["num_threads"]


def test_blas_threads_limit_is_one_and_restored_and_none_is_the_default():
    from chainrule._blas import blas_threads

    before = _blas_threads_now()
    with blas_threads(1):
        assert _blas_threads_now() == 1
        with blas_threads(None):  # evaluation: the BLAS default, as before chainrule limited anything
            assert _blas_threads_now() == max(before, _default_threads_in_a_fresh_process())
        assert _blas_threads_now() == 1
    assert _blas_threads_now() == before


def _default_threads_in_a_fresh_process():
    code = ("import numpy; from threadpoolctl import threadpool_info; "
            "print(max(i['num_threads'] for i in threadpool_info() if i['user_api'] == 'blas'))")
    return int(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)


def test_the_book_api_gradient_runs_on_one_blas_thread_from_its_first_call():
    """The book's own loop (net.gradient in the user's loop) gets the Trainer's one-thread limit."""
    _blas_threads_now()
    code = """if True:
        import numpy as np
        from threadpoolctl import threadpool_info
        from chainrule import TwoLayerNet

        def threads():
            return [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]

        net = TwoLayerNet(20, 8, 3, rng=0)
        x, t = np.random.default_rng(0).random((5, 20)), np.array([0, 1, 2, 0, 1])
        print(threads())
        net.gradient(x, t)
        print(threads())
        net.gradient(x, t)
        print(threads())
    """
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split("\n")
    default = _default_threads_in_a_fresh_process()
    assert out[:3] == [str([default]), "[1]", "[1]"]


def test_the_one_thread_limit_outlives_a_trainer():
    """A Trainer's own per-phase limits end with train(); the process-wide one stays for the book's loop after."""
    _blas_threads_now()
    code = """if True:
        import numpy as np
        from threadpoolctl import threadpool_info
        from chainrule import TwoLayerNet, Trainer

        net = TwoLayerNet(6, 5, 3, rng=0)
        x, t = np.random.default_rng(0).random((40, 6)), np.arange(40) % 3
        Trainer(net, x, t, iters=3, mini_batch_size=10, verbose=False, progress=False).train()
        print([i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"])
    """
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[1]"


def test_trainer_steps_on_one_blas_thread_and_evaluates_on_the_default():
    from chainrule.train import Trainer

    default = max(_blas_threads_now(), _default_threads_in_a_fresh_process())
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, size=(60, 6), dtype=np.uint8)
    t = rng.integers(0, 3, size=60)
    net = TwoLayerNet(6, 5, 3, dtype=np.float32, rng=0)
    seen = {"gradient": set(), "evaluation": set()}
    predict, in_step = net.predict, []

    def gradient(*args):
        seen["gradient"].add(_blas_threads_now())
        in_step.append(True)
        try:
            return type(net).gradient(net, *args)
        finally:
            in_step.pop()

    trainer = Trainer(net, x, t, x, t, iters=12, mini_batch_size=20, verbose=False, progress=False,
                      background_eval=False)
    net.gradient = gradient

    def evaluation_predict(*args):
        if not in_step:
            seen["evaluation"].add(_blas_threads_now())
        return predict(*args)

    net.predict = evaluation_predict
    trainer.train()
    assert seen == {"gradient": {1}, "evaluation": {default}}
