"""Atomic loads, stores and compare-exchanges on int64 arrays, raw pointers, and calls through a function address, for
Numba kernels that hand work between threads without the GIL (``_spin_pool``).

Numba has no atomics on the CPU and no way to call a function by its address; these are LLVM's own instructions,
emitted by ``@intrinsic``. Acquire/release ordering is what a hand-off needs: a store made before a release store
is seen by the thread whose acquire load reads that release store's value.
"""
from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

# The C signature of a job (``_spin_jobs``): first and end index of its part, then its integer and float arguments.
JOB_SIGNATURE = types.void(types.int64, types.int64, types.CPointer(types.int64), types.CPointer(types.float64))
_JOB_TYPE = ir.FunctionType(ir.VoidType(), [ir.IntType(64), ir.IntType(64), ir.IntType(64).as_pointer(),
                                            ir.DoubleType().as_pointer()])


def _element_pointer(context, builder, array_type, array, index):
    return builder.gep(context.make_array(array_type)(context, builder, array).data, [index])


@intrinsic
def load_acquire(typingctx, array, index):
    """``array[index]`` (int64, C-contiguous), read with acquire ordering."""
    def codegen(context, builder, signature, args):
        return builder.load_atomic(_element_pointer(context, builder, array, *args), "acquire", 8)
    return types.int64(array, index), codegen


@intrinsic
def store_release(typingctx, array, index, value):
    """``array[index] = value`` (int64), written with release ordering."""
    def codegen(context, builder, signature, args):
        builder.store_atomic(args[2], _element_pointer(context, builder, array, args[0], args[1]), "release", 8)
        return context.get_dummy_value()
    return types.void(array, index, types.int64), codegen


@intrinsic
def compare_exchange(typingctx, array, index, expected, new):
    """Sets ``array[index]`` to ``new`` if it holds ``expected``, atomically; True when it did."""
    def codegen(context, builder, signature, args):
        pointer = _element_pointer(context, builder, array, args[0], args[1])
        result = builder.cmpxchg(pointer, args[2], args[3], "acq_rel", "acquire")
        return builder.extract_value(result, 1)
    return types.boolean(array, index, types.int64, types.int64), codegen


@intrinsic
def data_pointer(typingctx, array):
    """The pointer to ``array``'s first element."""
    def codegen(context, builder, signature, args):
        return context.make_array(array)(context, builder, args[0]).data
    return types.CPointer(array.dtype)(array), codegen


@intrinsic
def element_pointer(typingctx, address, index, dtype):
    """A pointer to element ``index`` of the ``dtype`` array (``np.float32``, ...) at the int64 ``address``."""
    element = dtype.dtype if isinstance(dtype, types.DTypeSpec) else dtype.instance_type

    def codegen(context, builder, signature, args):
        first = builder.inttoptr(args[0], context.get_value_type(element).as_pointer())
        return builder.gep(first, [args[1]])
    return types.CPointer(element)(types.int64, types.int64, dtype), codegen


@intrinsic
def call_job(typingctx, address, start, stop, ints, floats):
    """Calls the job (``JOB_SIGNATURE``) at ``address`` on ``start:stop`` with its argument arrays."""
    def codegen(context, builder, signature, args):
        function = builder.inttoptr(args[0], _JOB_TYPE.as_pointer())
        builder.call(function, args[1:])
        return context.get_dummy_value()
    return types.void(types.int64, types.int64, types.int64, ints, floats), codegen


@intrinsic
def call_void(typingctx, address, arguments):
    """Calls the C function at ``address`` returning nothing, whose parameters are the types of the tuple
    ``arguments`` (integers and floats: int32 for a C int, int64 for a pointer on a 64-bit machine)."""
    def codegen(context, builder, signature, args):
        values = [builder.extract_value(args[1], i) for i in range(len(arguments))]
        function_type = ir.FunctionType(ir.VoidType(), [context.get_value_type(t) for t in arguments])
        builder.call(builder.inttoptr(args[0], function_type.as_pointer()), values)
        return context.get_dummy_value()
    return types.void(types.int64, arguments), codegen


@intrinsic
def call_int(typingctx, address):
    """Calls the C function ``int f(void)`` at ``address``."""
    def codegen(context, builder, signature, args):
        function_type = ir.FunctionType(ir.IntType(32), [])
        return builder.call(builder.inttoptr(args[0], function_type.as_pointer()), [])
    return types.int32(types.int64), codegen


@intrinsic
def call_with_pointer(typingctx, address, pointer):
    """Calls the C function ``int f(void *)`` at ``address`` (such as ``sem_wait``) with ``pointer``."""
    def codegen(context, builder, signature, args):
        int_type = ir.IntType(32)
        function_type = ir.FunctionType(int_type, [ir.IntType(8).as_pointer()])
        function = builder.inttoptr(args[0], function_type.as_pointer())
        return builder.call(function, [builder.bitcast(args[1], ir.IntType(8).as_pointer())])
    return types.int32(types.int64, pointer), codegen


@intrinsic
def cpu_relax(typingctx):
    """A spin-wait hint (x86 ``pause``; nothing elsewhere): the spinning core yields to its sibling hyperthread
    and draws less power."""
    def codegen(context, builder, signature, args):
        if builder.module.triple.startswith(("x86_64", "i686", "i386")):
            pause = cgutils.get_or_insert_function(builder.module, ir.FunctionType(ir.VoidType(), []),
                                                   "llvm.x86.sse2.pause")
            builder.call(pause, [])
        return context.get_dummy_value()
    return types.void(), codegen
