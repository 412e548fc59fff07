"""The v2 transforms: v1's image transforms applied inside arbitrary samples, plus v2's own conversions."""
import warnings

import numpy as np
from PIL import Image

import numbatorch

from .. import _color, _container, _conversion, _erasing, _geometry
from .. import functional as F
from ._transform import Transform, _flatten, _FromV1

__all__ = ["CenterCrop", "ColorJitter", "Compose", "ConvertImageDtype", "GaussianBlur", "Grayscale", "Identity",
           "Lambda", "Normalize", "PILToTensor", "Pad", "RandomAffine", "RandomApply", "RandomChoice", "RandomCrop",
           "RandomErasing", "RandomGrayscale", "RandomHorizontalFlip", "RandomOrder", "RandomResizedCrop",
           "RandomRotation", "RandomVerticalFlip", "Resize", "ToDtype", "ToImage", "ToPILImage", "ToPureTensor",
           "ToTensor"]


def _v1(v1_class, random_params, doc):
    return type(v1_class.__name__, (_FromV1,), {"_v1_class": v1_class, "_random": random_params, "__doc__": doc,
                                                "__module__": __name__})


Resize = _v1(_geometry.Resize, False, "Resize the image (shorter side to ``size`` when it is an int).")
CenterCrop = _v1(_geometry.CenterCrop, False, "Crop the center ``size`` of the image.")
Pad = _v1(_geometry.Pad, False, "Pad the image's borders.")
RandomCrop = _v1(_geometry.RandomCrop, True, "Crop a random ``size`` window of the image.")
RandomResizedCrop = _v1(_geometry.RandomResizedCrop, True, "Crop a random area and aspect ratio, resized to "
                                                           "``size``.")
RandomHorizontalFlip = _v1(_geometry.RandomHorizontalFlip, True, "Flip the image left-right with probability "
                                                                 "``p``.")
RandomVerticalFlip = _v1(_geometry.RandomVerticalFlip, True, "Flip the image upside down with probability ``p``.")
RandomRotation = _v1(_geometry.RandomRotation, True, "Rotate the image by a random angle in ``degrees``.")
RandomAffine = _v1(_geometry.RandomAffine, True, "Random affine transformation of the image.")
ColorJitter = _v1(_color.ColorJitter, True, "Randomly change brightness, contrast, saturation and hue.")
Grayscale = _v1(_color.Grayscale, False, "Convert the image to grayscale.")
RandomGrayscale = _v1(_color.RandomGrayscale, True, "Convert the image to grayscale with probability ``p``.")
GaussianBlur = _v1(_color.GaussianBlur, True, "Blur the image with a Gaussian of random sigma.")
Normalize = _v1(_conversion.Normalize, False, "``(image - mean[c]) / std[c]`` per channel of a float tensor image.")
RandomErasing = _v1(_erasing.RandomErasing, True, "Erase a random rectangle of a tensor image.")
PILToTensor = _v1(_conversion.PILToTensor, False, "PIL image -> CHW tensor of the same dtype.")
ToPILImage = _v1(_conversion.ToPILImage, False, "CHW tensor or HWC ndarray -> PIL image.")


class ToTensor(_FromV1):
    """Deprecated: PIL image or ndarray -> float CHW tensor in [0, 1]; use ``Compose([ToImage(),
    ToDtype(torch.float32, scale=True)])``."""

    _v1_class = _conversion.ToTensor
    _extra_image_types = (np.ndarray,)

    def __init__(self):
        warnings.warn("The transform `ToTensor()` is deprecated and will be removed in a future release. Instead, "
                      "please use `v2.Compose([v2.ToImage(), v2.ToDtype(torch.float32, scale=True)])`.Output is "
                      "equivalent up to float precision.", UserWarning)
        super().__init__()


class ToImage(Transform):
    """PIL image, HWC ndarray or CHW tensor -> CHW tensor image (values and dtype kept)."""

    _extra_image_types = (np.ndarray,)

    def _transform_image(self, image):
        if isinstance(image, Image.Image):
            return F.pil_to_tensor(image)
        if isinstance(image, np.ndarray):
            array = image[:, :, None] if image.ndim == 2 else image
            return numbatorch.from_numpy(np.ascontiguousarray(array.transpose(2, 0, 1)))
        return image

    def __repr__(self):
        return f"{self.__class__.__name__}()"


