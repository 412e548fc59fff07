"""Data-parallel KerasModel training under MPI: ``DistributedAccelerator``, the multi-process counterpart of
``Accelerator`` (what Hugging Face accelerate's ``Accelerator`` does when torchkeras runs ``fit_ddp``).

With a process group initialised (``numbatorch.distributed.init_process_group("mpi")`` in a script launched
by ``mpiexec`` or ``python -m numbatorch.distributed.run``), ``prepare`` wraps trainable modules in
``DistributedDataParallel`` and every loader is sharded by batch: rank r takes batches r, r + N, r + 2N, ...
of the loader, whose shuffling is made identical on every rank by giving all of them rank 0's random state
when an epoch starts (accelerate's ``synchronize_rng_states``). Every rank runs the same number of steps (a
shorter share repeats its first batches, like accelerate's ``even_batches``), so no rank waits for a
gradient all-reduce that never comes. Inside ``accumulate`` the steps that do not sync gradients run under
``no_sync()``. ``gather`` concatenates a tensor from every rank (padded and trimmed when the ranks' batches
differ in length), ``reduce`` sums or averages one; ``is_main_process`` is rank 0's, which alone should
print, plot and write checkpoints (``save`` writes only there, atomically), and ``wait_for_everyone`` is a
barrier.
"""
import contextlib
import math
import os

from .. import _random
from .._creation import zeros
from .._ops.joining import cat, stack
from ..distributed import collectives, distributed_c10d, object_collectives
from ..distributed._reduce_op import ReduceOp
from ..nn.modules.module import Module
from ..nn.parallel import DistributedDataParallel
from ..utils.data import DataLoader
from .accelerator import Accelerator, NonFiniteLoss, PreparedDataLoader

__all__ = ["DistributedAccelerator"]


class ShardedLoader:
    """Batches ``rank``, ``rank + world``, ... of ``loader``; ``ceil(len / world)`` of them on every rank."""

    def __init__(self, loader, accelerator):
        self.loader = loader
        self.accelerator = accelerator
        size = getattr(loader, "size", None)
        if isinstance(size, int):  # torchkeras's steps-per-epoch limit, shared out like the batches
            self.size = math.ceil(min(size, len(loader)) / accelerator.num_processes)

    def __len__(self):
        return math.ceil(len(self.loader) / self.accelerator.num_processes)

    def __iter__(self):
        acc = self.accelerator
        acc.synchronize_rng_states()
        world, rank = acc.num_processes, acc.process_index
        count = len(self)
        yielded, early = 0, []
        for index, batch in enumerate(self.loader):
            if index < world:
                early.append(batch)  # kept to even out the last round
            if index % world == rank:
                yield batch
                yielded += 1
        while yielded < count:
            yield early[(yielded * world + rank) % len(early)]
            yielded += 1


