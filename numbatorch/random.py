"""``numbatorch.random``: the default generator's seed and state, and ``fork_rng`` (``torch.random``)."""
import contextlib

from ._random import Generator, default_generator, get_rng_state, initial_seed, manual_seed, seed, set_rng_state

__all__ = ["Generator", "default_generator", "fork_rng", "get_rng_state", "initial_seed", "manual_seed", "seed",
           "set_rng_state"]


@contextlib.contextmanager
def fork_rng(devices=None, enabled=True, _caller="fork_rng", _devices_kw="devices", device_type=None):
    """Run the ``with`` block with the default generator's state saved, and restore it afterwards.

    numbatorch draws every random number from the CPU generator, so ``devices``/``device_type`` name no
    other state to save.
    """
    if not enabled:
        yield
        return
    state = get_rng_state()
    try:
        yield
    finally:
        set_rng_state(state)
