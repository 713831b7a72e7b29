"""The bounds every architecture read from a file keeps, checked by arithmetic before anything is built.

A network class of :data:`chainrule.io.NETWORKS` computes the shapes of its arrays from its
config, without building anything: ``cls.parameter_shapes(config, size)`` returns
``{name: shape}`` for every parameter and state array a model file holds. It passes each
number that sizes the architecture through ``size(label, value, kind)`` before using it, so
the caller decides the bounds: :func:`size_check` without a file only asks for integers of
the right sign (the constructors' own checks); with a file, every number must also stay
within :data:`SIZE_LIMITS`, and the parameters in all within :data:`MAX_PARAMETERS`
(:func:`bounded_shapes`). The model reader (:mod:`chainrule.io.model`) and the PyTorch
exit's reader apply the same bounds, each failure its own error naming the file and the limit.
"""

from __future__ import annotations

import math

__all__ = ["MAX_CHANNELS", "MAX_IMAGE_SIDE", "MAX_LAYERS", "MAX_LAYER_SIZE", "MAX_PARAMETERS", "SIZE_LIMITS",
           "bounded_shapes", "check_total", "size_check"]

#: Layers of a fully connected network (hidden layers + 1).
MAX_LAYERS = 1000
#: Inputs, hidden units or outputs of one fully connected layer.
MAX_LAYER_SIZE = 1_000_000
#: Height or width of an image; a filter's size, a stride, a padding.
MAX_IMAGE_SIDE = 4096
#: Channels of an image, filters of a convolution.
MAX_CHANNELS = 4096
#: Numbers in all the arrays of a network: 200 MB of float32, 400 MB of float64.
MAX_PARAMETERS = 50_000_000

#: What kind of number sizes what, and the range it must keep in a file: ``kind: (lowest, highest)``.
SIZE_LIMITS = {
    "layers": (1, MAX_LAYERS),
    "size": (1, MAX_LAYER_SIZE),
    "side": (1, MAX_IMAGE_SIDE),
    "stride": (1, MAX_IMAGE_SIDE),
    "pad": (0, MAX_IMAGE_SIDE),
    "channels": (1, MAX_CHANNELS),
}


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def size_check(where=None, error=ValueError):
    """A ``size(label, value, kind) -> int`` for ``parameter_shapes``.

    Without ``where`` (a constructor's check): ``value`` must be an integer (NumPy's too) of
    at least the kind's lowest value, else ``ValueError("<label> must be a positive integer;
    got <value>")``. With ``where`` (a file, a module): a Python ``int`` within
    :data:`SIZE_LIMITS`, else ``error("<where>: <label> must be an integer from <low> to
    <high>, got <value>")``.
    """
    def size(label, value, kind):
        low, high = SIZE_LIMITS[kind]
        if where is None:
            if hasattr(value, "__index__") and not isinstance(value, bool) and value >= low:
                return int(value)
            sign = "positive" if low == 1 else "non-negative"
            raise ValueError(f"{label} must be a {sign} integer; got {value!r}")
        if _is_int(value) and low <= value <= high:
            return value
        raise error(f"{where}: {label} must be an integer from {low} to {high}, got {value!r}")

    return size


def check_total(shapes, error, says):
    """The numbers in all of ``shapes`` (``{name: shape}``), or ``error("<says> <n> parameters, more than
    the limit of ...")`` when more than :data:`MAX_PARAMETERS` (``says``: "<file>: the architecture has")."""
    total = sum(math.prod(shape) for shape in shapes.values())
    if total > MAX_PARAMETERS:
        raise error(f"{says} {total} parameters, more than the limit of {MAX_PARAMETERS}")
    return total


def bounded_shapes(cls, config, where, error):
    """``cls.parameter_shapes(config)`` with every number and the total within the bounds.

    Anything that keeps ``config`` from describing a network of ``cls`` (a missing or unknown
    argument, a filter that does not fit its input) is ``error("<where>: the stored architecture
    cannot be built: ...")``; a number or a total beyond the bounds names its limit.
    """
    try:
        shapes = cls.parameter_shapes(config, size_check(where, error))
    except error:
        raise
    except (TypeError, ValueError, KeyError, OverflowError, RecursionError) as exc:
        reason = f"missing {exc}" if isinstance(exc, KeyError) else str(exc)
        raise error(f"{where}: the stored architecture cannot be built: {reason}") from None
    check_total(shapes, error, f"{where}: the architecture has")
    return shapes
