"""What the checker and the process running the learner's code say to each other: plain data only.

A message is a JSON document and the arrays it refers to, each written as ``.npy``
bytes (``numpy.save``, read back with ``allow_pickle=False``): nothing read from the
other side can run code or build an object other than numbers, strings, lists,
tuples, dicts and arrays of numbers. On the wire a message is::

    8 bytes: the length of the JSON, big-endian     then the JSON (UTF-8)
    for each array it names: 8 bytes of length, then its .npy bytes

In the JSON, ``{"$a": i}`` is the i-th array, ``{"$t": [...]}`` a tuple,
``{"$d": [[key, value], ...]}`` a dict, ``{"$f": "inf"}`` a float that JSON has no
word for, and ``{"$v": "str"}`` a value that is not data (what the learner's code
returned instead of an array: only its type's name crosses).
"""

from __future__ import annotations

import io
import json
import math
import struct

import numpy as np

__all__ = ["MAX_ARRAY_BYTES", "MAX_JSON_BYTES", "Opaque", "WireError", "decode", "encode", "read_message",
           "write_message"]

#: Bounds on what is read from the other side (a message larger than this is refused, not allocated).
MAX_JSON_BYTES = 16 << 20
MAX_ARRAY_BYTES = 256 << 20
_LENGTH = struct.Struct(">Q")


class WireError(Exception):
    """The other side sent something that is not a message."""


class Opaque:
    """A value that is not data: only the name of its type crossed (``"str"``, ``"list"``, ...)."""

    def __init__(self, type_name):
        self.type_name = str(type_name)

    def __repr__(self):
        return f"<{self.type_name}>"

    def __eq__(self, other):
        return isinstance(other, Opaque) and other.type_name == self.type_name

    def __hash__(self):
        return hash(self.type_name)


def encode(value, arrays):
    """``value`` as JSON-ready data, its arrays appended to ``arrays`` (a list).

    Numbers, strings, None, lists, tuples, dicts and arrays of numbers pass; a NumPy
    scalar passes as a 0-d array; anything else becomes ``{"$v": its type's name}``.
    """
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else {"$f": repr(value)}
    if isinstance(value, (np.ndarray, np.generic)) and np.asarray(value).dtype.kind in "biufc":
        arrays.append(np.asarray(value))
        return {"$a": len(arrays) - 1}
    if isinstance(value, list):
        return [encode(v, arrays) for v in value]
    if isinstance(value, tuple):
        return {"$t": [encode(v, arrays) for v in value]}
    if isinstance(value, dict):
        return {"$d": [[encode(k, arrays), encode(v, arrays)] for k, v in value.items()]}
    return {"$v": type(value).__name__}


def decode(data, arrays):
    """The value :func:`encode` wrote, its arrays taken from ``arrays``."""
    if isinstance(data, list):
        return [decode(v, arrays) for v in data]
    if not isinstance(data, dict):
        return data
    if len(data) != 1:
        raise WireError(f"unknown entry with keys {sorted(data)[:5]}")
    (tag, inner), = data.items()
    if tag == "$a":
        if not isinstance(inner, int) or not 0 <= inner < len(arrays):
            raise WireError(f"array {inner!r} is not in the message")
        return arrays[inner]
    if tag == "$t":
        return tuple(decode(v, arrays) for v in inner)
    if tag == "$d":
        out = {}
        for k, v in inner:
            key = decode(k, arrays)
            out[key if not isinstance(key, list) else tuple(key)] = decode(v, arrays)
        return out
    if tag == "$f" and inner in ("inf", "-inf", "nan"):
        return float(inner)
    if tag == "$v":
        return Opaque(inner)
    raise WireError(f"unknown entry {tag!r}")


def write_message(stream, value):
    """Write ``value`` (see :func:`encode`) to the binary ``stream`` and flush it."""
    arrays = []
    head = json.dumps(encode(value, arrays), allow_nan=False, separators=(",", ":")).encode("utf-8")
    parts = [_LENGTH.pack(len(head)), head]
    for a in arrays:
        buf = io.BytesIO()
        np.save(buf, a, allow_pickle=False)
        data = buf.getvalue()
        parts += [_LENGTH.pack(len(data)), data]
    stream.write(b"".join(parts))
    stream.flush()


def _read_exactly(stream, n):
    chunks, left = [], n
    while left:
        chunk = stream.read(left)
        if not chunk:
            raise EOFError("the other side closed the stream")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _length(stream, limit, what):
    n = _LENGTH.unpack(_read_exactly(stream, _LENGTH.size))[0]
    if n > limit:
        raise WireError(f"{what} of {n} bytes (more than {limit})")
    return n


def read_message(stream):
    """The next value from the binary ``stream``; EOFError at its end, WireError for anything else."""
    try:
        head = _read_exactly(stream, _length(stream, MAX_JSON_BYTES, "a message"))
        data = json.loads(head.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise WireError(f"not a message ({type(exc).__name__})") from None
    count = _count_arrays(data)
    arrays = []
    for _ in range(count):
        blob = _read_exactly(stream, _length(stream, MAX_ARRAY_BYTES, "an array"))
        try:
            arrays.append(np.load(io.BytesIO(blob), allow_pickle=False))
        except (ValueError, OSError, EOFError) as exc:
            raise WireError(f"not an array ({exc})") from None
    return decode(data, arrays)


def _count_arrays(data):
    """How many arrays the JSON refers to: one more than the largest index (they are numbered in order)."""
    stack, largest = [data], -1
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            if "$a" in item and isinstance(item["$a"], int):
                largest = max(largest, item["$a"])
            else:
                stack.extend(item.values())
    if largest >= 100_000:
        raise WireError(f"a message naming {largest + 1} arrays")
    return largest + 1
