"""Special functions numpy lacks; the kernels live in ``pointwise`` (one erf for the whole package)."""
from .pointwise import erf, erfc  # noqa: F401
