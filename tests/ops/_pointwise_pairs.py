"""Shared inputs of the elementwise-op tests: the same values as numbatorch and torch tensors."""
import numpy as np
import pytest

import numbatorch as nt

RNG = np.random.default_rng(0)


def _torch():
    return pytest.importorskip("torch")


def _pair(arr, requires_grad=True):
    """The same values as a numbatorch and a torch tensor (float arrays keep their dtype)."""
    torch = _torch()
    a = nt.tensor(arr)
    b = torch.tensor(arr)
    if requires_grad:
        a.requires_grad_(True)
        b.requires_grad_(True)
    return a, b


def _uniform(low, high, shape=(2, 3)):
    return RNG.uniform(low, high, size=shape)
