"""``torch.testing``: ``assert_close`` (PyTorch's default tolerances and failure messages) and ``make_tensor``."""
import math

import numpy as np

from . import _dtype as dt
from ._tensor import Tensor

__all__ = ["assert_close", "make_tensor"]

# (rtol, atol) by dtype, as PyTorch's assert_close; integers and bools compare exactly.
_TOLERANCES = {"float16": (1e-3, 1e-5), "float32": (1.3e-6, 1e-5), "float64": (1e-7, 1e-7)}


def _shape_repr(shape):
    return f"torch.Size({list(shape)})"


def _compare_tensors(actual, expected, rtol, atol, equal_nan, check_dtype, path):
    if tuple(actual.shape) != tuple(expected.shape):
        raise AssertionError(f"The values for attribute 'shape' do not match: {_shape_repr(actual.shape)} != "
                             f"{_shape_repr(expected.shape)}.{path}")
    if check_dtype and actual.dtype is not expected.dtype:
        raise AssertionError(f"The values for attribute 'dtype' do not match: torch.{actual.dtype.name} != "
                             f"torch.{expected.dtype.name}.{path}")
    dtype = dt.promote_types(actual.dtype, expected.dtype)
    exact = not dtype.is_floating_point
    if rtol is None:
        rtol, atol = (0.0, 0.0) if exact else _TOLERANCES[dtype.name]
    if actual.dim() == 0:  # PyTorch reports 0-d tensors as scalars
        _compare_scalars(actual.item(), expected.item(), rtol, atol, equal_nan, path, exact)
        return
    # Differences are taken in the common dtype (integers: the default float dtype), as PyTorch does.
    work = dtype.np if not exact else dt.get_default_dtype().np
    a = actual._data.astype(work)
    e = expected._data.astype(work)
    with np.errstate(invalid="ignore", divide="ignore"):
        diff = np.abs(a - e)
        close = diff <= atol + rtol * np.abs(e)
        if equal_nan:
            close |= np.isnan(a) & np.isnan(e)
        close |= (a == e)  # equal infinities
    if close.all():
        return
    mismatched = int((~close).sum())
    with np.errstate(invalid="ignore", divide="ignore"):
        rel = diff / np.abs(e)
    abs_index = np.unravel_index(np.argmax(np.where(np.isnan(diff), np.inf, diff)), diff.shape)
    rel_index = np.unravel_index(np.argmax(np.where(np.isnan(rel), np.inf, rel)), rel.shape)
    word = "equal" if exact else "close"
    abs_val, rel_val = diff[abs_index].item(), rel[rel_index].item()
    abs_text = f"{int(abs_val)}" if exact and np.isfinite(abs_val) else f"{abs_val}"
    lines = [f"Tensor-likes are not {word}!", "",
             f"Mismatched elements: {mismatched} / {diff.size} ({100 * mismatched / diff.size:.1f}%)",
             f"Greatest absolute difference: {abs_text} at index {tuple(int(i) for i in abs_index)}"
             + ("" if exact else f" (up to {atol} allowed)"),
             f"Greatest relative difference: {rel_val} at index {tuple(int(i) for i in rel_index)}"
             + ("" if exact else f" (up to {rtol} allowed)")]
    raise AssertionError("\n".join(lines) + path)


def _compare_scalars(actual, expected, rtol, atol, equal_nan, path, exact=None):
    if exact is None:
        exact = not (isinstance(expected, float) or isinstance(actual, float))
    if rtol is None:
        rtol, atol = (0.0, 0.0) if exact else (1e-7, 1e-7)
    if (equal_nan and math.isnan(actual) and math.isnan(expected)) or actual == expected:
        return
    diff = abs(actual - expected)
    if diff <= atol + rtol * abs(expected):
        return
    rel = diff / abs(expected) if expected else math.inf
    if exact:
        raise AssertionError(f"Scalars are not equal!\n\nExpected {expected} but got {actual}.\nAbsolute difference: "
                             f"{diff}\nRelative difference: {rel}{path}")
    raise AssertionError(f"Scalars are not close!\n\nExpected {expected} but got {actual}.\nAbsolute difference: "
                         f"{diff} (up to {atol} allowed)\nRelative difference: {rel} (up to {rtol} allowed){path}")