class DistributedAccelerator(Accelerator):
    """An ``Accelerator`` for one rank of a data-parallel job on ``process_group`` (default: all ranks)."""

    def __init__(self, mixed_precision="no", cpu=False, gradient_accumulation_steps=1, max_grad_norm=1.0,
                 check_finite=False, process_group=None, find_unused_parameters=False):
        super().__init__(mixed_precision=mixed_precision, cpu=cpu,
                         gradient_accumulation_steps=gradient_accumulation_steps, max_grad_norm=max_grad_norm,
                         check_finite=check_finite)
        pg = distributed_c10d.resolve(process_group)
        if pg is None:
            raise RuntimeError("DistributedAccelerator needs a process group that this rank is a member of")
        self.process_group = process_group
        self.find_unused_parameters = find_unused_parameters
        self.num_processes = pg.size()
        self.process_index = pg.rank()
        self.local_process_index = int(os.environ.get("LOCAL_RANK", self.process_index))
        self.is_main_process = self.process_index == 0
        self.is_local_main_process = self.local_process_index == 0
        self.is_last_process = self.process_index == self.num_processes - 1

    def _prepare_one(self, obj):
        if (isinstance(obj, Module) and not isinstance(obj, DistributedDataParallel) and self.num_processes > 1
                and any(p.requires_grad for p in obj.parameters())):
            return DistributedDataParallel(obj.to(self.device), process_group=self.process_group,
                                           find_unused_parameters=self.find_unused_parameters)
        if isinstance(obj, DataLoader):
            return self.prepare_data_loader(obj)
        return super()._prepare_one(obj)

    def prepare_data_loader(self, data_loader):
        """``data_loader`` sharded by batch over the ranks (see the module docstring); None stays None."""
        if data_loader is None:
            return None
        if not hasattr(data_loader, "__len__"):
            raise TypeError(f"{type(data_loader).__name__} has no len(): the ranks could not agree on the number "
                            f"of steps of a data-parallel epoch")
        return PreparedDataLoader(ShardedLoader(data_loader, self), self)

    def synchronize_rng_states(self):
        """Give every rank rank 0's global random state (shuffles then agree)."""
        box = [_random.get_rng_state()]
        object_collectives.broadcast_object_list(box, src=self._global_rank(0), group=self.process_group)
        _random.set_rng_state(box[0])

    def _global_rank(self, group_rank):
        return distributed_c10d.get_global_rank(self.process_group, group_rank)

    @contextlib.contextmanager
    def accumulate(self, *models):
        """Like ``Accelerator.accumulate``; the steps that do not sync gradients run under ``no_sync()``."""
        with super().accumulate(*models):
            with contextlib.ExitStack() as stack_:
                if not self.sync_gradients:
                    for model in models:
                        if isinstance(model, DistributedDataParallel):
                            stack_.enter_context(model.no_sync())
                yield

    def backward(self, loss, **kwargs):
        """``Accelerator.backward``; with ``check_finite`` the ranks first agree whether any loss is NaN or
        infinite, so either all skip the backward (and its gradient all-reduce) or none does."""
        if self.check_finite and self.num_processes > 1:
            value = float(loss.item())
            total = self.reduce(loss.detach().reshape(()), "sum").item()  # non-finite if any rank's is
            if not math.isfinite(total):
                raise NonFiniteLoss(value if not math.isfinite(value) else total)
        super().backward(loss, **kwargs)

    def gather(self, tensor):
        """Every rank's ``tensor`` concatenated along dim 0 in rank order (0-d tensors: stacked)."""
        if self.num_processes == 1:
            return tensor
        data = tensor.detach().contiguous()
        if data.dim() == 0:
            parts = [zeros((), dtype=data.dtype) for _ in range(self.num_processes)]
            collectives.all_gather(parts, data, group=self.process_group)
            return stack(parts)
        lengths = [None] * self.num_processes
        object_collectives.all_gather_object(lengths, data.shape[0], group=self.process_group)
        longest = max(lengths)
        padded = data
        if data.shape[0] < longest:
            padded = cat([data, zeros((longest - data.shape[0],) + tuple(data.shape[1:]), dtype=data.dtype)])
        parts = [zeros(tuple(padded.shape), dtype=data.dtype) for _ in range(self.num_processes)]
        collectives.all_gather(parts, padded, group=self.process_group)
        return cat([part[:n] for part, n in zip(parts, lengths)])

    gather_for_metrics = gather

    def reduce(self, tensor, reduction="sum"):
        """``tensor`` summed (``"sum"``) or averaged (``"mean"``) over the ranks, as a new tensor."""
        if reduction not in ("sum", "mean"):
            raise ValueError(f"reduction must be 'sum' or 'mean', got {reduction!r}")
        result = tensor.detach().clone()
        collectives.all_reduce(result, op=ReduceOp.SUM if reduction == "sum" else ReduceOp.AVG,
                               group=self.process_group)
        return result

    def unwrap_model(self, model):
        """The module inside a DistributedDataParallel wrapper."""
        return model.module if isinstance(model, DistributedDataParallel) else model

    def get_state_dict(self, model):
        """The unwrapped model's ``state_dict()`` (keys without ``module.``)."""
        return self.unwrap_model(model).state_dict()

    def wait_for_everyone(self):
        """Barrier over the process group."""
        distributed_c10d.barrier(group=self.process_group)

    def save(self, obj, f):
        """``numbatorch.save`` on the main process only (atomic there)."""
        if self.is_main_process:
            super().save(obj, f)

    def print(self, *args, **kwargs):
        """``print`` on the main process only."""
        if self.is_main_process:
            print(*args, **kwargs)
