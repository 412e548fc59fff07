"""Tensor printing that matches PyTorch's ``torch._tensor_str`` output, on numpy arrays.

The Tensor class calls :func:`tensor_repr` with its raw ndarray; this module never sees a
Tensor, so it has no dependency on the rest of numbatorch.
"""

import contextlib
import dataclasses
import math

import numpy as np

__all__ = ["set_printoptions", "get_printoptions", "printoptions", "tensor_repr"]


@dataclasses.dataclass
class _PrinterOptions:
    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: bool | None = None


PRINT_OPTS = _PrinterOptions()

# Printed as ``dtype=numbatorch.float64``; tests set it to "torch" to compare with PyTorch
# byte for byte (the name's length decides where suffixes wrap).
DTYPE_MODULE = "numbatorch"

_PROFILES = {
    "default": dict(precision=4, threshold=1000, edgeitems=3, linewidth=80),
    "short": dict(precision=2, threshold=1000, edgeitems=2, linewidth=80),
    "full": dict(precision=4, threshold=math.inf, edgeitems=3, linewidth=80),
}


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None,
                     profile=None, sci_mode=None):
    """Set options for printing tensors (same arguments and semantics as PyTorch).

    ``profile`` ("default", "short", "full") is applied first, explicit options override it.
    Like PyTorch, ``sci_mode`` is always reset: omitting it means automatic choice.
    """
    if profile is not None and profile in _PROFILES:
        for name, value in _PROFILES[profile].items():
            setattr(PRINT_OPTS, name, value)
    if precision is not None:
        PRINT_OPTS.precision = precision
    if threshold is not None:
        PRINT_OPTS.threshold = threshold
    if edgeitems is not None:
        PRINT_OPTS.edgeitems = edgeitems
    if linewidth is not None:
        PRINT_OPTS.linewidth = linewidth
    PRINT_OPTS.sci_mode = sci_mode


def get_printoptions():
    """Current print options as a dict that can be passed back to :func:`set_printoptions`."""
    return dataclasses.asdict(PRINT_OPTS)


@contextlib.contextmanager
def printoptions(**kwargs):
    """Context manager that temporarily changes the print options."""
    old = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**old)


def _widest(strings):
    return max((len(s) for s in strings), default=0)


class _Formatter:
    """Chooses one element layout (int / fixed / scientific, and a width) for a whole tensor."""

    def __init__(self, data):
        if data.dtype.kind == "V":  # bfloat16 and float8 (ml_dtypes): float32 holds their values exactly
            data = data.astype(np.float32)
        self.floating = data.dtype.kind == "f"
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        flat = data.reshape(-1)
        if flat.size == 0:
            return
        if not self.floating:
            # The widest integer string is that of the largest or the smallest value.
            extremes = [flat.min().item(), flat.max().item()]
            self.max_width = max(self.max_width, _widest(str(v) for v in extremes))
            return

        values = flat.astype(np.float64)  # float16 would overflow at 1e8 (PyTorch uses double too)
        values = values[np.isfinite(values) & (values != 0)]
        if values.size == 0:
            return
        abs_values = np.abs(values)
        abs_min, abs_max = abs_values.min(), abs_values.max()
        self.int_mode = bool(np.all(values == np.ceil(values)))
        if PRINT_OPTS.sci_mode is None:
            with np.errstate(over="ignore"):  # 1e300 / 1e-300 is inf, which still means "sci"
                ratio = abs_max / abs_min
            self.sci_mode = bool(ratio > 1000.0 or abs_max > 1.0e8 or abs_min < 1.0e-4)
        else:
            self.sci_mode = PRINT_OPTS.sci_mode

        # String length grows monotonically with |value| within each sign (the exponent's
        # digit count too, at either end), so formatting these candidates finds the widest.
        candidates = []
        for part in (values[values > 0], values[values < 0]):
            if part.size:
                candidates += [float(part.min()), float(part.max())]
        precision = PRINT_OPTS.precision
        if self.sci_mode:
            width = _widest(f"{v:.{precision}e}" for v in candidates)
        elif self.int_mode:
            width = _widest(f"{v:.0f}" for v in candidates) + 1  # room for the trailing "."
        else:
            width = _widest(f"{v:.{precision}f}" for v in candidates)
        self.max_width = max(self.max_width, width)

    def width(self):
        return self.max_width

    def format(self, value):
        if self.floating:
            if self.sci_mode:
                text = f"{value:{self.max_width}.{PRINT_OPTS.precision}e}"
            elif self.int_mode:
                text = f"{value:.0f}"
                if not (math.isinf(value) or math.isnan(value)):
                    text += "."
            else:
                text = f"{value:.{PRINT_OPTS.precision}f}"
        else:
            text = f"{value}"
        return (self.max_width - len(text)) * " " + text


