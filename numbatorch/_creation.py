"""Tensor factories: tensor, as_tensor, from_numpy, zeros, ones, arange, rand, randn, … and their ``*_like``."""
import math

import numpy as np

from . import _dtype as dt
from ._random import numpy_generator
from ._tensor import Tensor, _size_arg, tensor_method


def _finish(arr, requires_grad=False):
    t = Tensor._make(arr)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _check_device(device):
    if device is not None and str(device).split(":")[0] not in ("cpu",):
        from . import cuda
        cuda._raise_unavailable()


def _infer_array(data):
    """ndarray for Python data with PyTorch's dtype inference (floats -> default dtype, ints -> int64)."""
    if isinstance(data, Tensor):
        return data._data
    if isinstance(data, np.ndarray):
        if data.dtype.kind in "USO":
            raise TypeError(f"can't convert np.ndarray of type numpy.{data.dtype}. The only supported types are: "
                            "float64, float32, float16, int64, int32, int16, int8, uint8, and bool.")
        return data
    if isinstance(data, np.generic):
        return np.asarray(data)
    if isinstance(data, (str, bytes)):
        raise TypeError(f"new(): invalid data type '{type(data).__name__}'")
    inferred = _infer_dtype(data)
    try:
        return np.array(data, dtype=inferred.np)
    except (ValueError, TypeError) as e:
        raise ValueError(f"expected sequence of equal-length lists: {e}") from None


def _infer_dtype(data):
    """Promote the dtypes of all leaves: bools, ints (int64), Python floats (default dtype), numpy values, Tensors."""
    if isinstance(data, (np.ndarray, np.generic)):  # first: np.float64 is also a Python float
        return dt.from_numpy_dtype(data.dtype)
    if isinstance(data, bool):
        return dt.bool_
    if isinstance(data, int):
        return dt.int64
    if isinstance(data, float):
        return dt.get_default_dtype()
    if isinstance(data, Tensor):
        return data.dtype
    if isinstance(data, (list, tuple)):
        result = None
        for item in data:
            d = _infer_dtype(item)
            result = d if result is None else dt.promote_types(result, d)
        return result or dt.get_default_dtype()
    raise TypeError(f"new(): invalid data type '{type(data).__name__}'")


