"""Reading the book's weight files (``.pkl``) without running anything they contain.

The book ships trained weights as pickles (``ch03/sample_weight.pkl``,
``ch07/params.pkl``, ``ch08/deep_convnet_params.pkl``): a dict of NumPy arrays.
Python's own ``pickle.load`` rebuilds whatever a file names, so a pickle can run any
code when it is loaded. This reader rebuilds only what weights are made of, as
``torch.load(..., weights_only=True)`` does:

* NumPy arrays and NumPy scalars of booleans, integers, floats and complex numbers
  (any byte order; no object, string, structured or date arrays);
* dicts (and ``OrderedDict``), lists, tuples, strings, bytes, Python numbers,
  ``True``/``False``/``None``.

Every other object a pickle names (a function, a class, a module's attribute) is
refused with one line naming it, before anything is called: :class:`PickleFileError`.
The opcodes are checked first (:func:`pickletools.genops`: a damaged or truncated
file, or a length that runs past its end, is refused before unpickling), and what is
built is bounded: the file at most :data:`MAX_FILE_BYTES`, all arrays together at
most :data:`MAX_ARRAY_BYTES`, nesting at most :data:`MAX_DEPTH` levels.

:func:`read_weights` reads a weights file (``{name: array}``); :func:`load`,
:func:`loads` and :class:`Unpickler` have the signatures of :mod:`pickle`'s, for code
written against those (the book runner gives them to the book's scripts).
"""

from __future__ import annotations

import collections
import io
import math
import pickle
import pickletools
import re
import warnings

import numpy as np

from . import npz
from .bounds import MAX_PARAMETERS
from .errors import ModelFileError

__all__ = ["MAX_ARRAY_BYTES", "MAX_DEPTH", "MAX_FILE_BYTES", "PickleFileError", "Unpickler", "load", "loads",
           "read_weights"]

#: All arrays of one file together (the model files' parameter bound, in float64).
MAX_ARRAY_BYTES = 8 * MAX_PARAMETERS
#: A pickle file's size (its arrays, plus room for the opcodes around them).
MAX_FILE_BYTES = MAX_ARRAY_BYTES + (16 << 20)
#: How deeply containers may nest (the book's files: a dict of arrays, depth 1).
MAX_DEPTH = 100
_KINDS = "biufc"  # booleans, integers, unsigned, floats, complex
_STD_UNPICKLER = pickle.Unpickler  # as imported: the book runner puts this module's Unpickler in its place
_DTYPE_CODE = re.compile(r"[<>|=]?[A-Za-z?][0-9]{0,2}")
_ATOMS = (str, bytes, bytearray, int, float, complex, type(None))
_WHAT = "only NumPy arrays, dicts, lists, tuples, strings and numbers are read from a pickle"
_OPCODES = frozenset(op.name for op in pickletools.opcodes) - {
    "PERSID", "BINPERSID", "EXT1", "EXT2", "EXT4", "INST", "OBJ", "NEXT_BUFFER", "READONLY_BUFFER"}


class PickleFileError(ModelFileError, pickle.UnpicklingError):
    """A pickle the weights-only reader will not read: it names something else than weights
    (a function, a class), it is damaged, or it exceeds a bound. The message is one line."""


class _Marker:
    """What a pickle gets for ``numpy.ndarray``: the type for ``_reconstruct``, never callable."""

    __slots__ = ()


_NDARRAY = _Marker()


class _Dtype:
    """A dtype named by a pickle, checked to be numeric; ``BUILD`` may set its byte order."""

    __slots__ = ("dtype",)

    def __init__(self, dtype):
        self.dtype = dtype

    def __setstate__(self, state):
        if not isinstance(state, tuple) or len(state) < 2 or state[1] not in ("<", ">", "|", "="):
            raise PickleFileError(f"a dtype's state {state!r:.80} is not a byte order")
        if any(v is not None for v in state[2:5] if len(state) > 4):
            raise PickleFileError("a dtype with fields (a structured array); " + _WHAT)
        if state[1] in "<>":
            self.dtype = self.dtype.newbyteorder(state[1])


