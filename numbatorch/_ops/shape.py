"""Shape ops in one namespace; the ops live in ``views``, ``joining`` and ``reordering``.

Kept because ``numbatorch.nn`` imports ``cat``/``stack``/``repeat_interleave`` from here.
"""
from . import joining, reordering, views
from .joining import *  # noqa: F401,F403
from .reordering import *  # noqa: F401,F403
from .views import *  # noqa: F401,F403

__all__ = [*views.__all__, *joining.__all__, *reordering.__all__]
