"""``numbatorch.utils``: ``data`` (Dataset, DataLoader, samplers), ``hooks`` and ``tensorboard`` (import it explicitly)."""
from . import data  # noqa: F401
