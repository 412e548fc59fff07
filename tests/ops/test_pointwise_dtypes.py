"""Elementwise math ops: result dtypes of mixed and integer operands, and argument errors, against PyTorch."""
import numpy as np
import pytest

import numbatorch as nt

from ._pointwise_pairs import _torch


UNARY_DTYPE_OPS = ["abs", "exp", "log", "sqrt", "rsqrt", "square", "sin", "tanh", "sigmoid", "relu", "erf",
                   "erfinv", "reciprocal", "sinc", "logit", "sign", "sgn", "floor", "ceil", "round", "trunc",
                   "frac", "nan_to_num", "exp2", "expm1", "log1p", "asin", "atan"]


@pytest.mark.parametrize("name", UNARY_DTYPE_OPS)
def test_unary_result_dtypes_match_torch(name):
    torch = _torch()
    for dtype in ("int64", "int32", "uint8", "bool", "float16", "float64"):
        values = np.array([1, 0, 1]).astype(dtype)
        try:
            expected = getattr(torch, name)(torch.tensor(values)).dtype
        except Exception as e:  # the same error class must be raised
            with pytest.raises(type(e)):
                getattr(nt, name)(nt.tensor(values))
            continue
        assert getattr(nt, name)(nt.tensor(values)).dtype.name == str(expected)[6:], (name, dtype)


def _operands(case, module):
    """Operand pairs of mixed kinds (the same for numbatorch and torch)."""
    mk = lambda v, d: module.tensor(np.array(v).astype(d))  # noqa: E731
    return {
        "i64,f32": (mk([1, 0, 2], "int64"), mk([1, 0, 2], "float32")),
        "b,b": (mk([True, False, True], "bool"), mk([True, True, False], "bool")),
        "i32,i64": (mk([1, 0, 2], "int32"), mk([3, 0, 2], "int64")),
        "f32,f64_0d": (mk([1, 0, 2], "float32"), mk(2.0, "float64")),
        "u8,i8": (mk([1, 0, 2], "uint8"), mk([1, -1, 2], "int8")),
        "i32,f64_0d": (mk([1, 0, 2], "int32"), mk(2.0, "float64")),
        "f16,f32": (mk([1, 0, 2], "float16"), mk([1, 3, 2], "float32")),
    }[case]


@pytest.mark.parametrize("name", ["maximum", "minimum", "fmax", "fmin", "atan2", "hypot", "logaddexp", "xlogy",
                                  "heaviside", "where", "clamp_min", "clamp_max", "clamp", "addcmul", "addcdiv",
                                  "lerp"])
def test_binary_result_dtypes_match_torch(name):
    torch = _torch()

    def call(module, a, b):
        if name == "where":
            return module.where(module.tensor([True, False, True]), a, b)
        if name == "clamp":
            return module.clamp(a, b, b)
        if name in ("addcmul", "addcdiv"):
            return getattr(module, name)(a, a, b)
        if name == "lerp":
            return module.lerp(a, b, 0.5)
        return getattr(module, name)(a, b)

    for case in ("i64,f32", "b,b", "i32,i64", "f32,f64_0d", "u8,i8", "i32,f64_0d", "f16,f32"):
        try:
            expected = call(torch, *_operands(case, torch))
        except Exception as e:
            with pytest.raises(type(e)):
                call(nt, *_operands(case, nt))
            continue
        out = call(nt, *_operands(case, nt))
        assert out.dtype.name == str(expected.dtype)[6:], (name, case)
        np.testing.assert_allclose(out.numpy().astype(np.float64), expected.numpy().astype(np.float64),
                                   rtol=1e-3, equal_nan=True)


def test_scalar_arguments_of_tensor_only_ops_raise_type_error():
    with pytest.raises(TypeError, match=r"maximum\(\): argument 'other' \(position 2\) must be Tensor, not float"):
        nt.maximum(nt.ones(2), 2.5)
    with pytest.raises(TypeError):
        nt.atan2(1.0, nt.ones(2))


def test_broadcast_error_names_sizes():
    with pytest.raises(RuntimeError, match=r"The size of tensor a \(3\) must match the size of tensor b \(4\) at "
                                           r"non-singleton dimension 1"):
        nt.maximum(nt.ones(2, 3), nt.ones(2, 4))


def test_integer_inputs_promote_and_tensor_methods_exist():
    torch = _torch()
    i = np.array([1, 2, 3])
    for name in ("exp", "sqrt", "sin", "log", "sigmoid", "tanh", "erf"):
        out = getattr(nt.tensor(i), name)()
        ref = getattr(torch.tensor(i), name)()
        assert out.dtype is nt.float32
        np.testing.assert_allclose(out.numpy(), ref.numpy(), rtol=1e-6)
    assert abs(nt.tensor([-1.5])).tolist() == [1.5]
