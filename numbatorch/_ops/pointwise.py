"""All elementwise math in one namespace; the ops live in the modules imported below.

Kept because ``numbatorch.nn`` imports ``relu``/``sigmoid``/``tanh``/``minimum`` from here.
"""
from . import activation, binary_math, classification, rounding, ternary, unary_math
from .activation import *  # noqa: F401,F403
from .binary_math import *  # noqa: F401,F403
from .classification import *  # noqa: F401,F403
from .rounding import *  # noqa: F401,F403
from .ternary import *  # noqa: F401,F403
from .unary_math import *  # noqa: F401,F403

__all__ = [*unary_math.__all__, *activation.__all__, *binary_math.__all__, *ternary.__all__, *rounding.__all__,
           *classification.__all__]
