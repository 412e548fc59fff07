"""Random tensor factories (rand, randn, randint, normal, randperm, bernoulli, multinomial, ...) and the in-place
random and fill methods of Tensor (uniform_, normal_, fill_, zero_, ...)."""
import operator

import numpy as np

from . import _dtype as dt
from ._creation_args import (_check_device, _check_options, _device_of, _finish, _int_arg, _number, _number_for,
                             _require_float, _resolve_dtype, _size)
from ._device import move
from ._random import numpy_generator
from ._tensor import Tensor, tensor_method

# ---- random factories ---------------------------------------------------------------------------------
def rand(*sizes, size=None, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
         pin_memory=False):
    """Uniform samples from [0, 1) of the given size."""
    dev = _check_options("rand", device, layout)
    dtype = _resolve_dtype(dtype, out, dt.get_default_dtype)
    _require_float(dtype.to_real(), "check_uniform_bounds")
    shape = _size("rand", sizes, size)
    rng = numpy_generator(generator)
    arr = rng.random(shape, dtype=np.float64)
    if dtype.is_complex:  # real and imaginary parts each uniform on [0, 1), as in PyTorch
        arr = arr + 1j * rng.random(shape, dtype=np.float64)
    arr = arr.astype(dt.conversion_dtype(dtype)).astype(dtype.np, copy=False)
    return _finish(arr, requires_grad, out, "rand", device=dev)


def randn(*sizes, size=None, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False):
    """Standard normal samples of the given size."""
    dev = _check_options("randn", device, layout)
    dtype = _resolve_dtype(dtype, out, dt.get_default_dtype)
    _require_float(dtype.to_real(), "normal_kernel_cpu")
    shape = _size("randn", sizes, size)
    rng = numpy_generator(generator)
    arr = rng.standard_normal(shape)
    if dtype.is_complex:  # unit variance in all: real and imaginary parts each N(0, 1/2), as in PyTorch
        arr = (arr + 1j * rng.standard_normal(shape)) * np.sqrt(0.5)
    arr = arr.astype(dt.conversion_dtype(dtype)).astype(dtype.np, copy=False)
    return _finish(arr, requires_grad, out, "randn", device=dev)


_C_TYPE_NAMES = {"bool": "bool", "uint8": "unsigned char", "int8": "signed char", "int16": "short",
                 "int32": "int", "int64": "long"}


def _check_int_bounds(low, high, dtype):
    """``randint``'s bounds must fit an integer ``dtype`` (PyTorch's ``from``/``to - 1`` messages)."""
    if dtype.is_floating_point:
        return
    lo, hi = (0, 1) if dtype is dt.bool_ else (np.iinfo(dtype.np).min, np.iinfo(dtype.np).max)
    if low < lo or low > hi:
        raise RuntimeError(f"from is out of bounds for {_C_TYPE_NAMES[dtype.name]}")
    if high - 1 < lo or high - 1 > hi:
        raise RuntimeError(f"to - 1 is out of bounds for {_C_TYPE_NAMES[dtype.name]}")


def randint(*args, low=None, high=None, size=None, generator=None, out=None, dtype=None, layout=None,
            device=None, requires_grad=False):
    """Integers drawn uniformly from ``[low, high)``.

    Call it as ``randint(high, size)`` or ``randint(low, high, size)``, any of them by keyword
    (``randint(10, size=(1,))``).
    """
    dev = _check_options("randint", device, layout)
    args = list(args)
    if size is None and args and isinstance(args[-1], (tuple, list)):
        size = args.pop()
    bounds = [_number(a) for a in args]
    if high is not None:
        bounds.append(_number(high))
    if low is not None:
        bounds.insert(0, _number(low))
    if size is None or not 1 <= len(bounds) <= 2:
        got = ", ".join(type(a).__name__ for a in [*args, *(x for x in (low, high, size) if x is not None)])
        raise TypeError(f"randint() received an invalid combination of arguments - got ({got}), but expected one "
                        "of:\n * (int high, tuple of ints size, *, torch.Generator generator, Tensor out, "
                        "torch.dtype dtype, torch.layout layout, torch.device device, bool requires_grad)\n"
                        " * (int low, int high, tuple of ints size, *, torch.Generator generator, Tensor out, "
                        "torch.dtype dtype, torch.layout layout, torch.device device, bool requires_grad)")
    if len(bounds) == 1:
        bounds.insert(0, 0)
    names = ("low", "high") if len(args) > 1 or low is not None else (None, "high")
    for name, value, pos in zip(names, bounds, (1, 2) if names[0] else (0, 1)):
        if name is not None:
            _int_arg("randint", name, pos, value)
    low, high = (operator.index(b) for b in bounds)
    if high <= low:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    dtype = _resolve_dtype(dtype, out, dt.int64)
    _check_int_bounds(low, high, dtype)
    shape = _size("randint", (size,), None, pos=len(args) + 1)
    arr = numpy_generator(generator).integers(low, high, shape, dtype=np.int64)
    return _finish(arr.astype(dtype.np), requires_grad, out, "randint", device=dev)


