"""chainrule.io.errors: ModelFileError is the one error of every model-file reader (the .npz model files,
load_params, the book's pickles): one class, a ValueError, whatever module a caller takes it from."""

import pickle

import pytest

import chainrule
from chainrule import SimpleConvNet
from chainrule.io import ModelFileError, errors, load, model, pickles


def test_one_class_for_every_reader(tmp_path):
    assert ModelFileError is errors.ModelFileError is model.ModelFileError is chainrule.io.ModelFileError
    assert issubclass(ModelFileError, ValueError) and issubclass(pickles.PickleFileError, ModelFileError)
    (tmp_path / "notes.txt").write_text("not a model")
    with open(tmp_path / "params.pkl", "wb") as f:
        pickle.dump({"W1": print}, f)  # names a function: refused by the weights-only reader
    for read in (lambda: load(tmp_path / "notes.txt"), lambda: SimpleConvNet().load_params(tmp_path / "notes.txt"),
                 lambda: SimpleConvNet().load_params(tmp_path / "params.pkl")):
        with pytest.raises(ModelFileError):
            read()