class _Array(np.ndarray):
    """An array being rebuilt: ``BUILD`` comes here, where its shape, dtype and bytes are checked
    (each load makes a subclass whose ``reader`` holds that load's byte budget)."""

    reader = None

    def __setstate__(self, state):
        reader = self.reader
        if not isinstance(state, tuple) or len(state) not in (4, 5):
            raise PickleFileError("an array's state is not (shape, dtype, fortran, data)")
        version = state[:-4]
        shape, dtype, fortran, data = state[-4:]
        dtype = reader.dtype_of(dtype)
        shape = reader.shape_of(shape)
        if isinstance(data, str):  # a pickle of Python 2 (encoding='latin1')
            data = reader.count(data.encode("latin-1"))
        if not isinstance(data, (bytes, bytearray)):
            raise PickleFileError(f"an array of {dtype} holds {type(data).__name__}, not bytes; " + _WHAT)
        need = math.prod(shape) * dtype.itemsize
        if len(data) != need:
            raise PickleFileError(f"an array of shape {shape} and {dtype} needs {need} bytes, the file has {len(data)}")
        reader.count(need)
        super().__setstate__((*version, shape, dtype, bool(fortran), data))


class _Reader:
    """The callables a pickle may name, bound to one load's byte budget."""

    def __init__(self, max_array_bytes):
        self.left = max_array_bytes
        self.limit = max_array_bytes
        self.array_type = type("_Array", (_Array,), {"reader": self})

    def count(self, data):
        n = data if isinstance(data, int) else len(data)
        self.left -= n
        if self.left < 0:
            raise PickleFileError(f"its arrays need more than the limit of {self.limit} bytes")
        return data

    @staticmethod
    def dtype_of(spec):
        if isinstance(spec, _Dtype):
            return spec.dtype
        raise PickleFileError(f"an array's dtype is a {type(spec).__name__}; " + _WHAT)

    @staticmethod
    def shape_of(shape):
        if not isinstance(shape, tuple) or len(shape) > 32 \
                or not all(type(n) is int and n >= 0 for n in shape):
            raise PickleFileError(f"an array's shape {shape!r:.80} is not a tuple of sizes")
        return shape

    def dtype(self, obj, align=False, copy=False):
        if isinstance(obj, bytes):
            obj = obj.decode("latin-1")
        if not isinstance(obj, str) or not _DTYPE_CODE.fullmatch(obj):  # 'f8', '<i4', 'b1', 'c16', ...
            raise PickleFileError(f"dtype {obj!r:.40}; " + _WHAT)
        try:
            dtype = np.dtype(obj)
        except TypeError:
            raise PickleFileError(f"unknown dtype {obj!r}") from None
        if dtype.kind not in _KINDS:
            raise PickleFileError(f"an array of {dtype} (kind {dtype.kind!r}); " + _WHAT)
        return _Dtype(dtype)

    def reconstruct(self, subtype, shape, dtype):
        if subtype is not _NDARRAY or shape != (0,):
            raise PickleFileError("_reconstruct is called with something else than (numpy.ndarray, (0,), ...)")
        return self.array_type((0,), np.int8)

    def frombuffer(self, buf, dtype, shape, order):
        dtype, shape = self.dtype_of(dtype), self.shape_of(shape)
        if not isinstance(buf, (bytes, bytearray)) or order not in ("C", "F"):
            raise PickleFileError("_frombuffer is called with something else than bytes and an order")
        need = math.prod(shape) * dtype.itemsize
        if len(buf) != need:
            raise PickleFileError(f"an array of shape {shape} and {dtype} needs {need} bytes, the file has {len(buf)}")
        self.count(need)
        return np.frombuffer(buf, dtype).reshape(shape, order=order)

    def scalar(self, dtype, data):
        dtype = self.dtype_of(dtype)
        if isinstance(data, str):  # Python 2's pickles
            data = data.encode("latin-1")
        if not isinstance(data, (bytes, bytearray)) or len(data) != dtype.itemsize:
            raise PickleFileError(f"a NumPy scalar of {dtype} without its {dtype.itemsize} bytes")
        return np.frombuffer(data, dtype)[0]

    def encode(self, text, encoding="utf-8"):  # how protocols 0-2 store bytes: _codecs.encode(str, 'latin1')
        if not isinstance(text, str) or encoding not in ("latin1", "latin-1"):
            raise PickleFileError("_codecs.encode is called with something else than text and 'latin1'")
        return self.count(text.encode("latin-1"))

    @staticmethod
    def empty_bytes(*args):
        if args:
            raise PickleFileError("bytes is called with arguments")
        return b""

    def ordered_dict(self, items=()):
        if items != ():
            raise PickleFileError("OrderedDict is called with arguments")
        return collections.OrderedDict()

    def find(self, module, name):
        """The callable a pickle may name ``module.name`` by, or :class:`PickleFileError`."""
        allowed = {
            ("numpy", "ndarray"): _NDARRAY,
            ("numpy", "dtype"): self.dtype,
            ("numpy.core.multiarray", "_reconstruct"): self.reconstruct,
            ("numpy._core.multiarray", "_reconstruct"): self.reconstruct,
            ("numpy.core.multiarray", "scalar"): self.scalar,
            ("numpy._core.multiarray", "scalar"): self.scalar,
            ("numpy.core.numeric", "_frombuffer"): self.frombuffer,
            ("numpy._core.numeric", "_frombuffer"): self.frombuffer,
            ("_codecs", "encode"): self.encode,
            ("collections", "OrderedDict"): self.ordered_dict,
            ("builtins", "bytes"): self.empty_bytes,
            ("__builtin__", "bytes"): self.empty_bytes,  # protocols 0-2 store b"" as bytes()
        }
        if (module, name) in allowed:
            return allowed[module, name]
        shown = f"{module}.{name}".encode("unicode_escape").decode("ascii")  # one line, whatever the file says
        raise PickleFileError(f"it names {shown}; " + _WHAT + " (anything else could run code)")


