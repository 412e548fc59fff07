"""ChannelShuffle: the layer form of ``F.channel_shuffle``."""
from ..functional.channel_shuffle import channel_shuffle
from .module import Module

__all__ = ["ChannelShuffle"]


class ChannelShuffle(Module):
    """Splits the channels into ``groups`` groups and interleaves them (ShuffleNet).

    Args:
        groups: number of groups; must divide the number of channels.

    Shape:
        - Input: ``(N, C, *)``. Output: the same shape.
    """

    __constants__ = ["groups"]

    def __init__(self, groups):
        super().__init__()
        self.groups = groups

    def forward(self, input):
        return channel_shuffle(input, self.groups)

    def extra_repr(self):
        return f"groups={self.groups}"
