"""``DistributedDataParallel``: one model replica per MPI rank, gradients averaged during backward."""
import contextlib

import numpy as np

from ... import autograd
from ..._device import device as _device
from ...distributed import distributed_c10d
from ...distributed.algorithms.join import Join, Joinable
from ..modules.module import Module
from . import _ddp_join
from ._reducer import Reducer

__all__ = ["DistributedDataParallel"]


class DistributedDataParallel(Module, Joinable):
    """Data parallelism across the ranks of a process group, as ``torch.nn.parallel.DistributedDataParallel``.

    At construction the parameters and buffers of rank 0 are copied to every rank (after checking that all
    ranks hold the same model). Each backward averages the gradients over the ranks with bucketed all-reduces
    started from gradient hooks (``bucket_cap_mb`` per bucket), so after ``loss.backward()`` every rank holds
    the gradient of the mean loss over the global batch. ``no_sync()`` accumulates local gradients instead;
    ``find_unused_parameters=True`` allows forward passes that leave some parameters out of the loss.
    ``broadcast_buffers`` copies rank 0's buffers (e.g. BatchNorm running statistics) before each forward.
    ``static_graph=True`` is accepted: unused parameters are then looked for on every iteration. With
    ``gradient_as_bucket_view=True`` the gradients hold the same values, copied out of the buckets (PyTorch
    makes them views of the buckets to save memory).
    The wrapped model is ``.module``; ``state_dict()`` keys start with ``module.``. ``device_ids`` and
    ``output_device`` must be None (CPU modules, as in PyTorch), so ``dim``, which splits inputs over devices,
    is unused; ``check_reduction`` is ignored, as PyTorch has deprecated it. ``join()`` trains ranks with uneven
    numbers of inputs (see ``numbatorch.distributed.algorithms.join``).
    """

    def __init__(self, module, device_ids=None, output_device=None, dim=0, broadcast_buffers=True,
                 process_group=None, bucket_cap_mb=None, find_unused_parameters=False, check_reduction=False,
                 gradient_as_bucket_view=False, static_graph=False):
        super().__init__()
        if device_ids is not None or output_device is not None:
            raise ValueError(
                "DistributedDataParallel device_ids and output_device arguments only work with single-device/"
                f"multiple-device GPU modules or CPU modules, but got device_ids {device_ids}, output_device "
                f"{output_device}, and module parameters {{device(type='cpu')}}.")
        self.module = module
        self.dim = dim
        self.broadcast_buffers = broadcast_buffers
        self.find_unused_parameters = find_unused_parameters
        self.static_graph = static_graph
        self.gradient_as_bucket_view = gradient_as_bucket_view
        self.process_group = distributed_c10d.resolve(process_group)
        if self.process_group is None:
            raise RuntimeError("DistributedDataParallel needs a process group that this rank is a member of")
        named = [(n, p) for n, p in module.named_parameters() if p.requires_grad]
        self._module_params = [p for _, p in named]
        self._module_buffers = [b for b in module.buffers()]
        self._verify_same_model()
        self._sync_module_states()
        self.require_backward_grad_sync = True
        self.require_forward_param_sync = True
        self.reducer = Reducer(self._module_params, [n for n, _ in named], self.process_group, bucket_cap_mb,
                               find_unused_parameters or static_graph)
        self._divide_by_initial_world_size = True
        Joinable.__init__(self)

    def _verify_same_model(self):
        """Every rank must wrap the same architecture: same parameter names, shapes and dtypes, in order."""
        mine = [(n, tuple(p.shape), str(p.dtype)) for n, p in self.module.named_parameters()]
        everyone = self.process_group._comm.allgather(mine)
        for rank, theirs in enumerate(everyone):
            if len(theirs) != len(mine):
                raise RuntimeError(f"DDP expects same model across all ranks, but Rank {self.process_group.rank()} "
                                   f"has {len(mine)} params, while rank {rank} has inconsistent {len(theirs)} "
                                   f"params.")
            for a, b in zip(mine, theirs):
                if a != b:
                    raise RuntimeError(f"DDP expects same model across all ranks, but parameter {a[0]} is "
                                       f"{list(a[1])} {a[2]} on rank {self.process_group.rank()} and {b[0]} is "
                                       f"{list(b[1])} {b[2]} on rank {rank}.")

    def _broadcast_coalesced(self, tensors):
        """Copy rank 0's values of ``tensors`` to every rank: one MPI broadcast per dtype, no pickling."""
        by_dtype = {}
        for t in tensors:
            by_dtype.setdefault(t._data.dtype, []).append(t)
        comm = self.process_group._comm
        for group in by_dtype.values():
            flat = np.concatenate([t._data.reshape(-1) for t in group])
            comm.Bcast(flat, root=0)
            offset = 0
            for t in group:
                n = t._data.size
                t._data[...] = flat[offset:offset + n].reshape(t._data.shape)
                t._version_counter[0] += 1
                offset += n

    def _sync_module_states(self):
        states = list(self.module.parameters()) + [b for b in self._module_buffers if b is not None]
        if states and self.process_group.size() > 1:
            with autograd.no_grad():
                self._broadcast_coalesced(states)

    def forward(self, *inputs, **kwargs):
        sync_grads = self.require_backward_grad_sync
        if self._join_config.enable:
            sync_grads = _ddp_join.forward_sync(self)
        elif self.require_forward_param_sync and self.broadcast_buffers and self.process_group.size() > 1:
            buffers = [b for b in self._module_buffers if b is not None]
            if buffers:
                self._broadcast_coalesced(buffers)
        output = self.module(*inputs, **kwargs)
        if autograd.is_grad_enabled() and sync_grads:
            self.require_forward_param_sync = True
            self.reducer.prepare_for_backward(output)
        else:
            self.require_forward_param_sync = False
        return output

    @contextlib.contextmanager
    def no_sync(self):
        """Inside this context backward only accumulates local gradients; the first backward after it averages
        the accumulated gradients over the ranks."""
        old = self.require_backward_grad_sync
        self.require_backward_grad_sync = False
        try:
            yield
        finally:
            self.require_backward_grad_sync = old

    def join(self, divide_by_initial_world_size=True, enable=True, throw_on_early_termination=False):
        """``with ddp.join():`` around the training loop lets ranks run out of inputs at different iterations:
        ``Join([self], ...)``."""
        return Join([self], enable, throw_on_early_termination,
                    divide_by_initial_world_size=divide_by_initial_world_size)

    def join_hook(self, **kwargs):
        """The hook a joined rank runs: shadows the other ranks' iterations, then syncs the final model."""
        return _ddp_join.DDPJoinHook(self, kwargs.get("divide_by_initial_world_size", True))

    @property
    def join_device(self):
        """The CPU: DDP's collectives run on the host."""
        return _device("cpu")

    @property
    def join_process_group(self):
        """The process group DDP reduces over."""
        return self.process_group