def assert_close(actual, expected, *, allow_subclasses=True, rtol=None, atol=None, equal_nan=False,
                 check_device=True, check_dtype=True, check_layout=True, check_stride=False, msg=None, _path=""):
    """Raise AssertionError unless ``actual`` and ``expected`` (tensors, numbers, or sequences/mappings of them)
    are close: ``|actual - expected| <= atol + rtol * |expected|`` elementwise, with dtype-based defaults."""
    if (rtol is None) != (atol is None):
        missing = "rtol" if rtol is None else "atol"
        raise ValueError(f"Both 'rtol' and 'atol' must be either specified or omitted, but got no {missing}.")
    path = f"\n\nThe failure occurred for item {_path}" if _path else ""
    try:
        if isinstance(actual, (list, tuple)) and isinstance(expected, (list, tuple)):
            if len(actual) != len(expected):
                raise AssertionError(f"The length of the sequences mismatch: {len(actual)} != {len(expected)}{path}")
            for i, (a, e) in enumerate(zip(actual, expected)):
                assert_close(a, e, rtol=rtol, atol=atol, equal_nan=equal_nan, check_dtype=check_dtype,
                             _path=f"{_path}[{i}]")
            return
        if isinstance(actual, dict) and isinstance(expected, dict):
            if set(actual) != set(expected):
                raise AssertionError(f"The keys of the mappings do not match{path}")
            for key in expected:
                assert_close(actual[key], expected[key], rtol=rtol, atol=atol, equal_nan=equal_nan,
                             check_dtype=check_dtype, _path=f"{_path}[{key!r}]")
            return
        if isinstance(actual, Tensor) or isinstance(expected, Tensor):
            if not (isinstance(actual, Tensor) and isinstance(expected, Tensor)):
                raise AssertionError(f"Both inputs have to be tensors, but got {type(actual).__name__} and "
                                     f"{type(expected).__name__}{path}")
            _compare_tensors(actual, expected, rtol, atol, equal_nan, check_dtype, path)
            return
        if isinstance(actual, (int, float, bool)) and isinstance(expected, (int, float, bool)):
            _compare_scalars(actual, expected, rtol, atol, equal_nan, path)
            return
        if actual != expected:
            raise AssertionError(f"{actual!r} != {expected!r}{path}")
    except AssertionError as err:
        if msg is None or _path:
            raise
        raise AssertionError(msg(str(err)) if callable(msg) else msg) from None


def make_tensor(*shape, dtype, device=None, low=None, high=None, requires_grad=False, noncontiguous=False,
                exclude_zero=False, memory_format=None):
    """A tensor of ``shape`` with values drawn uniformly from ``[low, high)`` (PyTorch's defaults: [-9, 9) for
    floats and signed ints, [0, 10) for uint8, {False, True} for bool)."""
    from ._creation import _size, tensor
    from ._random import numpy_generator
    size = _size("make_tensor", shape, None)
    d = dt.as_dtype(dtype)
    rng = numpy_generator(None)
    if d is dt.bool_:
        values = rng.integers(0, 2, size).astype(bool)
    elif d.is_floating_point:
        lo, hi = (-9.0 if low is None else low), (9.0 if high is None else high)
        values = rng.uniform(lo, hi, size)
    else:
        lo = (0 if d is dt.uint8 else -9) if low is None else low
        hi = 10 if high is None else high
        values = rng.integers(int(lo), int(hi), size)
    if exclude_zero:
        values = np.where(values == 0, 1, values)
    return tensor(values, dtype=d, requires_grad=requires_grad)
