"""numbatorch: PyTorch's API on numpy arrays and Numba kernels. Use it as ``import numbatorch as torch``."""
from . import _threading_layer  # noqa: F401  (must pick numba's threading layer before any kernel runs)
from . import _malloc  # noqa: F401  (glibc keeps freed memory for the next arrays: no fresh pages each step)
from .backends.cpu import _cache_loads  # noqa: F401  (cached kernels load without Numba's compiler registries)
from . import _ops  # noqa: F401  (attaches Tensor methods)
from ._dtype import (bool_ as bool, double, float, float16, float32, float64, get_default_dtype, half, int,
                     int8, int16, int32, int64, long, promote_types, set_default_dtype, short, uint8, dtype,
                     bfloat16, cdouble, cfloat, chalf, complex32, complex64, complex128, float8_e4m3fn,
                     float8_e4m3fnuz, float8_e5m2, float8_e5m2fnuz, uint16, uint32, uint64)
from ._device import device
from ._size import Size
from ._tensor import Tensor
from ._tensor_str import get_printoptions, printoptions, set_printoptions
from ._random import (Generator, default_generator, get_rng_state, initial_seed, manual_seed, seed,
                      set_rng_state)
from ._creation import (arange, as_tensor, asarray, bernoulli, empty, empty_like, empty_strided, eye, from_numpy,
                        full, full_like, linspace, logspace, multinomial, normal, ones, ones_like, rand, rand_like,
                        randint, randint_like, randn, randn_like, randperm, range, scalar_tensor, tensor,
                        tril_indices, triu_indices, zeros, zeros_like)
from ._legacy_types import (BFloat16Tensor, BoolTensor, ByteTensor, CharTensor, DoubleTensor, FloatTensor,
                            HalfTensor, IntTensor, LongTensor, ShortTensor)
from ._layout import (channels_last, channels_last_3d, contiguous_format, layout, memory_format, preserve_format,
                      sparse_coo, strided)
from ._ops.arithmetic import (add, div, divide, floor_divide, fmod, mul, multiply, neg, negative, pow,
                              remainder, rsub, sub, subtract, true_divide)
from ._ops.unary_math import *  # noqa: F401,F403
from ._ops.activation import *  # noqa: F401,F403
from ._ops.binary_math import *  # noqa: F401,F403
from ._ops.ternary import *  # noqa: F401,F403
from ._ops.rounding import *  # noqa: F401,F403
from ._ops.classification import *  # noqa: F401,F403
from ._ops.comparison import *  # noqa: F401,F403
from ._ops.reduction import *  # noqa: F401,F403
from ._ops.statistics import *  # noqa: F401,F403
from ._ops.cumulative import *  # noqa: F401,F403
from ._ops.norms import norm  # noqa: F401
from ._ops.softmax import *  # noqa: F401,F403
from ._ops.sorting import *  # noqa: F401,F403
from ._ops.views import *  # noqa: F401,F403
from ._ops.joining import *  # noqa: F401,F403
from ._ops.reordering import *  # noqa: F401,F403
from ._ops.subscript import *  # noqa: F401,F403
from ._ops.scatter_gather import *  # noqa: F401,F403
from ._ops.index_ops import *  # noqa: F401,F403
from ._ops.masking import *  # noqa: F401,F403
from ._ops.products import *  # noqa: F401,F403
from ._ops.vector_products import *  # noqa: F401,F403
from ._ops.contractions import *  # noqa: F401,F403
from ._ops.addmm_ops import *  # noqa: F401,F403
from ._ops.inplace_functions import *  # noqa: F401,F403
from ._ops.linalg_torch import *  # noqa: F401,F403
from ._sparse_coo import sparse_coo_tensor
from .sparse import mm as spmm
from ._ops.numerics import *  # noqa: F401,F403
from ._ops.complex_ops import *  # noqa: F401,F403
from ._ops.stft import *  # noqa: F401,F403
from ._lobpcg import lobpcg  # noqa: F401
from ._ops.queries import *  # noqa: F401,F403
from ._type_info import finfo, iinfo
from ._ops.namespace_forms import *  # noqa: F401,F403
from ._ops.tensor_extras import *  # noqa: F401,F403
from ._ops.tensor_methods_extra import *  # noqa: F401,F403
from ._dlpack import from_dlpack, to_dlpack
from ._creation import frombuffer
from ._ops.gamma_functions import *  # noqa: F401,F403
from ._windows import bartlett_window, blackman_window, hamming_window, hann_window, kaiser_window
from ._creation import binomial, poisson
from ._legacy_types import set_default_tensor_type
from .autograd import (enable_grad, inference_mode, is_grad_enabled, is_inference_mode_enabled, no_grad,
                       set_grad_enabled)
