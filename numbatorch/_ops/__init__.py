"""Differentiable ops grouped by kind; importing this package attaches their Tensor methods."""
from . import arithmetic, cast, comparison, indexing, linalg, pointwise, reduction, shape, softmax, sorting  # noqa: F401