def tensor(data, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """A new tensor holding a copy of ``data``."""
    _check_device(device)
    dtype = dt.as_dtype(dtype)
    if dtype is not None and isinstance(data, (list, tuple, int, float, bool)):
        # Convert straight to the requested dtype: going through the default dtype would round float64 data.
        return _finish(np.array(data, dtype=dtype.np), requires_grad)
    arr = _infer_array(data)
    arr = np.array(arr, dtype=None if dtype is None else dtype.np, copy=True)
    return _finish(arr, requires_grad)


def as_tensor(data, dtype=None, device=None):
    """``data`` as a tensor, sharing memory with a numpy array or tensor when no conversion is needed."""
    _check_device(device)
    dtype = dt.as_dtype(dtype)
    if isinstance(data, Tensor):
        return data if dtype is None or data.dtype is dtype else data.to(dtype)
    arr = _infer_array(data)
    if dtype is not None:
        arr = arr.astype(dtype.np, copy=False)
    return Tensor._make(arr)


asarray = as_tensor


def from_numpy(ndarray):
    """A tensor sharing memory with ``ndarray``."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    dt.from_numpy_dtype(ndarray.dtype)
    return Tensor._make(ndarray)


def _dtype_or_default(dtype):
    return dt.as_dtype(dtype) or dt.get_default_dtype()


def zeros(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    _check_device(device)
    return _finish(np.zeros(_size_arg(size), _dtype_or_default(dtype).np), requires_grad)


def ones(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    _check_device(device)
    return _finish(np.ones(_size_arg(size), _dtype_or_default(dtype).np), requires_grad)


def empty(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False,
          memory_format=None):
    _check_device(device)
    return _finish(np.empty(_size_arg(size), _dtype_or_default(dtype).np), requires_grad)


def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    _check_device(device)
    if dtype is None:
        dtype = dt.result_type(fill_value)
    return _finish(np.full(_size_arg((size,)), fill_value, dt.as_dtype(dtype).np), requires_grad)


def eye(n, m=None, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    _check_device(device)
    return _finish(np.eye(n, m, dtype=_dtype_or_default(dtype).np), requires_grad)


def arange(start, end=None, step=1, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    _check_device(device)
    if end is None:
        start, end = 0, start
    values = [v.item() if isinstance(v, Tensor) else v for v in (start, end, step)]
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if dtype is None:
        dtype = dt.get_default_dtype() if any(isinstance(v, float) for v in values) else dt.int64
    start, end, step = values
    # PyTorch computes the length in double precision, then fills start + i * step.
    n = max(math.ceil((end - start) / step), 0)
    arr = (start + np.arange(n, dtype=np.float64) * step) if dt.as_dtype(dtype).is_floating_point \
        else np.arange(start, end, step)
    return _finish(arr.astype(dt.as_dtype(dtype).np), requires_grad)


def range_(start=0, end=None, step=1, *, dtype=None, device=None, requires_grad=False):
    """Deprecated ``torch.range``: includes ``end``."""
    n = int(math.floor((end - start) / step)) + 1
    arr = start + np.arange(n, dtype=np.float64) * step
    return _finish(arr.astype(_dtype_or_default(dtype).np), requires_grad)


def linspace(start, end, steps, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    _check_device(device)
    return _finish(np.linspace(float(start), float(end), int(steps)).astype(_dtype_or_default(dtype).np),
                   requires_grad)


def logspace(start, end, steps, base=10.0, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False):
    _check_device(device)
    arr = np.logspace(float(start), float(end), int(steps), base=base)
    return _finish(arr.astype(_dtype_or_default(dtype).np), requires_grad)


def _like(fn):
    def like(input, *args, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None,
             **kwargs):
        return fn(input.shape, *args, dtype=dtype or input.dtype, requires_grad=requires_grad, **kwargs)
    like.__name__ = fn.__name__ + "_like"
    like.__doc__ = f"``{fn.__name__}`` with the shape (and by default the dtype) of ``input``."
    return like


zeros_like = _like(zeros)
ones_like = _like(ones)
empty_like = _like(empty)


def full_like(input, fill_value, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    return full(input.shape, fill_value, dtype=dtype or input.dtype, requires_grad=requires_grad)


# ---- random factories ---------------------------------------------------------------------------------
def rand(*size, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
         pin_memory=False):
    _check_device(device)
    dtype = _dtype_or_default(dtype)
    arr = numpy_generator(generator).random(_size_arg(size), dtype=np.float64).astype(dtype.np)
    return _finish(arr, requires_grad)


def randn(*size, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False):
    _check_device(device)
    dtype = _dtype_or_default(dtype)
    arr = numpy_generator(generator).standard_normal(_size_arg(size)).astype(dtype.np)
    return _finish(arr, requires_grad)


def randint(low=0, high=None, size=None, *, generator=None, out=None, dtype=None, layout=None, device=None,
            requires_grad=False):
    _check_device(device)
    if size is None:  # randint(high, size)
        low, high, size = 0, low, high
    if high <= low:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    arr = numpy_generator(generator).integers(low, high, _size_arg((size,)), dtype=np.int64)
    return _finish(arr.astype((dt.as_dtype(dtype) or dt.int64).np), requires_grad)


def rand_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    return rand(input.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


def randn_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    return randn(input.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


def randint_like(input, low=0, high=None, *, dtype=None, layout=None, device=None, requires_grad=False,
                 memory_format=None):
    if high is None:
        low, high = 0, low
    return randint(low, high, input.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


def normal(mean=0.0, std=1.0, size=None, *, generator=None, out=None, dtype=None, layout=None, device=None,
           requires_grad=False):
    """Samples from N(mean, std); ``mean``/``std`` may be tensors (broadcast) or numbers with ``size``."""
    rng = numpy_generator(generator)
    if isinstance(mean, Tensor) or isinstance(std, Tensor):
        m = mean._data if isinstance(mean, Tensor) else mean
        s = std._data if isinstance(std, Tensor) else std
        ref = mean if isinstance(mean, Tensor) else std
        shape = np.broadcast_shapes(np.shape(m), np.shape(s))
        arr = (m + s * rng.standard_normal(shape)).astype(ref._data.dtype)
        return _finish(arr, requires_grad)
    if size is None:
        raise TypeError("normal() received an invalid combination of arguments: size is required when mean and "
                        "std are numbers")
    arr = mean + std * rng.standard_normal(_size_arg((size,)))
    return _finish(arr.astype(_dtype_or_default(dtype).np), requires_grad)


def randperm(n, *, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
             pin_memory=False):
    _check_device(device)
    arr = numpy_generator(generator).permutation(int(n)).astype((dt.as_dtype(dtype) or dt.int64).np)
    return _finish(arr, requires_grad)


def bernoulli(input, p=None, *, generator=None, out=None):
    probs = input._data if p is None else np.full(input.shape, p)
    if np.any((probs < 0) | (probs > 1)):
        raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.")
    draws = numpy_generator(generator).random(input.shape) < probs
    return Tensor._make(draws.astype(input._data.dtype))


def multinomial(input, num_samples, replacement=False, *, generator=None, out=None):
    """Indices sampled by the (unnormalised) weights of each row of ``input``."""
    w = input._data.astype(np.float64)
    if w.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if np.any(w < 0) or not np.all(np.isfinite(w)):
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    rows = w.reshape(-1, w.shape[-1])
    if not replacement and num_samples > rows.shape[1]:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without replacement")
    rng = numpy_generator(generator)
    out = np.empty((rows.shape[0], num_samples), dtype=np.int64)
    for i, row in enumerate(rows):
        total = row.sum()
        if total <= 0:
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
        if not replacement and np.count_nonzero(row) < num_samples:
            raise RuntimeError("invalid multinomial distribution (with replacement=False, not enough non-negative "
                               "category to sample)")
        out[i] = rng.choice(row.size, size=num_samples, replace=replacement, p=row / total)
    return Tensor._make(out.reshape(w.shape[:-1] + (num_samples,)))


# ---- in-place random and fill methods ----------------------------------------------------------------
def _fill_inplace(self, values):
    """Overwrite ``self`` with constant ``values`` (the in-place random/fill ops; not differentiable)."""
    from ._ops._util import apply_inplace
    return apply_inplace(self, Tensor._make(np.asarray(values).astype(self._data.dtype, copy=False)))


@tensor_method()
def uniform_(self, a=0.0, b=1.0, *, generator=None):
    return _fill_inplace(self, numpy_generator(generator).uniform(a, b, self._data.shape))


@tensor_method()
def normal_(self, mean=0.0, std=1.0, *, generator=None):
    return _fill_inplace(self, mean + std * numpy_generator(generator).standard_normal(self._data.shape))


@tensor_method()
def random_(self, *args, generator=None, **kwargs):
    """``random_()`` (full range), ``random_(to)`` or ``random_(from, to)``: integers drawn uniformly."""
    bounds = list(args) + [kwargs[k] for k in ("from", "to") if k in kwargs]
    if len(bounds) == 2:
        low, high = bounds
    elif len(bounds) == 1:
        low, high = 0, bounds[0]
    else:
        kind = self._data.dtype
        low = 0
        high = (2 ** (np.finfo(kind).nmant + 1) + 1) if kind.kind == "f" else (
            2 if kind == np.bool_ else int(np.iinfo(kind).max) + 1)
    return _fill_inplace(self, numpy_generator(generator).integers(low, high, self._data.shape))


@tensor_method()
def bernoulli_(self, p=0.5, *, generator=None):
    probs = p._data if isinstance(p, Tensor) else p
    return _fill_inplace(self, numpy_generator(generator).random(self._data.shape) < probs)


@tensor_method()
def exponential_(self, lambd=1.0, *, generator=None):
    return _fill_inplace(self, numpy_generator(generator).exponential(1.0 / lambd, self._data.shape))


@tensor_method()
def geometric_(self, p, *, generator=None):
    return _fill_inplace(self, numpy_generator(generator).geometric(p, self._data.shape))


@tensor_method()
def log_normal_(self, mean=1.0, std=2.0, *, generator=None):
    return _fill_inplace(self, numpy_generator(generator).lognormal(mean, std, self._data.shape))


@tensor_method()
def cauchy_(self, median=0.0, sigma=1.0, *, generator=None):
    return _fill_inplace(self, median + sigma * numpy_generator(generator).standard_cauchy(self._data.shape))


@tensor_method()
def fill_(self, value):
    return _fill_inplace(self, value._data if isinstance(value, Tensor) else value)


@tensor_method()
def zero_(self):
    return _fill_inplace(self, 0)


@tensor_method("bernoulli")
def _bernoulli_method(self, p=None, *, generator=None):
    return bernoulli(self, p, generator=generator)


@tensor_method("multinomial")
def _multinomial_method(self, num_samples, replacement=False, *, generator=None):
    return multinomial(self, num_samples, replacement, generator=generator)
