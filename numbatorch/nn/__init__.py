"""``numbatorch.nn``: Modules, Parameters, layers, losses, ``functional``, ``init`` and ``utils``."""
from . import functional, init, parallel, utils  # noqa: F401
from .modules import *  # noqa: F401,F403
from .parameter import Buffer, Parameter, UninitializedBuffer, UninitializedParameter  # noqa: F401
from .parallel import DataParallel  # noqa: F401
from . import attention, common_types, grad  # noqa: F401
from ._factory_kwargs import factory_kwargs  # noqa: F401
from .modules.cross_map_lrn import CrossMapLRN2d  # noqa: F401
from .modules.linear_cross_entropy import LinearCrossEntropyLoss  # noqa: F401
from .modules.linear_cross_entropy_options import LinearCrossEntropyOptions  # noqa: F401


def __getattr__(name):
    from .._api_placeholders import left_out_error
    raise left_out_error("torch.nn", name, __name__)