def _scan(data, name):
    """Check every opcode (and that every length fits in the file); the offset just past STOP."""
    stream = io.BytesIO(data)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # a damaged text opcode (an invalid escape) is damage, not a warning
            ops = list(pickletools.genops(stream))
        for op, arg, pos in ops:
            if op.name not in _OPCODES:
                raise PickleFileError(f"{name}: refused: opcode {op.name} at byte {pos} is not used by weights; "
                                      + _WHAT)
            if op.name == "FRAME" and arg > len(data) - pos:
                raise PickleFileError(f"{name}: damaged: a frame of {arg} bytes at byte {pos} runs past the end")
            if op.name in ("PUT", "BINPUT", "LONG_BINPUT") and arg > len(data):  # the memo would be grown to it
                raise PickleFileError(f"{name}: damaged: memo index {arg} at byte {pos} is beyond the file's size")
    except PickleFileError:
        raise
    except (ValueError, TypeError, OverflowError, Warning) as exc:  # genops: truncated, an unknown opcode
        raise PickleFileError(f"{name} is not a readable pickle: {str(exc).splitlines()[0]}") from None
    return stream.tell()


def _plain(item, name, memo, depth=0):
    """``item`` with every rebuilt array a plain ``ndarray`` (and dtypes real dtypes), nesting bounded."""
    if isinstance(item, _Array):
        return memo.setdefault(id(item), item.view(np.ndarray))
    if type(item) is np.ndarray:  # protocol 5's _frombuffer
        return item
    if isinstance(item, _Dtype):
        return item.dtype
    if isinstance(item, _ATOMS) or (isinstance(item, np.generic) and item.dtype.kind in _KINDS):
        return item
    if not isinstance(item, (dict, list, tuple, set, frozenset)):  # what a GLOBAL stands for, not an object
        raise PickleFileError(f"{name}: refused: it holds {getattr(item, '__name__', type(item).__name__)} itself; "
                              + _WHAT)
    if id(item) in memo:
        return memo[id(item)]
    if depth >= MAX_DEPTH:
        raise PickleFileError(f"{name}: refused: containers nested more than {MAX_DEPTH} levels deep")
    if isinstance(item, (dict, list)):  # converted in place (a list may hold itself)
        memo[id(item)] = item
        for k, v in list(item.items() if isinstance(item, dict) else enumerate(item)):
            item[k] = _plain(v, name, memo, depth + 1)
        return item
    memo[id(item)] = new = type(item)(_plain(v, name, memo, depth + 1) for v in item)
    return new


