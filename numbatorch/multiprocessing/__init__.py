"""``numbatorch.multiprocessing``: Python's ``multiprocessing`` with tensors shared through shared memory.

Everything of ``multiprocessing`` is here (``Process``, ``Queue``, ``get_context``, ``set_start_method``, ...);
tensors sent through its queues and pipes, or passed to spawned processes, travel as references to shared
memory (see ``reductions``), and ``spawn`` runs a function in several processes.
"""
import multiprocessing
from multiprocessing import *  # noqa: F401,F403

from .reductions import init_reductions
from .spawn import (ProcessContext, ProcessException, ProcessExitedException, ProcessRaisedException,
                    SpawnContext, spawn, start_processes)
from .sharing import get_all_sharing_strategies, get_sharing_strategy, set_sharing_strategy

__all__ = ["ProcessContext", "ProcessException", "ProcessExitedException", "ProcessRaisedException",
           "SpawnContext", "get_all_sharing_strategies", "get_sharing_strategy", "init_reductions",
           "set_sharing_strategy", "spawn", "start_processes", *multiprocessing.__all__]

init_reductions()  # as in PyTorch: importing the module makes queues share tensors