def rand_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    """``rand`` with the shape (and by default the dtype) of ``input``."""
    return rand(input.shape, dtype=dtype or input.dtype, layout=layout,
                device=input.device if device is None else device, requires_grad=requires_grad)


def randn_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    """``randn`` with the shape (and by default the dtype) of ``input``."""
    return randn(input.shape, dtype=dtype or input.dtype, layout=layout,
                 device=input.device if device is None else device, requires_grad=requires_grad)


def randint_like(input, low=0, high=None, *, dtype=None, layout=None, device=None, requires_grad=False,
                 memory_format=None):
    """``randint`` with the shape (and by default the dtype) of ``input``; ``randint_like(x, high)`` too."""
    if high is None:
        low, high = 0, low
    return randint(low, high, input.shape, dtype=dtype or input.dtype, layout=layout,
                   device=input.device if device is None else device, requires_grad=requires_grad)


def normal(mean=0.0, std=1.0, size=None, *, generator=None, out=None, dtype=None, layout=None, device=None,
           requires_grad=False):
    """Samples from N(mean, std); ``mean``/``std`` may be tensors (broadcast) or numbers with ``size``."""
    dev = _check_device(device)
    rng = numpy_generator(generator)
    if isinstance(mean, Tensor) or isinstance(std, Tensor):
        tensors = [t for t in (mean, std) if isinstance(t, Tensor)]
        result_dtype = dt.result_type(*tensors)
        _require_float(result_dtype, "normal_kernel_cpu")
        m = mean.numpy(force=True) if isinstance(mean, Tensor) else mean
        s = std.numpy(force=True) if isinstance(std, Tensor) else std
        if dev is None:
            dev = _check_device(tensors[0].device)
        if np.any(np.asarray(s) < 0):
            raise RuntimeError("normal expects all elements of std >= 0.0")
        try:
            shape = np.broadcast_shapes(np.shape(m), np.shape(s))
        except ValueError:
            from ._ops._util import broadcast_error
            raise broadcast_error(np.shape(m), np.shape(s)) from None
        arr = (m + s * rng.standard_normal(shape)).astype(result_dtype.np)
        return _finish(arr, requires_grad, out, "normal", device=dev)
    if size is None:
        raise TypeError(f"normal() received an invalid combination of arguments - got ({type(mean).__name__}, "
                        f"{type(std).__name__}), but expected one of: (Tensor mean, Tensor std), (Tensor mean, "
                        "float std), (float mean, Tensor std), (float mean, float std, tuple of ints size)")
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    dtype = _resolve_dtype(dtype, out, dt.get_default_dtype)
    _require_float(dtype, "normal_kernel_cpu")
    arr = mean + std * rng.standard_normal(_size("normal", (size,), None))
    return _finish(arr.astype(dtype.np), requires_grad, out, "normal", device=dev)


def randperm(n, *, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
             pin_memory=False):
    """A random permutation of ``0 .. n-1``."""
    dev = _check_options("randperm", device, layout)
    n = _int_arg("randperm", "n", 1, n)
    if n < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {n}: [{n}]")
    dtype = _resolve_dtype(dtype, out, dt.int64)
    if dtype is dt.bool_:
        raise NotImplementedError("\"randperm\" not implemented for 'Bool'")
    arr = numpy_generator(generator).permutation(n).astype(dtype.np)
    return _finish(arr, requires_grad, out, "randperm", device=dev)


def poisson(input, generator=None):
    """Poisson draws with rates ``input`` (same shape and floating dtype)."""
    _require_float(input.dtype, "poisson_cpu")
    rates = input.numpy(force=True)
    if np.any(rates < 0):
        raise RuntimeError("invalid Poisson rate, expected rate to be non-negative")
    return _finish(numpy_generator(generator).poisson(rates).astype(rates.dtype), device=_device_of(input))


def binomial(count, prob, generator=None):
    """Binomial draws: successes in ``count`` trials of probability ``prob`` (floating tensors, broadcast)."""
    _require_float(count.dtype, "binomial_cpu")
    draws = numpy_generator(generator).binomial(count.numpy(force=True).astype(np.int64), prob.numpy(force=True))
    return _finish(np.asarray(draws).astype(count._data.dtype), device=_device_of(count))


