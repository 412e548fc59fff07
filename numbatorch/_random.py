"""Random number generation: ``Generator`` objects, the default generator and ``manual_seed``."""
import numpy as np

_DEFAULT_SEED = 67280421310721  # PyTorch's default_generator initial seed


class Generator:
    """A seeded source of random numbers (numpy's PCG64 underneath)."""

    def __init__(self, device="cpu"):
        self.device = device
        self.manual_seed(_DEFAULT_SEED)

    def manual_seed(self, seed):
        seed = int(seed)
        if seed < 0:
            seed += 1 << 64
        self._seed = seed
        self._np = np.random.Generator(np.random.PCG64(seed))
        return self

    def seed(self):
        """Re-seed from OS entropy and return the new seed."""
        new_seed = int(np.random.SeedSequence().generate_state(1, np.uint64)[0])
        self.manual_seed(new_seed)
        return new_seed

    def initial_seed(self):
        return self._seed

    def get_state(self):
        from ._creation import tensor
        import pickle
        return tensor(np.frombuffer(pickle.dumps((self._seed, self._np.bit_generator.state)), dtype=np.uint8))

    def set_state(self, state):
        import pickle
        self._seed, bit_state = pickle.loads(np.asarray(state).tobytes())
        self._np.bit_generator.state = bit_state
        return self


default_generator = Generator()


def manual_seed(seed):
    """Seed the default generator (and the numpy generator numbatorch draws from)."""
    return default_generator.manual_seed(seed)


def seed():
    """Seeds the default generator non-deterministically; returns the seed."""
    return default_generator.seed()


def initial_seed():
    """The seed the default generator was last seeded with."""
    return default_generator.initial_seed()


def get_rng_state():
    """The default generator's state, as a uint8 tensor."""
    return default_generator.get_state()


def set_rng_state(state):
    """Restores the default generator's state from a tensor ``get_rng_state()`` returned."""
    default_generator.set_state(state)


def numpy_generator(generator=None):
    """The numpy Generator behind ``generator`` (or the default one)."""
    return (generator or default_generator)._np
