"""torchkeras's helpers: ``seed_everything``."""
import os
import random

import numpy as np

__all__ = ["seed_everything"]


def seed_everything(seed=42):
    """Seed every generator with ``seed`` and return it.

    Seeds Python's ``random``, numpy's global generator and numbatorch's (CPU and CUDA), sets
    ``PYTHONHASHSEED`` for child processes and prints ``Global seed set to <seed>``, as torchkeras does.
    """
    from .. import cuda
    from .._random import manual_seed
    print(f"Global seed set to {seed}")
    random.seed(seed)
    os.environ["PYTHONHASHSEED"] = str(seed)
    np.random.seed(seed)
    manual_seed(seed)
    cuda.manual_seed_all(seed)
    return seed
