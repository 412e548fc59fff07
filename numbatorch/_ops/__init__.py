"""Differentiable ops grouped by kind; importing this package attaches their Tensor methods."""
from . import (activation, addmm_ops, arithmetic, binary_math, cast, classification, comparison,  # noqa: F401
               complex_ops,
               contractions, cumulative, index_ops, joining, masking, norms, products, reduction, reordering,
               rounding, scatter_gather, softmax, sorting, statistics, subscript, ternary, unary_math, views)
from . import keyword_aliases  # noqa: F401,E402  (last: wraps the ops above to accept axis=/keepdims=)
