"""Sharing strategies: how tensor memory is named for other processes.

numbatorch has one, ``file_system``: each shared tensor's memory is a named POSIX shared-memory segment.
"""

__all__ = ["get_all_sharing_strategies", "get_sharing_strategy", "set_sharing_strategy"]

_STRATEGIES = frozenset({"file_system"})
_current = ["file_system"]


def get_all_sharing_strategies():
    """The set of sharing strategies this platform supports."""
    return set(_STRATEGIES)


def get_sharing_strategy():
    """The current sharing strategy."""
    return _current[0]


def set_sharing_strategy(new_strategy):
    """Select a sharing strategy among ``get_all_sharing_strategies()``."""
    if new_strategy not in _STRATEGIES:
        raise ValueError(f"sharing strategy {new_strategy!r} is not supported by numbatorch; "
                         f"choose one of {sorted(_STRATEGIES)}")
    _current[0] = new_strategy
