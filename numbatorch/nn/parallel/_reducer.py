"""The gradient reducer of DistributedDataParallel: bucketed, averaging all-reduces started from gradient hooks.

Parameters are grouped into buckets (same dtype, in reverse registration order, since gradients arrive roughly
from the last layer backwards; the first bucket is small so communication starts early). The gradient hook of
each parameter copies the parameter's whole local gradient for the step (what ``.grad`` will hold, including
gradients accumulated under ``no_sync()``) into its bucket slot; a bucket whose slots are all filled starts a
non-blocking MPI all-reduce at once. Buckets are launched strictly in index order, so every rank issues the
same collectives in the same order whatever order its gradients arrive in. When the last expected gradient
arrives, the reducer waits for the buckets and writes the averages into ``.grad``.

The engine runs a leaf's hook and then accumulates into its ``.grad`` before the next leaf's hook: when the
last hook runs, every other ``.grad`` is final and is overwritten in place; the last one's average is
returned through its hook. The engine finishes a leaf (hook, then accumulation) as soon as its last consumer
in the graph has run, as PyTorch's AccumulateGrad does, so the buckets of the last layers start while backward
is still computing the gradients of the first ones.
"""
import dataclasses

import numpy as np

from ... import _tensor
from ...distributed import _mpi

DEFAULT_BUCKET_CAP_MB = 25
DEFAULT_FIRST_BUCKET_BYTES = 1024 * 1024


class _Bucket:
    """Flat buffer of some parameters' gradients, all-reduced in one MPI call."""

    __slots__ = ("indices", "offsets", "buffer", "pending", "request")

    def __init__(self, indices, params):
        self.indices = indices
        sizes = [params[i]._data.size for i in indices]
        self.offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(int)
        self.buffer = np.empty(int(self.offsets[-1]), dtype=params[indices[0]]._data.dtype)
        self.pending = len(indices)
        self.request = None


def assign_buckets(params, bucket_cap_mb=None, first_bucket_bytes=DEFAULT_FIRST_BUCKET_BYTES):
    """Group parameter indices into buckets: reverse order, one dtype per bucket, at most the cap in bytes."""
    cap = int((DEFAULT_BUCKET_CAP_MB if bucket_cap_mb is None else bucket_cap_mb) * 1024 * 1024)
    buckets, open_by_dtype, closed_dtypes = [], {}, set()
    for i in reversed(range(len(params))):
        arr = params[i]._data
        indices, size = open_by_dtype.get(arr.dtype, ([], 0))
        indices.append(i)
        size += arr.nbytes
        limit = cap if arr.dtype in closed_dtypes else min(first_bucket_bytes, cap)
        if size >= limit:
            buckets.append(indices)
            open_by_dtype.pop(arr.dtype, None)
            closed_dtypes.add(arr.dtype)
        else:
            open_by_dtype[arr.dtype] = (indices, size)
    buckets.extend(indices for indices, _ in open_by_dtype.values())
    return buckets