class Unpickler:
    """:class:`pickle.Unpickler`'s interface (``Unpickler(file).load()``), reading weights only.

    Parameters
    ----------
    file : a binary file object (``read``; ``seek`` and ``tell`` to leave it after the pickle)
    fix_imports, encoding, errors : as for :class:`pickle.Unpickler`
        ``encoding="latin1"`` reads pickles of NumPy arrays written by Python 2.
    buffers : must be None (out-of-band buffers are not read)
    max_file_bytes, max_array_bytes : int
        The bounds (:data:`MAX_FILE_BYTES`, :data:`MAX_ARRAY_BYTES`).
    """

    def __init__(self, file, *, fix_imports=True, encoding="ASCII", errors="strict", buffers=None,
                 max_file_bytes=MAX_FILE_BYTES, max_array_bytes=MAX_ARRAY_BYTES):
        self.file = file
        self.options = {"fix_imports": fix_imports, "encoding": encoding, "errors": errors}
        if buffers is not None:
            raise PickleFileError("out-of-band buffers are not read; " + _WHAT)
        self.max_file_bytes = int(max_file_bytes)
        self.max_array_bytes = int(max_array_bytes)

    def load(self):
        """Read one pickle from the file; returns what it holds (arrays as plain ``ndarray``)."""
        return _read(self.file, str(getattr(self.file, "name", "the pickle")), self.options, self.max_file_bytes,
                     self.max_array_bytes)


def _read(file, name, options, max_file_bytes=MAX_FILE_BYTES, max_array_bytes=MAX_ARRAY_BYTES):
    """One pickle from ``file`` (left just after it when it can seek), read through the checks."""
    start = file.tell() if _seekable(file) else None
    data = file.read(max_file_bytes + 1)
    if not isinstance(data, bytes):
        raise TypeError(f"{name} must be opened in binary mode ('rb')")
    if len(data) > max_file_bytes:
        raise PickleFileError(f"{name}: refused: more than the limit of {max_file_bytes} bytes")
    if not data:
        raise PickleFileError(f"{name} is empty (EOFError: Ran out of input)")
    end = _scan(data, name)
    if start is not None:
        file.seek(start + end)  # where pickle.load would leave it
    return _load_checked(data[:end], name, options, max_array_bytes)


def _seekable(f):
    try:
        return f.seekable()
    except (AttributeError, ValueError, OSError):
        return False


def _load_checked(data, name, options, max_array_bytes):
    reader = _Reader(max_array_bytes)

    class _Restricted(_STD_UNPICKLER):
        def find_class(self, module, attr):
            return reader.find(module, attr)

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            value = _Restricted(io.BytesIO(data), **options).load()
    except PickleFileError as exc:
        message = str(exc)
        raise PickleFileError(message if message.startswith(name) else f"{name}: refused: {message}") from None
    except (pickle.UnpicklingError, ValueError, TypeError, EOFError, AttributeError, KeyError, IndexError,
            OverflowError, UnicodeDecodeError, MemoryError, RecursionError, Warning) as exc:
        raise PickleFileError(f"{name} is not a readable weights pickle: {type(exc).__name__}: "
                              f"{str(exc).splitlines()[0] if str(exc) else ''}") from None
    return _plain(value, name, {})


def load(file, *, fix_imports=True, encoding="ASCII", errors="strict", buffers=None):
    """:func:`pickle.load`, reading weights only (see the module's description)."""
    return Unpickler(file, fix_imports=fix_imports, encoding=encoding, errors=errors, buffers=buffers).load()


def loads(data, /, *, fix_imports=True, encoding="ASCII", errors="strict", buffers=None):
    """:func:`pickle.loads`, reading weights only."""
    if isinstance(data, str):
        raise TypeError("a bytes-like object is required, not 'str'")
    return load(io.BytesIO(bytes(data)), fix_imports=fix_imports, encoding=encoding, errors=errors, buffers=buffers)


def read_weights(path, *, encoding="ASCII"):
    """The arrays of a weights pickle such as the book's ``params.pkl``: ``{name: ndarray}``.

    Parameters
    ----------
    path : str or Path
        A regular file holding a pickled dict of NumPy arrays (the book's ``save_params``).
    encoding : str
        ``"latin1"`` for a pickle written by Python 2.

    Returns
    -------
    dict of str to numpy.ndarray

    Raises
    ------
    FileNotFoundError
    PickleFileError
        When the file names anything but weights, is damaged, exceeds a bound, or
        does not hold a dict of arrays (one line, naming the file).
    """
    with npz.open_regular(path, PickleFileError) as f:
        value = _read(f, str(path), {"fix_imports": True, "encoding": encoding, "errors": "strict"})
    if not isinstance(value, dict):
        raise PickleFileError(f"{path} holds a {type(value).__name__}, not a dict of arrays")
    for key, array in value.items():
        if not isinstance(key, str) or not isinstance(array, np.ndarray):
            raise PickleFileError(f"{path} holds {key!r}: {type(array).__name__}, not a name and an array")
    return dict(value)
