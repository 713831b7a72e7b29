"""The weights-only pickle reader: the book's .pkl files load, nothing else is ever called."""

import collections
import io
import os
import pickle
import struct
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chainrule.io import ModelFileError
from chainrule.io.pickles import MAX_DEPTH, PickleFileError, Unpickler, load, loads, read_weights

BOOK_REPO = os.environ.get("CHAINRULE_BOOK_REPO")
BOOK_FILES = {  # the book's weight files: their arrays' shapes (all float64 but chapter 3's float32)
    "ch03/sample_weight.pkl": {"W1": (784, 50), "b1": (50,), "W2": (50, 100), "b2": (100,), "W3": (100, 10),
                               "b3": (10,)},
    "ch07/params.pkl": {"W1": (30, 1, 5, 5), "b1": (30,), "W2": (4320, 100), "b2": (100,), "W3": (100, 10),
                        "b3": (10,)},
    "ch08/deep_convnet_params.pkl": {
        **{f"W{i + 1}": (n, c, 3, 3) for i, (n, c) in enumerate([(16, 1), (16, 16), (32, 16), (32, 32), (64, 32),
                                                                  (64, 64)])},
        **{f"b{i + 1}": (n,) for i, n in enumerate([16, 16, 32, 32, 64, 64])},
        "W7": (1024, 50), "b7": (50,), "W8": (50, 10), "b8": (10,)},
}


def weights(seed=0):
    rng = np.random.default_rng(seed)
    return {
        "W1": rng.standard_normal((4, 3)), "b1": np.zeros(3, np.float32),
        "fortran": np.asfortranarray(rng.integers(-9, 9, (3, 5)).astype(">i4")),
        "scalar": np.float32(2.5), "zero_d": np.array(7.0), "empty": np.zeros((0, 5), np.complex128),
        "flags": np.array([True, False]), "half": np.ones(3, np.float16), "u8": np.arange(4, dtype=np.uint64),
        "nested": [1, 2.5, (3, np.int64(4)), {"deep": np.arange(3)}, None, True, "text", b""],
        "ordered": collections.OrderedDict(x=np.ones(2)),
    }


