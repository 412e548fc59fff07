"""Matrix-product ops in one namespace; the ops live in ``products``, ``contractions`` and ``addmm_ops``."""
from . import addmm_ops, contractions, products
from .addmm_ops import *  # noqa: F401,F403
from .contractions import *  # noqa: F401,F403
from .products import *  # noqa: F401,F403

__all__ = [*products.__all__, *contractions.__all__, *addmm_ops.__all__]
