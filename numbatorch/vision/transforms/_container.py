"""Transforms that combine other transforms."""
import numbatorch

from . import _random


class Compose:
    """Apply ``transforms`` one after another."""

    def __init__(self, transforms):
        self.transforms = transforms

    def __call__(self, img):
        for t in self.transforms:
            img = t(img)
        return img

    def __repr__(self):
        lines = "".join(f"\n    {t}" for t in self.transforms)
        return f"{self.__class__.__name__}({lines}\n)"


class Lambda:
    """Apply a user function."""

    def __init__(self, lambd):
        if not callable(lambd):
            raise TypeError(f"Argument lambd should be callable, got {repr(type(lambd).__name__)}")
        self.lambd = lambd

    def __call__(self, img):
        return self.lambd(img)

    def __repr__(self):
        return f"{self.__class__.__name__}()"


class RandomTransforms:
    """Base class for containers that pick among ``transforms`` at random."""

    def __init__(self, transforms):
        if not isinstance(transforms, (list, tuple)):
            raise TypeError("Argument transforms should be a sequence")
        self.transforms = transforms

    def __call__(self, *args, **kwargs):
        raise NotImplementedError

    def __repr__(self):
        lines = "".join(f"\n    {t}" for t in self.transforms)
        return f"{self.__class__.__name__}({lines}\n)"


class RandomApply(RandomTransforms):
    """Apply all ``transforms`` (in order) with probability ``p``."""

    def __init__(self, transforms, p=0.5):
        super().__init__(transforms)
        self.p = p

    def __call__(self, img):
        if not _random.coin(self.p):
            return img
        for t in self.transforms:
            img = t(img)
        return img

    def __repr__(self):
        return super().__repr__()[:-1] + f"    p={self.p}\n)"


class RandomChoice(RandomTransforms):
    """Apply one of ``transforms``, chosen with weights ``p`` (uniform by default)."""

    def __init__(self, transforms, p=None):
        super().__init__(transforms)
        if p is not None and len(p) != len(transforms):
            raise ValueError(f"Length of p doesn't match the number of transforms: {len(p)} != "
                             f"{len(transforms)}")
        self.p = p

    def __call__(self, *args):
        if self.p is None:
            idx = _random.randint(0, len(self.transforms))
        else:
            weights = numbatorch.tensor([float(w) for w in self.p], dtype=numbatorch.float64)
            idx = int(numbatorch.multinomial(weights, 1, True).item())
        return self.transforms[idx](*args)


class RandomOrder(RandomTransforms):
    """Apply all ``transforms`` in a random order."""

    def __call__(self, img):
        for i in _random.permutation(len(self.transforms)):
            img = self.transforms[i](img)
        return img
