"""``FakeData``: random images, the same ones every time for the same index."""
import numbatorch

from .. import transforms
from .vision import VisionDataset

__all__ = ["FakeData"]


class FakeData(VisionDataset):
    """``size`` random PIL images of ``image_size`` (C, H, W) with random targets in ``[0, num_classes)``;
    item ``i`` is drawn from seed ``i + random_offset`` without disturbing the global generator."""

    def __init__(self, size=1000, image_size=(3, 224, 224), num_classes=10, transform=None,
                 target_transform=None, random_offset=0):
        super().__init__(transform=transform, target_transform=target_transform)
        self.size = size
        self.num_classes = num_classes
        self.image_size = image_size
        self.random_offset = random_offset

    def __getitem__(self, index):
        if index >= len(self):
            raise IndexError(f"{self.__class__.__name__} index out of range")
        rng_state = numbatorch.get_rng_state()
        numbatorch.manual_seed(index + self.random_offset)
        img = numbatorch.randn(*self.image_size)
        target = numbatorch.randint(0, self.num_classes, size=(1,), dtype=numbatorch.long)[0]
        numbatorch.set_rng_state(rng_state)
        img = transforms.ToPILImage()(img)
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target.item()

    def __len__(self):
        return self.size