def same(a, b):
    """Equal values, types and dtypes, all the way down."""
    if isinstance(b, np.ndarray):
        return type(a) is np.ndarray and a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b)
    if isinstance(b, dict):
        return type(a) is type(b) and list(a) == list(b) and all(same(a[k], b[k]) for k in b)
    if isinstance(b, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and (a == b or (a != a and b != b))


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_weights_read_as_pickle_reads_them_in_every_protocol(protocol):
    data = pickle.dumps(weights(), protocol=protocol)
    assert same(loads(data), pickle.loads(data))


def test_load_leaves_the_file_after_the_pickle_as_pickle_does(tmp_path):
    path = tmp_path / "two.pkl"
    with open(path, "wb") as f:
        pickle.dump({"a": np.arange(3)}, f)
        pickle.dump([np.ones(2)], f)
    with open(path, "rb") as f:
        first = load(f)
        second = Unpickler(f).load()
        assert f.read() == b""
    assert same(first, {"a": np.arange(3)}) and same(second, [np.ones(2)])


def test_python2_pickles_with_latin1():
    # a Python 2 pickle of np.array([1.0, 2.0]) (protocol 2; its bytes are a str, read with encoding='latin1')
    data = (b"\x80\x02cnumpy.core.multiarray\n_reconstruct\nq\x01cnumpy\nndarray\nq\x02K\x00\x85U\x01b\x87R"
            b"(K\x01K\x02\x85cnumpy\ndtype\nU\x02f8K\x00K\x01\x87R(K\x03U\x01<NNNJ\xff\xff\xff\xffJ\xff\xff"
            b"\xff\xffK\x00tb\x89U\x10" + np.array([1.0, 2.0]).tobytes() + b"tb.")
    assert same(loads(data, encoding="latin1"), np.array([1.0, 2.0]))


class Canary:
    """Unpickling this runs ``os.system`` (it would create the marker file)."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return os.system, (f"touch {self.marker}",)


def G(module, name):  # noqa: N802 - the GLOBAL opcode
    return b"c" + module.encode() + b"\n" + name.encode() + b"\n"


CALLS = {  # pickles that name something else than weights, and what the one line names
    "os.system": lambda m: pickle.dumps({"W1": Canary(m)}),
    "builtins.eval": lambda m: b"\x80\x02" + G("builtins", "eval") + b"X\x0b\x00\x00\x00print('hi')\x85R.",
    "subprocess.Popen": lambda m: b"\x80\x02" + G("subprocess", "Popen") + b"]\x85R.",
    "numpy.load": lambda m: b"\x80\x02" + G("numpy", "load") + b"X\x01\x00\x00\x00x\x85R.",
    "builtins.getattr": lambda m: b"\x80\x02" + G("builtins", "getattr") + b"K\x01X\x01\x00\x00\x00a\x86R.",
    "copyreg._reconstructor": lambda m: pickle.dumps(collections.Counter(a=1), protocol=0).replace(
        b"ccollections\nCounter", b"ccopyreg\n_reconstructor"),
}


@pytest.mark.parametrize("what", list(CALLS))
def test_a_pickle_naming_anything_else_is_refused_in_one_line_and_nothing_runs(what, tmp_path):
    marker = tmp_path / "canary-ran"
    path = tmp_path / "sample_weight.pkl"
    path.write_bytes(CALLS[what](marker))
    with pytest.raises(PickleFileError) as err:
        read_weights(path)
    message = str(err.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: refused: it names ")
    assert message.endswith("only NumPy arrays, dicts, lists, tuples, strings and numbers are read from a pickle "
                            "(anything else could run code)")
    assert (what if what != "os.system" else f"{os.system.__module__}.system") in message
    with open(path, "rb") as f, pytest.raises(PickleFileError):
        load(f)
    assert not marker.exists()
    assert isinstance(err.value, ModelFileError) and isinstance(err.value, pickle.UnpicklingError)


@pytest.mark.parametrize("array, kind", [(np.array([1, "a"], dtype=object), "object"),
                                         (np.zeros(2, dtype=[("a", "f4")]), "|V4"),
                                         (np.array(["ab"]), "<U2"), (np.array([1], "M8[s]"), "datetime64")])
def test_arrays_of_anything_but_numbers_are_refused(array, kind):
    with pytest.raises(PickleFileError, match=f"refused: an array of {kind}"):
        loads(pickle.dumps({"x": array}))


ND = G("numpy", "ndarray")
RECON = G("numpy.core.multiarray", "_reconstruct")
F8 = G("numpy", "dtype") + b"X\x02\x00\x00\x00f8K\x00K\x01\x87R"


def array_pickle(shape, data, dtype=F8):
    """Protocol 2: _reconstruct(ndarray, (0,), b'b') then BUILD with (1, shape, dtype, False, data)."""
    dims = b"".join(b"J" + struct.pack("<i", n) for n in shape)
    tup = {0: b")", 1: b"\x85", 2: b"\x86", 3: b"\x87"}[len(shape)]
    return (b"\x80\x03" + RECON + ND + b"K\x00\x85C\x01b\x87R(K\x01" + dims + tup + dtype + b"\x89B"
            + struct.pack("<I", len(data)) + data + b"tb.")


def test_hand_made_array_pickle_reads():
    assert same(loads(array_pickle((2, 2), np.arange(4.0).tobytes())), np.arange(4.0).reshape(2, 2))


@pytest.mark.parametrize("data, message", [
    # a shape that does not match the bytes: refused before NumPy allocates anything
    (array_pickle((2**31 - 1, 2**31 - 1), b"\0" * 8), "an array of shape (2147483647, 2147483647) and float64 "
                                                      f"needs {(2**31 - 1) ** 2 * 8} bytes, the file has 8"),
    (b"\x80\x02" + RECON + ND + b"J\xff\xff\xff\x7f\x85C\x01b\x87R.", "_reconstruct is called with something else"),
    (b"\x80\x02" + ND + b"J\xff\xff\xff\x7f\x85R.", "not callable"),  # REDUCE on numpy.ndarray
    (b"\x80\x02" + ND + b"J\xff\xff\xff\x7f\x85\x81.", "NEWOBJ"),  # NEWOBJ on numpy.ndarray
    (b"\x80\x02" + RECON + ND + b"K\x00\x85C\x01b\x87R(K\x01K\x02\x85" + F8 + b"\x89]tb.", "holds list, not bytes"),
    (b"\x80\x02" + G("numpy", "dtype") + b"X\x0a\x00\x00\x00S100000000K\x00K\x01\x87R.", "dtype 'S100000000'"),
    (b"\x80\x02X\x01\x00\x00\x00xQ.", "opcode BINPERSID"),
    (b"\x80\x02\x82\x01.", "opcode EXT1"),
    (b"\x80\x04\x95\xff\xff\xff\xff\x00\x00\x00\x00N.", "damaged: a frame of 4294967295 bytes"),
    (b"\x80\x04\x8e\xff\xff\xff\xff\xff\xff\x00\x00abc.", "is not a readable pickle"),  # BINBYTES8 past the end
    (b"\x80\x02]q\x00(K\x01K\x02", "is not a readable pickle"),  # truncated
    (b"\x80\x02Nr\xff\xff\xff\x7f.", "memo index 2147483647 at byte 3"),  # would grow the memo to 16 GB
    (b"not a pickle at all", "is not a readable pickle"),
    (b"", "is empty"),
    (b"\x80\x02" + b"]" * (MAX_DEPTH + 1) + b"a" * MAX_DEPTH + b".", f"nested more than {MAX_DEPTH} levels"),
])
def test_damaged_or_hostile_pickles_are_one_line_refusals(data, message, tmp_path):
    path = tmp_path / "params.pkl"
    path.write_bytes(data)
    with pytest.raises(PickleFileError) as err:
        read_weights(path)
    assert message in str(err.value) and str(err.value).startswith(str(path)) and "\n" not in str(err.value)


def test_a_list_holding_itself_is_read_not_recursed_forever():
    value = loads(b"\x80\x02]q\x00h\x00a.")  # l = []; l.append(l)
    assert type(value) is list and value[0] is value


def test_bounds_are_checked_before_anything_is_built(tmp_path):
    data = pickle.dumps({"W": np.zeros(1000)})
    with pytest.raises(PickleFileError, match="more than the limit of 100 bytes"):
        Unpickler(io.BytesIO(data), max_file_bytes=100).load()
    with pytest.raises(PickleFileError, match="arrays need more than the limit of 4000 bytes"):
        Unpickler(io.BytesIO(data), max_array_bytes=4000).load()
    # one string re-encoded many times (protocol 2 stores bytes as _codecs.encode(str, 'latin1')): counted
    text = b"X\x00\x10\x00\x00" + b"a" * 4096
    many = (b"\x80\x02(" + G("_codecs", "encode") + b"q\x00" + text + b"q\x01X\x06\x00\x00\x00latin1q\x02\x86R"
            + b"h\x00h\x01h\x02\x86R" * 100 + b"l.")
    assert len(loads(many)) == 101
    with pytest.raises(PickleFileError, match="more than the limit of 100000 bytes"):
        Unpickler(io.BytesIO(many), max_array_bytes=100_000).load()


def test_read_weights_wants_a_regular_file_holding_a_dict_of_arrays(tmp_path):
    (tmp_path / "list.pkl").write_bytes(pickle.dumps([np.ones(2)]))
    with pytest.raises(PickleFileError, match="list.pkl holds a list, not a dict of arrays"):
        read_weights(tmp_path / "list.pkl")
    (tmp_path / "mixed.pkl").write_bytes(pickle.dumps({"W": np.ones(2), "n": 3}))
    with pytest.raises(PickleFileError, match="holds 'n': int, not a name and an array"):
        read_weights(tmp_path / "mixed.pkl")
    with pytest.raises(FileNotFoundError):
        read_weights(tmp_path / "missing.pkl")
    os.mkfifo(tmp_path / "fifo.pkl")
    with pytest.raises(PickleFileError, match="not a regular file"):
        read_weights(tmp_path / "fifo.pkl")  # refused at once, no waiting for a writer
    (tmp_path / "ok.pkl").write_bytes(pickle.dumps({"W1": np.ones((2, 3)), "b1": np.zeros(3)}))
    assert same(read_weights(tmp_path / "ok.pkl"), {"W1": np.ones((2, 3)), "b1": np.zeros(3)})


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), protocol=st.integers(0, 5),
       edits=st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), min_size=1, max_size=6),
       cut=st.one_of(st.none(), st.integers(0, 10**6)))
def test_fuzz_damaged_weights_give_weights_or_one_refusal(seed, protocol, edits, cut):
    data = bytearray(pickle.dumps(weights(seed % 7), protocol=protocol))
    for at, byte in edits:
        data[at % len(data)] = byte
    if cut is not None:
        data = data[: cut % (len(data) + 1)]
    try:
        value = loads(bytes(data))
    except PickleFileError as exc:
        assert "\n" not in str(exc)
        return
    stack, seen = [value], set()
    while stack:  # whatever came back is made of weights' parts only
        item = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        assert type(item) in (dict, collections.OrderedDict, list, tuple, str, bytes, bytearray, int, float, bool,
                              type(None), np.ndarray, set, frozenset) or isinstance(item, (np.generic, np.dtype))
        if isinstance(item, np.ndarray):
            assert item.dtype.kind in "biufc"
        elif isinstance(item, dict):
            stack.extend(item.values())
            stack.extend(item.keys())
        elif isinstance(item, (list, tuple, set, frozenset)):
            stack.extend(item)


@pytest.mark.skipif(not BOOK_REPO, reason="set CHAINRULE_BOOK_REPO to a copy of the book's repository")
@pytest.mark.parametrize("name", sorted(BOOK_FILES))
def test_the_books_weight_files_read_as_pickle_reads_them(name):
    path = Path(BOOK_REPO) / name
    arrays = read_weights(path)
    assert {k: v.shape for k, v in arrays.items()} == BOOK_FILES[name]
    with open(path, "rb") as f:
        reference = pickle.load(f)  # the book's own file, trusted here to check the reader against
    assert same(arrays, reference)
