"""``Join``: train on uneven inputs across ranks, as ``torch.distributed.algorithms.join``.

A rank that runs out of inputs leaves the ``with Join([...]):`` block early and then *shadows* the collectives
the other ranks still issue, so none of them waits forever. Each iteration of every joinable starts with
``Join.notify_join_context(joinable)``: an all-reduce in which a rank still training contributes 1. A rank that
has joined contributes 0 to the same all-reduce from ``__exit__``: while the sum (the number of ranks still
training) is positive it runs every joinable's ``JoinHook.main_hook()``, which issues the collectives of one
iteration with neutral values; when it is 0 all ranks have joined and each hook's ``post_hook(is_last_joiner)``
runs. With ``throw_on_early_termination=True`` a second all-reduce per iteration tells the ranks still training
that one has joined, and every rank raises instead.
"""
import abc
import collections
import warnings

from ..._creation import ones, zeros
from .. import collectives, distributed_c10d

__all__ = ["Join", "JoinHook", "Joinable"]

_JoinConfig = collections.namedtuple("_JoinConfig", ["enable", "throw_on_early_termination", "is_first_joinable"])
_DISABLED = _JoinConfig(enable=False, throw_on_early_termination=False, is_first_joinable=False)
_EARLY_TERMINATION = "Detected at least one rank that exhausted inputs. Throwing across all ranks."


class JoinHook:
    """What a joined rank does for one joinable: ``main_hook`` shadows one iteration's collectives,
    ``post_hook`` runs once all ranks have joined. Both do nothing by default."""

    def main_hook(self):
        """Issue the collectives of one training iteration, while some rank is still training."""

    def post_hook(self, is_last_joiner):
        """Run once every rank has joined; ``is_last_joiner`` is True on the ranks that joined last."""


class Joinable(abc.ABC):
    """A class whose instances can take part in ``Join``: it gives a ``JoinHook`` and the device and process
    group of its collectives, and calls ``Join.notify_join_context(self)`` at the start of each iteration."""

    @abc.abstractmethod
    def __init__(self):
        super().__init__()
        self._join_config = _DISABLED

    @abc.abstractmethod
    def join_hook(self, **kwargs):
        """The ``JoinHook`` of this joinable (``kwargs`` are those given to ``Join``)."""

    @property
    @abc.abstractmethod
    def join_device(self):
        """The device on which the join all-reduces run."""

    @property
    @abc.abstractmethod
    def join_process_group(self):
        """The process group of this joinable's collectives."""


class Join:
    """``with Join(joinables, enable=True, throw_on_early_termination=False, **kwargs):`` lets ranks with fewer
    inputs leave the loop early; see the module docstring. ``kwargs`` go to each ``join_hook``."""

    def __init__(self, joinables, enable=True, throw_on_early_termination=False, **kwargs):
        if len(joinables) == 0:
            raise ValueError("The join context manager requires at least one joinable")
        self._joinables = joinables
        self._join_hooks = [joinable.join_hook(**kwargs) for joinable in self._joinables]
        self._enable = enable
        self._throw_on_early_termination = throw_on_early_termination
        self._set_joinable_configs()
        self._extract_dist_info()

    def _set_joinable_configs(self):
        # Only the first joinable counts the ranks still training: one all-reduce per iteration, not one each.
        for i, joinable in enumerate(self._joinables):
            joinable._join_config = _JoinConfig(enable=self._enable,
                                                throw_on_early_termination=self._throw_on_early_termination,
                                                is_first_joinable=i == 0)

    def _extract_dist_info(self):
        process_group, device = None, None
        for joinable in self._joinables:
            if process_group is None:
                process_group = joinable.join_process_group
            elif process_group != joinable.join_process_group:
                raise ValueError("Using join context manager with multiple process groups")
            device = joinable.join_device
        self._process_group = process_group
        self._rank = distributed_c10d.get_rank(self._process_group)
        self._device = device

    def __enter__(self):
        return None

    def __exit__(self, exc_type, exc_value, traceback):
        """Shadow the other ranks' iterations until all have joined, then run the post-hooks; an exception
        raised inside the block propagates without joining."""
        if not self._enable or exc_type:
            return False
        all_joined, is_last_joiner, iterations = False, True, 0
        while not all_joined:
            if iterations == 1000:
                warnings.warn(f"Detected uneven input skew of greater than 1000. This means that rank "
                              f"{self._rank} has at least 1000 fewer inputs than other currently-active ranks. "
                              f"This level of skew could lead to performance degradation during training.")
            if self._count_nonjoined() == 0:
                all_joined = True
            else:
                if self._throw_on_early_termination:
                    self._notify_to_terminate()
                for join_hook in self._join_hooks:
                    join_hook.main_hook()
                is_last_joiner = False
                iterations += 1
        for join_hook in self._join_hooks:
            join_hook.post_hook(is_last_joiner)
        return False

    def _count_nonjoined(self):
        # A joined rank's 0 against each training rank's 1 from notify_join_context.
        count = zeros(1, device=self._device)
        collectives.all_reduce(count, group=self._process_group)
        return int(count.item())

    def _notify_to_terminate(self):
        # Matches the second all-reduce of notify_join_context on the ranks still training.
        collectives.all_reduce(ones(1, device=self._device), group=self._process_group)
        raise RuntimeError(_EARLY_TERMINATION)

    @staticmethod
    def notify_join_context(joinable):
        """Count ``joinable``'s rank as still training in this iteration's join all-reduce (first joinable of an
        enabled ``Join`` only); returns the completed work of that all-reduce (its result is the number of ranks
        still training), or None."""
        if not hasattr(joinable, "_join_config"):
            raise AssertionError(f"Check that the {type(joinable)} constructor calls the ``Joinable`` constructor")
        config = joinable._join_config
        if not config.is_first_joinable or not config.enable:
            return None
        device, process_group = joinable.join_device, joinable.join_process_group
        work = collectives.all_reduce(ones(1, device=device), group=process_group, async_op=True)
        # Completed now, not left to the caller: an MPI request dropped unfinished would let its buffer be freed
        # and reused while the reduction still writes to it (PyTorch's callers may ignore the work).
        work.wait()
        if config.throw_on_early_termination:
            joined = zeros(1, device=device)
            collectives.all_reduce(joined, group=process_group)
            if joined.item():
                raise RuntimeError(_EARLY_TERMINATION)
        return work
