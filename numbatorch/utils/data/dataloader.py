"""``DataLoader``: batches from a dataset, in this process or in worker processes."""
import multiprocessing
import multiprocessing.context
import os
import sys
import warnings

from ... import _threading_layer
from ._collate import default_collate, default_convert
from ._multi_process import _MultiProcessingDataLoaderIter
from ._single_process import _SingleProcessDataLoaderIter
from .dataset import IterableDataset
from .sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler

__all__ = ["DataLoader"]


class _InfiniteConstantSampler(Sampler):
    """Yields ``None`` forever: the index stream for iterable datasets."""

    def __iter__(self):
        while True:
            yield None


def _default_context():
    """``fork`` when the numba threading layer survives it (fast start, no pickling), else forkserver.

    On platforms whose default is not fork (macOS, Windows) keep Python's default.
    """
    if sys.platform.startswith("linux"):
        if _threading_layer.is_fork_safe():
            return multiprocessing.get_context("fork")
        return multiprocessing.get_context("forkserver")
    return multiprocessing.get_context()


class DataLoader:
    """Iterates over a dataset in batches: a sampler picks the indices, ``collate_fn`` assembles each batch.

    ``num_workers > 0`` loads batches in worker processes and yields them in order.

    Args:
        dataset: a map-style ``Dataset`` (``__getitem__`` and ``__len__``) or an ``IterableDataset``.
        batch_size: samples per batch; ``None`` turns automatic batching off (samples are yielded one by one,
            converted by ``default_convert``). Default: ``1``.
        shuffle: reshuffle the indices every epoch (a ``RandomSampler``). Default: ``False``.
        sampler: a ``Sampler`` or iterable of indices; excludes ``shuffle``.
        batch_sampler: yields lists of indices, one per batch; excludes ``batch_size``, ``shuffle``, ``sampler`` and
            ``drop_last``.
        num_workers: the number of worker processes; ``0`` loads in the main process. Default: ``0``.
        collate_fn: merges a list of samples into a batch. Default: ``default_collate``.
        pin_memory: pass every batch through ``Tensor.pin_memory()`` when a CUDA device is usable (copies to it
            are synchronous, so this keeps the same memory); warns, as PyTorch, when none is. Default: ``False``.
        drop_last: drop the last batch if it is smaller than ``batch_size``. Default: ``False``.
        timeout: seconds to wait for a batch from the workers before raising; ``0`` waits forever. Default: ``0``.
        worker_init_fn: called in each worker with its id, after seeding and before loading. Default: ``None``.
        multiprocessing_context: the start method (``'fork'``, ``'spawn'``, ``'forkserver'``) or a context for the
            workers. Default: the platform's.
        generator: the ``numbatorch.Generator`` for shuffling and for the workers' base seed. Default: ``None``.
        prefetch_factor: batches loaded ahead per worker. Default: ``2`` with workers.
        persistent_workers: keep the workers alive between epochs. Default: ``False``.
        pin_memory_device: deprecated in PyTorch (a warning says it is ignored). Default: ``''``.
        in_order: accepted for PyTorch compatibility; batches always arrive in sampler order. Default: ``True``.

    Examples::

        >>> ds = TensorDataset(torch.randn(100, 3), torch.randint(0, 2, (100,)))
        >>> for x, y in DataLoader(ds, batch_size=32, shuffle=True):
        ...     pass  # x: (32, 3), y: (32,); the last batch has 4 samples
    """

    __initialized = False

    def __init__(self, dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None,
                 num_workers=0, collate_fn=None, pin_memory=False, drop_last=False, timeout=0,
                 worker_init_fn=None, multiprocessing_context=None, generator=None, *,
                 prefetch_factor=None, persistent_workers=False, pin_memory_device="",
                 in_order=True):
        if num_workers < 0:
            raise ValueError("num_workers option should be non-negative; "
                             "use num_workers=0 to disable multiprocessing.")
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError("prefetch_factor option could only be specified in multiprocessing."
                             "let num_workers > 0 to enable multiprocessing, otherwise set "
                             "prefetch_factor to None.")
        if num_workers > 0 and prefetch_factor is None:
            prefetch_factor = 2
        elif prefetch_factor is not None and prefetch_factor < 0:
            raise ValueError("prefetch_factor option should be non-negative")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")

        self.dataset = dataset
        self.num_workers = num_workers
        self.prefetch_factor = prefetch_factor
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.in_order = in_order

        if isinstance(dataset, IterableDataset):
            self._is_iterable = True
            if shuffle not in (False, None):
                raise ValueError("DataLoader with IterableDataset: expected unspecified shuffle "
                                 f"option, but got shuffle={shuffle}")
            if sampler is not None:
                raise ValueError("DataLoader with IterableDataset: expected unspecified sampler "
                                 f"option, but got sampler={sampler}")
            if batch_sampler is not None:
                raise ValueError("DataLoader with IterableDataset: expected unspecified "
                                 f"batch_sampler option, but got batch_sampler={batch_sampler}")
        else:
            shuffle = bool(shuffle)
            self._is_iterable = False

        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, "
                                 "shuffle, sampler, and drop_last")
            batch_size = None
            drop_last = False
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually "
                             "exclusive with drop_last")

        if sampler is None:
            if self._is_iterable:
                sampler = _InfiniteConstantSampler()
            elif shuffle:
                sampler = RandomSampler(dataset, generator=generator)
            else:
                sampler = SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)

        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.generator = generator
        if collate_fn is None:
            collate_fn = default_collate if self._auto_collation else default_convert
        self.collate_fn = collate_fn
        self.persistent_workers = persistent_workers
        self.__initialized = True
        self._IterableDataset_len_called = None
        self._iterator = None
        self._check_worker_number_rationality()

    @property
    def multiprocessing_context(self):
        """The multiprocessing context the workers start from (settable only with ``num_workers > 0``)."""
        return self.__multiprocessing_context

    @multiprocessing_context.setter
    def multiprocessing_context(self, context):
        if context is not None:
            if self.num_workers == 0:
                raise ValueError("multiprocessing_context can only be used with multi-process "
                                 f"loading (num_workers > 0), but got num_workers={self.num_workers}")
            if isinstance(context, str):
                valid = multiprocessing.get_all_start_methods()
                if context not in valid:
                    raise ValueError("multiprocessing_context option should specify a valid start "
                                     f"method in {valid!r}, but got multiprocessing_context={context!r}")
                context = multiprocessing.get_context(context)
            elif not isinstance(context, multiprocessing.context.BaseContext):
                raise TypeError("multiprocessing_context option should be a valid context object or "
                                "a string specifying the start method, but got "
                                f"multiprocessing_context={context}")
        self.__multiprocessing_context = context

    def __setattr__(self, attr, value):
        if self.__initialized and attr in ("batch_size", "batch_sampler", "sampler", "drop_last",
                                           "dataset", "persistent_workers"):
            raise ValueError(f"{attr} attribute should not be set after "
                             f"{self.__class__.__name__} is initialized")
        super().__setattr__(attr, value)

    @property
    def _auto_collation(self):
        return self.batch_sampler is not None

    @property
    def _index_sampler(self):
        # What the iterator draws from: lists of indices when batching, single indices otherwise.
        return self.batch_sampler if self._auto_collation else self.sampler

    def _get_iterator(self):
        if self.num_workers == 0:
            return _SingleProcessDataLoaderIter(self)
        context = self.multiprocessing_context or _default_context()
        return _MultiProcessingDataLoaderIter(self, context)

    def __iter__(self):
        if self.persistent_workers and self.num_workers > 0:
            if self._iterator is None:
                self._iterator = self._get_iterator()
            else:
                self._iterator._reset(self)
            return self._iterator
        return self._get_iterator()

    def __len__(self):
        if self._is_iterable:
            length = self._IterableDataset_len_called = len(self.dataset)
            if self.batch_size is not None:
                if self.drop_last:
                    length = length // self.batch_size
                else:
                    length = (length + self.batch_size - 1) // self.batch_size
            return length
        return len(self._index_sampler)

    def _check_worker_number_rationality(self):
        """Warn (like PyTorch) when more workers are asked for than CPUs are available."""
        if self.num_workers == 0:
            return
        try:
            cpus = len(os.sched_getaffinity(0))
        except AttributeError:
            cpus = os.cpu_count()
        if cpus is not None and self.num_workers > cpus:
            warnings.warn(
                f"This DataLoader will create {self.num_workers} worker processes in total. Our "
                f"suggested max number of worker in current system is {cpus}, which is smaller than "
                "what this DataLoader is going to create. Please be aware that excessive worker "
                "creation might get DataLoader running slow or even freeze, lower the worker number "
                "to avoid potential slowness/freeze if necessary."
            )
