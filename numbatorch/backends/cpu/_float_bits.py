"""A float's IEEE bits as a same-width integer and back, inside Numba kernels and in plain Python.

The vectorisable ``exp`` kernels build powers of two from exponent bits; LLVM's ``bitcast`` does that in one
instruction. The widths are explicit in the names: Numba widens int32 arithmetic to int64, so the argument is
cast to the width first. The plain-Python forms serve NUMBA_DISABLE_JIT.
"""
import numpy as np
from llvmlite import ir
from numba import types
from numba.extending import intrinsic, overload

_LOW_64_BITS = (1 << 64) - 1


def float64_from_bits(bits):
    """The float64 whose IEEE bits are the low 64 bits of the integer ``bits``."""
    return np.uint64(int(bits) & _LOW_64_BITS).view(np.float64)


def bits_from_float64(value):
    """The IEEE bits of ``value`` as a float64, as an int64."""
    return np.float64(value).view(np.int64)


def float32_from_bits(bits):
    """The float32 whose IEEE bits are the int32 ``bits``."""
    return np.int32(bits).view(np.float32)


def bits_from_float32(value):
    """The IEEE bits of ``value`` as a float32, as an int32."""
    return np.float32(value).view(np.int32)


def _jit_bitcast(plain, source, target, llvm_target):
    """Give ``plain`` a Numba implementation: cast the argument to ``source``, reinterpret its bits as ``target``."""
    @intrinsic
    def bitcast(typingctx, value):
        def codegen(context, builder, signature, args):
            return builder.bitcast(args[0], llvm_target)
        return target(source), codegen

    @overload(plain)
    def _overload(value):
        return lambda value: bitcast(value)


_jit_bitcast(float64_from_bits, types.int64, types.float64, ir.DoubleType())
_jit_bitcast(bits_from_float64, types.float64, types.int64, ir.IntType(64))
_jit_bitcast(float32_from_bits, types.int32, types.float32, ir.FloatType())
_jit_bitcast(bits_from_float32, types.float32, types.int32, ir.IntType(32))
