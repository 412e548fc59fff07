"""``numbatorch.nn.functional`` (import as ``F``): stateless layers, activations and losses."""
from .activation import *  # noqa: F401,F403
from .attention import *  # noqa: F401,F403
from .multi_head_attention import *  # noqa: F401,F403
from .batchnorm import *  # noqa: F401,F403
from .composed_loss import *  # noqa: F401,F403
from .conv import *  # noqa: F401,F403
from .distance import *  # noqa: F401,F403
from .dropout import *  # noqa: F401,F403
from .linear import *  # noqa: F401,F403
from .loss import *  # noqa: F401,F403
from .regression_loss import *  # noqa: F401,F403
from .normalization import *  # noqa: F401,F403
from .padding import *  # noqa: F401,F403
from .pooling import *  # noqa: F401,F403
from .sparse import *  # noqa: F401,F403
from .vision import *  # noqa: F401,F403
from .channel_shuffle import *  # noqa: F401,F403
from .ctc import *  # noqa: F401,F403
from .grid_sample import *  # noqa: F401,F403
from .gumbel import *  # noqa: F401,F403
from .pooling_adaptive import *  # noqa: F401,F403
from .rms_norm import *  # noqa: F401,F403
from .triplet_distance import *  # noqa: F401,F403
from .conv_tbc import *  # noqa: F401,F403
from .linear_loss import *  # noqa: F401,F403


def __getattr__(name):
    from ..._api_placeholders import left_out_error
    raise left_out_error("torch.nn.functional", name, __name__)