def bernoulli(input, p=None, *, generator=None, out=None):
    """0/1 draws with probability ``input`` (or the constant ``p``), of ``input``'s shape and dtype."""
    probs = input.numpy(force=True) if p is None else np.full(input.shape, p)
    if np.any((probs < 0) | (probs > 1)):
        raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.")
    draws = numpy_generator(generator).random(input.shape) < probs
    return _finish(draws.astype(input._data.dtype), out=out, fname="bernoulli", device=_device_of(input))


def multinomial(input, num_samples, replacement=False, *, generator=None, out=None):
    """Indices sampled by the (unnormalised) weights of each row of ``input``."""
    w = input.numpy(force=True).astype(np.float64)
    if w.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if np.any(w < 0) or not np.all(np.isfinite(w)):
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    rows = w.reshape(-1, w.shape[-1])
    if not replacement and num_samples > rows.shape[1]:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without replacement")
    rng = numpy_generator(generator)
    result = np.empty((rows.shape[0], num_samples), dtype=np.int64)
    for i, row in enumerate(rows):
        total = row.sum()
        if total <= 0:
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
        if not replacement and np.count_nonzero(row) < num_samples:
            raise RuntimeError("invalid multinomial distribution (with replacement=False, not enough non-negative "
                               "category to sample)")
        result[i] = rng.choice(row.size, size=num_samples, replace=replacement, p=row / total)
    return _finish(result.reshape(w.shape[:-1] + (num_samples,)), out=out, fname="multinomial",
                   device=_device_of(input))


# ---- in-place random and fill methods ----------------------------------------------------------------
def _fill_inplace(self, values):
    """Overwrite ``self`` with constant ``values`` (the in-place random/fill ops; not differentiable)."""
    from ._ops._util import apply_inplace
    values = np.asarray(values).astype(self._data.dtype, copy=False)
    if type(self._data) is not np.ndarray:  # drawn on the host, like every random number of numbatorch
        values = move(values, self.device)
    return apply_inplace(self, Tensor._make(values))


@tensor_method()
def uniform_(self, a=0.0, b=1.0, *, generator=None):
    """Fills self with samples from the uniform distribution on ``[a, b)``; returns self."""
    return _fill_inplace(self, numpy_generator(generator).uniform(a, b, self._data.shape))


@tensor_method()
def normal_(self, mean=0.0, std=1.0, *, generator=None):
    """Fills self with samples from the normal distribution ``N(mean, std ** 2)``; returns self."""
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
    """Fills self with 1 with probability ``p``, else 0; returns self."""
    probs = p.numpy(force=True) if isinstance(p, Tensor) else p
    return _fill_inplace(self, numpy_generator(generator).random(self._data.shape) < probs)


@tensor_method()
def exponential_(self, lambd=1.0, *, generator=None):
    """Fills self with samples from the exponential distribution of rate ``lambd``; returns self."""
    return _fill_inplace(self, numpy_generator(generator).exponential(1.0 / lambd, self._data.shape))


@tensor_method()
def geometric_(self, p, *, generator=None):
    """Fills self with the number of trials (from 1) to the first success of probability ``p``."""
    return _fill_inplace(self, numpy_generator(generator).geometric(p, self._data.shape))


@tensor_method()
def log_normal_(self, mean=1.0, std=2.0, *, generator=None):
    """Fills self with ``exp`` of samples from ``N(mean, std ** 2)``; returns self."""
    return _fill_inplace(self, numpy_generator(generator).lognormal(mean, std, self._data.shape))


@tensor_method()
def cauchy_(self, median=0.0, sigma=1.0, *, generator=None):
    """Fills self with samples from the Cauchy distribution ``(median, sigma)``; returns self."""
    return _fill_inplace(self, median + sigma * numpy_generator(generator).standard_cauchy(self._data.shape))


@tensor_method()
def fill_(self, value):
    """Fills self with ``value``; returns self."""
    return _fill_inplace(self, value._data if isinstance(value, Tensor) else _number_for(value, self.dtype))


@tensor_method()
def zero_(self):
    """Fills self with zeros; returns self."""
    return _fill_inplace(self, 0)


@tensor_method("bernoulli")
def _bernoulli_method(self, p=None, *, generator=None):
    """0/1 samples, 1 with the probability in each element (or ``p``)."""
    return bernoulli(self, p, generator=generator)


@tensor_method("multinomial")
def _multinomial_method(self, num_samples, replacement=False, *, generator=None):
    """``num_samples`` category indices per row, drawn with probabilities proportional to self."""
    return multinomial(self, num_samples, replacement, generator=generator)
