"""Shared test fixtures: a fresh seed for every test so failures reproduce."""
import pytest

import numbatorch


@pytest.fixture(autouse=True)
def _seed_everything():
    numbatorch.manual_seed(0)
    yield
