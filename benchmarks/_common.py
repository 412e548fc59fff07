"""The workload interface shared by every ``benchmarks/bench_*.py`` module (see README.md)."""
from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class Workload:
    """One benchmark, written once against the PyTorch API.

    ``make(lib)`` receives the framework module (``numbatorch`` or ``torch``), builds the inputs outside the
    timed region and returns a zero-argument callable that runs ONE iteration (e.g. forward + backward).
    """

    name: str
    make: Callable
    description: str = ""
    warmup: int = 3
    target_ratio: float = None  # numbatorch/PyTorch time the project aims at, shown next to the measured ratio