class ToDtype(Transform):
    """Convert the image to ``dtype``; with ``scale`` also map the value range (uint8 255 <-> float 1.0)."""

    def __init__(self, dtype, scale=False):
        super().__init__()
        if not isinstance(dtype, numbatorch.dtype):
            raise TypeError(f"ToDtype takes a dtype here (numbatorch has no tv_tensors to key a dict on), got "
                            f"{type(dtype).__name__}")
        self.dtype = dtype
        self.scale = scale

    def _transform_image(self, image):
        if not isinstance(image, numbatorch.Tensor):
            raise TypeError(f"ToDtype expects a tensor image, got {type(image).__name__}; apply ToImage() first")
        return F.convert_image_dtype(image, self.dtype) if self.scale else image.to(self.dtype)

    def __repr__(self):
        return f"{self.__class__.__name__}(dtype={self.dtype}, scale={self.scale})"


class ConvertImageDtype(ToDtype):
    """Deprecated spelling of ``ToDtype(dtype, scale=True)``."""

    def __init__(self, dtype=numbatorch.float32):
        super().__init__(dtype, scale=True)


class ToPureTensor(Transform):
    """Strip tensor subclasses; numbatorch's images are plain tensors already, so the sample is unchanged."""

    def forward(self, *inputs):
        return inputs if len(inputs) > 1 else inputs[0]


class Identity(ToPureTensor):
    """Return the inputs unchanged."""


class Lambda(Transform):
    """Apply ``lambd`` to every leaf of the sample that is an instance of ``types`` (every leaf by default)."""

    def __init__(self, lambd, *types):
        super().__init__()
        if not callable(lambd):
            raise TypeError(f"Argument lambd should be callable, got {repr(type(lambd).__name__)}")
        self.lambd = lambd
        self.types = types or (object,)

    def forward(self, *inputs):
        leaves, rebuild = _flatten(inputs if len(inputs) > 1 else inputs[0])
        return rebuild([self.lambd(leaf) if isinstance(leaf, self.types) else leaf for leaf in leaves])

    def __repr__(self):
        return f"{self.__class__.__name__}(lambd={getattr(self.lambd, '__name__', self.lambd)}, types={self.types})"


class Compose(Transform):
    """Apply ``transforms`` in order to the whole sample."""

    def __init__(self, transforms):
        super().__init__()
        if not isinstance(transforms, (list, tuple)):
            raise TypeError("Argument transforms should be a sequence of callables")
        self.transforms = list(transforms)

    def forward(self, *inputs):
        unpack = len(inputs) > 1
        for transform in self.transforms:
            outputs = transform(*inputs)
            inputs = outputs if unpack else (outputs,)
        return outputs

    def __repr__(self):
        return repr(_container.Compose(self.transforms))


class RandomApply(Compose):
    """Apply all ``transforms`` with probability ``p``."""

    def __init__(self, transforms, p=0.5):
        super().__init__(transforms)
        if not 0.0 <= p <= 1.0:
            raise ValueError("`p` should be a floating point value in the interval [0.0, 1.0].")
        self.p = p

    def forward(self, *inputs):
        if numbatorch.rand(1).item() >= self.p:
            return inputs if len(inputs) > 1 else inputs[0]
        return super().forward(*inputs)


class RandomChoice(Transform):
    """Apply one of ``transforms``, picked with probabilities ``p`` (uniform by default)."""

    def __init__(self, transforms, p=None):
        super().__init__()
        if not isinstance(transforms, (list, tuple)):
            raise TypeError("Argument transforms should be a sequence of callables")
        if p is None:
            p = [1] * len(transforms)
        elif len(p) != len(transforms):
            raise ValueError(f"Length of p doesn't match the number of transforms: {len(p)} != {len(transforms)}")
        self.transforms = list(transforms)
        total = sum(p)
        self.p = [prob / total for prob in p]

    def forward(self, *inputs):
        index = int(numbatorch.multinomial(numbatorch.tensor(self.p), 1))
        return self.transforms[index](*inputs)


class RandomOrder(Transform):
    """Apply ``transforms`` in a random order."""

    def __init__(self, transforms):
        super().__init__()
        if not isinstance(transforms, (list, tuple)):
            raise TypeError("Argument transforms should be a sequence of callables")
        self.transforms = list(transforms)

    def forward(self, *inputs):
        unpack = len(inputs) > 1
        outputs = inputs if unpack else inputs[0]
        for index in numbatorch.randperm(len(self.transforms)).tolist():
            outputs = self.transforms[index](*inputs)
            inputs = outputs if unpack else (outputs,)
        return outputs
