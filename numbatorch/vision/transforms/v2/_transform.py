"""``Transform``: the v2 base class. A v2 transform takes any structure of inputs (an image, ``(image, label)``,
dicts, lists) and transforms the image in it, passing everything else through.

Which leaves are images: PIL images, and, when there is none, the first tensor (torchvision's "pure tensor"
heuristic). numbatorch has no ``tv_tensors`` (bounding boxes, masks, videos); a random transform asked to change
several images of one sample consistently raises instead of drawing different parameters for each.
"""
from PIL import Image

import numbatorch

from .... import nn

__all__ = ["Transform"]


def _flatten(sample):
    """(leaves, rebuild): the leaves of nested tuples/lists/dicts and a function putting new leaves back."""
    if isinstance(sample, (tuple, list)):
        parts = [_flatten(item) for item in sample]
        leaves = [leaf for part_leaves, _ in parts for leaf in part_leaves]

        def rebuild(new):
            out, start = [], 0
            for part_leaves, part_rebuild in parts:
                out.append(part_rebuild(new[start:start + len(part_leaves)]))
                start += len(part_leaves)
            return type(sample)(out)
        return leaves, rebuild
    if isinstance(sample, dict):
        keys = list(sample)
        items, rebuild_items = _flatten([sample[k] for k in keys])
        return items, lambda new: type(sample)(zip(keys, rebuild_items(new)))
    return [sample], lambda new: new[0]


def _image_positions(leaves, extra_types=()):
    """Indices of the leaves to transform as images."""
    positions = [i for i, leaf in enumerate(leaves) if isinstance(leaf, (Image.Image,) + extra_types)]
    if not positions:
        positions = [i for i, leaf in enumerate(leaves) if isinstance(leaf, numbatorch.Tensor)][:1]
    return positions


class Transform(nn.Module):
    """Base of the v2 transforms: ``forward(*inputs)`` applies ``_transform_image`` to the sample's image(s)."""

    # Random transforms draw parameters per call: they can only keep several images consistent if they share them.
    _random = False
    _extra_image_types = ()

    def _transform_image(self, image):
        raise NotImplementedError

    def forward(self, *inputs):
        sample = inputs if len(inputs) > 1 else inputs[0]
        leaves, rebuild = _flatten(sample)
        positions = _image_positions(leaves, self._extra_image_types)
        if self._random and len(positions) > 1:
            raise NotImplementedError(f"numbatorch's transforms.v2.{type(self).__name__} transforms one image per "
                                      f"sample; this sample holds {len(positions)}")
        for i in positions:
            leaves[i] = self._transform_image(leaves[i])
        return rebuild(leaves)


class _FromV1(Transform):
    """A v2 transform that applies the v1 transform of the same name to the image."""

    _v1_class = None

    def __init__(self, *args, **kwargs):
        super().__init__()
        v1 = self._v1_class(*args, **kwargs)
        self.__dict__["_v1"] = v1
        for name, value in vars(v1).items():  # the v1 settings (size, p, ...) read as attributes, as in torchvision
            self.__dict__.setdefault(name, value)

    def _transform_image(self, image):
        return self._v1(image)

    def __repr__(self):
        return repr(self._v1)