class Reducer:
    """Averages the gradients of ``params`` over the ranks of ``process_group`` during backward."""

    def __init__(self, params, names, process_group, bucket_cap_mb=None, find_unused_parameters=False):
        self.params = params
        self.names = names
        self.pg = process_group
        self.find_unused_parameters = find_unused_parameters
        self.buckets = [_Bucket(indices, params) for indices in assign_buckets(params, bucket_cap_mb)]
        self.location = {}
        for b, bucket in enumerate(self.buckets):
            for k, i in enumerate(bucket.indices):
                self.location[i] = (b, k)
        self.index_of = {id(p): i for i, p in enumerate(params)}
        self.armed = False
        self.divisor = None  # what averages divide by, when not the world size (Join's training ranks)
        self.ready = np.zeros(len(params), dtype=bool)
        self.locally_used = np.zeros(len(params), dtype=np.uint8)
        self.next_bucket = 0
        self.handles = [p.register_hook(self._hook(i)) for i, p in enumerate(params)]

    def _hook(self, index):
        def hook(grad):
            if self.armed and grad is not None:  # an undefined gradient (None) leaves the parameter unmarked
                return self._mark_ready(index, grad._data)
            return None
        return hook

    def prepare_for_backward(self, outputs):
        """Arm the reducer for the backward of ``outputs``; with find_unused_parameters, parameters outside
        their graph are marked ready now (contributing their current local gradient, or zeros)."""
        if self.ready.any() and not self.ready.all():
            self._raise_unfinished()
        self.ready[:] = False
        self.next_bucket = 0
        for bucket in self.buckets:
            bucket.pending = len(bucket.indices)
        self.armed = True
        self.locally_used[:] = 1
        if self.find_unused_parameters:
            used = graph_leaves(outputs)
            for i, p in enumerate(self.params):
                if id(p) not in used:
                    self.locally_used[i] = 0
            for i in np.flatnonzero(self.locally_used == 0):
                self._mark_ready(int(i), None)

    def _raise_unfinished(self):
        missing = [self.names[i] for i in np.flatnonzero(~self.ready)]
        self.armed = False
        self.ready[:] = False
        raise RuntimeError(
            "Expected to have finished reduction in the prior iteration before starting a new one. This error "
            "indicates that your module has parameters that were not used in producing loss. You can enable "
            "unused parameter detection by passing the keyword argument `find_unused_parameters=True` to "
            "`torch.nn.parallel.DistributedDataParallel`, and by making sure all `forward` function outputs "
            "participate in calculating loss. Parameters which did not receive grad for rank "
            f"{self.pg.rank()}: {', '.join(missing)}")

    def _mark_ready(self, index, grad):
        if self.ready[index]:
            raise RuntimeError(f"Expected to mark a variable ready only once. The parameter {self.names[index]} "
                               f"received a second gradient in one backward pass of DistributedDataParallel")
        b, k = self.location[index]
        bucket = self.buckets[b]
        slot = bucket.buffer[bucket.offsets[k]:bucket.offsets[k + 1]].reshape(self.params[index]._data.shape)
        current = self.params[index]._grad
        if grad is None:
            if current is None:
                slot[...] = 0
            else:
                slot[...] = current._data
        elif current is None:
            slot[...] = grad
        else:
            np.add(current._data, grad, out=slot)
        self.ready[index] = True
        bucket.pending -= 1
        while self.next_bucket < len(self.buckets) and self.buckets[self.next_bucket].pending == 0:
            launch = self.buckets[self.next_bucket]
            launch.request = self.pg._comm.Iallreduce(_mpi.mpi().IN_PLACE, launch.buffer, _mpi.mpi().SUM)
            self.next_bucket += 1
        if self.ready.all():
            return self._finalize(index)
        return None

    def _finalize(self, last):
        """Wait for every bucket and write the averaged gradients; returns the hook result for ``last``."""
        self.armed = False
        MPI = _mpi.mpi()
        MPI.Request.Waitall([bucket.request for bucket in self.buckets])
        globally_used = self.locally_used
        if self.find_unused_parameters:
            globally_used = self.locally_used.copy()
            self.pg._comm.Allreduce(MPI.IN_PLACE, globally_used, MPI.MAX)
        size = self.divisor or self.pg.size()
        result = None
        for bucket in self.buckets:
            np.divide(bucket.buffer, size, out=bucket.buffer)
            for k, i in enumerate(bucket.indices):
                if not globally_used[i]:
                    continue    # no rank used it: its .grad stays as it was (None stays None), as in PyTorch
                p = self.params[i]
                average = bucket.buffer[bucket.offsets[k]:bucket.offsets[k + 1]].reshape(p._data.shape)
                if i == last and self.locally_used[i]:
                    result = self._hook_result(p, average)
                elif p._grad is None:
                    p._grad = _tensor.Tensor._make(average.copy())
                else:
                    p._grad._data[...] = average
                    p._grad._version_counter[0] += 1
        return result

    @staticmethod
    def _hook_result(p, average):
        # The engine accumulates what the hook returns right after it: hand over the average when .grad is
        # empty (it is copied), else overwrite .grad now and hand over a zero to add.
        if p._grad is None:
            return _tensor.Tensor._make(average)
        p._grad._data[...] = average
        return _tensor.Tensor._make(np.zeros((), dtype=average.dtype))

    def remove(self):
        """Detach the gradient hooks from the parameters."""
        for handle in self.handles:
            handle.remove()
        self.handles = []


def graph_leaves(outputs):
    """ids of the leaf tensors the autograd graphs of ``outputs`` reach (outputs may be nested lists, tuples,
    dicts and dataclasses of tensors)."""
    stack, seen, leaves = [], set(), set()
    pending = [outputs]
    while pending:
        obj = pending.pop()
        if isinstance(obj, _tensor.Tensor):
            if obj.grad_fn is not None:
                stack.append(obj.grad_fn)
            elif obj._requires_grad:
                leaves.add(id(obj))
        elif isinstance(obj, dict):
            pending.extend(obj.values())
        elif isinstance(obj, (list, tuple)):
            pending.extend(obj)
        elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
            pending.extend(getattr(obj, f.name) for f in dataclasses.fields(obj))
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        for t, edge in zip(node.inputs, node.edges):
            if t is None:
                continue
            if edge[0] is None:
                leaves.add(id(t))
            else:
                stack.append(edge[0])
    return leaves
