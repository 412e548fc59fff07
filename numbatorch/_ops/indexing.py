"""Indexing ops in one namespace; the ops live in ``subscript``, ``scatter_gather``, ``index_ops``, ``masking``.

Kept because ``numbatorch.nn`` imports ``index_select`` from here.
"""
from . import index_ops, masking, scatter_gather, subscript
from .index_ops import *  # noqa: F401,F403
from .masking import *  # noqa: F401,F403
from .scatter_gather import *  # noqa: F401,F403
from .subscript import *  # noqa: F401,F403

__all__ = [*subscript.__all__, *scatter_gather.__all__, *index_ops.__all__, *masking.__all__]
