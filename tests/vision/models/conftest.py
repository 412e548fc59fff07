"""Fixtures for the model tests."""
import pytest

import numbatorch


@pytest.fixture
def no_init(monkeypatch):
    """Skip weight initialisation while building: parameter counts and names don't depend on the values, and
    drawing hundreds of millions of random numbers would dominate these tests' time."""
    def keep(tensor, *args, **kwargs):
        return tensor

    for name in ("uniform_", "normal_", "trunc_normal_", "constant_", "ones_", "zeros_", "xavier_uniform_",
                 "kaiming_uniform_", "kaiming_normal_"):
        monkeypatch.setattr(numbatorch.nn.init, name, keep)