class _ComplexFormatter:
    """Formats complex values as ``real+imagj`` with one formatter per component."""

    def __init__(self, data):
        self.real = _Formatter(data.real)
        self.imag = _Formatter(data.imag)

    def width(self):
        return self.real.width() + self.imag.width() + 1  # + 1 for the "j"

    def format(self, value):
        real_text = self.real.format(value.real)
        imag_text = (self.imag.format(value.imag) + "j").lstrip()
        if imag_text[0] in "+-":
            return real_text + imag_text
        return real_text + "+" + imag_text


def _summarized_data(data):
    """The elements that will be printed when summarizing (edges of every dimension)."""
    edge = PRINT_OPTS.edgeitems
    if data.ndim == 0:
        return data
    if data.ndim == 1:
        if data.shape[0] > 2 * edge:
            # data[-0:] is the whole array, as in PyTorch: edgeitems=0 keeps every element.
            return np.concatenate((data[:edge], data[-edge:]))
        return data
    if not edge:
        return np.empty((0,) * data.ndim, dtype=data.dtype)
    rows = range(data.shape[0])
    if data.shape[0] > 2 * edge:
        rows = list(range(edge)) + list(range(data.shape[0] - edge, data.shape[0]))
    return np.stack([_summarized_data(data[i]) for i in rows])


def _vector_str(data, indent, summarize, formatter):
    element_length = formatter.width() + 2  # ", " between elements
    per_line = max(1, math.floor((PRINT_OPTS.linewidth - indent) / element_length))
    edge = PRINT_OPTS.edgeitems
    if summarize and not edge:
        items = ["..."]
    elif summarize and data.shape[0] > 2 * edge:
        items = ([formatter.format(v) for v in data[:edge].tolist()] + [" ..."]
                 + [formatter.format(v) for v in data[-edge:].tolist()])
    else:
        items = [formatter.format(v) for v in data.tolist()]
    lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _nested_str(data, indent, summarize, formatter):
    if data.ndim == 0:
        return formatter.format(data.item())
    if data.ndim == 1:
        return _vector_str(data, indent, summarize, formatter)
    edge = PRINT_OPTS.edgeitems
    size = data.shape[0]
    if summarize and size > 2 * edge:
        slices = ([_nested_str(data[i], indent + 1, summarize, formatter) for i in range(edge)]
                  + ["..."]
                  + [_nested_str(data[i], indent + 1, summarize, formatter)
                     for i in range(size - edge, size)])
    else:
        slices = [_nested_str(data[i], indent + 1, summarize, formatter) for i in range(size)]
    # Sub-tensors of a k-D tensor are separated by k-1 newlines (blank lines above 2-D).
    return "[" + ("," + "\n" * (data.ndim - 1) + " " * (indent + 1)).join(slices) + "]"


def _tensor_str(data, indent):
    """The bracketed element text of a non-empty array, wrapped for ``indent`` columns."""
    if data.size == 0:
        return "[]"
    summarize = data.size > PRINT_OPTS.threshold
    shown = _summarized_data(data) if summarize else data
    formatter = _ComplexFormatter(shown) if data.dtype.kind == "c" else _Formatter(shown)
    return _nested_str(data, indent, summarize, formatter)


def _add_suffixes(text, suffixes, indent):
    parts = [text]
    # Mirrors PyTorch's measure (it counts the newline and one more character).
    last_line_len = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if last_line_len + len(suffix) + 2 > PRINT_OPTS.linewidth:
            parts.append(",\n" + " " * indent + suffix)
            last_line_len = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            last_line_len += len(suffix) + 2
    parts.append(")")
    return "".join(parts)


def tensor_repr(data, dtype_name, *, default_dtype_name="float32", grad_fn_name=None,
                requires_grad=False, device="cpu", prefix="tensor("):
    """``repr`` of a tensor holding ``data``, exactly as PyTorch prints it.

    ``dtype_name`` is the numbatorch dtype without module ("float32", "int64", ...);
    ``default_dtype_name`` is the current default floating dtype.
    """
    data = np.asarray(data)
    indent = len(prefix)
    suffixes = []
    if str(device) != "cpu":
        suffixes.append(f"device='{device}'")

    dtype_suffix = f"dtype={DTYPE_MODULE}.{dtype_name}"
    default_complex = "complex128" if default_dtype_name == "float64" else "complex64"
    if data.size == 0:
        if data.ndim != 1:
            suffixes.append("size=" + str(tuple(data.shape)))
        # Nothing shows whether an empty tensor holds ints, so only the float default is implied.
        if dtype_name != default_dtype_name:
            suffixes.append(dtype_suffix)
        text = "[]"
    else:
        if not PRINT_OPTS.edgeitems:
            suffixes.append("size=" + str(tuple(data.shape)))
        if dtype_name not in (default_dtype_name, default_complex, "int64", "bool"):
            suffixes.append(dtype_suffix)
        text = _tensor_str(data, indent)

    if grad_fn_name is not None:
        suffixes.append(f"grad_fn=<{grad_fn_name}>")
    elif requires_grad:
        suffixes.append("requires_grad=True")
    return _add_suffixes(prefix + text, suffixes, indent)