from .autograd.anomaly_mode import is_anomaly_check_nan_enabled, is_anomaly_enabled
from . import autograd, cuda, linalg, return_types, sparse, special  # noqa: F401
from . import _api_placeholders  # noqa: F401  (left-out Tensor names raise NotImplementedError)
from ._runtime import (are_deterministic_algorithms_enabled, compile, get_default_device,
                       get_float32_matmul_precision, get_num_interop_threads, get_num_threads,
                       is_deterministic_algorithms_warn_only_enabled, set_default_device,
                       set_float32_matmul_precision, set_num_interop_threads, set_num_threads,
                       use_deterministic_algorithms)
from ._runtime_flags import *  # noqa: F401,F403
from ._sym_scalars import *  # noqa: F401,F403
from ._control_flow import cond, while_loop
from ._errors import AcceleratorError, FatalError, OutOfMemoryError
from ._layout import contiguous_format as legacy_contiguous_format
from ._ops.copy_forms import *  # noqa: F401,F403
from ._ops.removed_functions import *  # noqa: F401,F403
from ._ops import tensor_compat  # noqa: F401  (attaches Tensor.is_sparse_csr, to_sparse_coo, ...)
from ._ops.static_index import nonzero_static, put
from ._ops.strided_scatter import as_strided_scatter
from ._ops.norm_except_dim import norm_except_dim
from ._creation_permuted import empty_permuted
from ._autocast_state import *  # noqa: F401,F403
from ._ops.lowrank import pca_lowrank, svd_lowrank
from ._ops.index_reduce import index_reduce
from ._ops.histogramdd import histogramdd
from ._ops.incomplete_gamma import igamma, igammac
from ._ops.hash_tensor import hash_tensor
from ._ops.segment_reduce import segment_reduce
from ._ops.as_strided_inplace import as_strided_

__version__ = "0.1.0"

# Submodules imported on first attribute access (``torch.nn``, ``torch.fx``, ...), keeping ``import numbatorch`` fast;
# so are the ``torch.*`` forms of nn functions (``torch.conv2d``, ``torch.layer_norm``: ``_functional_aliases``).
_LAZY_SUBMODULES = frozenset({"_C", "_dynamo", "accelerator", "amp", "compiler", "cpu", "distributed", "distributions",
                              "fft", "func", "functional", "fx", "jit", "keras", "masked", "multiprocessing", "nn",
                              "onnx", "optim", "profiler", "quasirandom", "random", "serialization", "signal",
                              "testing", "torch_version", "types", "utils", "version", "vision"})
# Names taken from a submodule on first access (name: submodule).
_LAZY_ATTRIBUTES = {"load": "serialization", "save": "serialization", "autocast": "amp", "GradScaler": "amp",
                    "vmap": "func"}


def __getattr__(name):
    import importlib
    if name in _LAZY_SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    if name in _LAZY_ATTRIBUTES:
        globals()[name] = value = getattr(importlib.import_module(f".{_LAZY_ATTRIBUTES[name]}", __name__), name)
        return value
    if not name.startswith("__"):  # dunder probes (copy, pickle, inspect) must not import nn
        aliases = importlib.import_module("._functional_aliases", __name__)
        if name in aliases.__all__:
            globals()[name] = value = getattr(aliases, name)
            return value
    from ._api_placeholders import left_out_error
    raise left_out_error("torch", name, __name__)


def __dir__():
    from ._functional_aliases import __all__ as aliases
    return sorted(set(globals()) | _LAZY_SUBMODULES | set(_LAZY_ATTRIBUTES) | set(aliases))
