"""``DatasetFolder`` and ``ImageFolder``: one sub-folder per class."""
import os

from PIL import Image

from .vision import VisionDataset

__all__ = ["DatasetFolder", "ImageFolder", "IMG_EXTENSIONS", "default_loader", "pil_loader",
           "find_classes", "make_dataset", "has_file_allowed_extension", "is_image_file"]

IMG_EXTENSIONS = (".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp")


def has_file_allowed_extension(filename, extensions):
    """Case-insensitive suffix test."""
    return filename.lower().endswith(extensions if isinstance(extensions, str) else tuple(extensions))


def is_image_file(filename):
    return has_file_allowed_extension(filename, IMG_EXTENSIONS)


def find_classes(directory):
    """Sorted class folder names and their indices."""
    classes = sorted(entry.name for entry in os.scandir(directory) if entry.is_dir())
    if not classes:
        raise FileNotFoundError(f"Couldn't find any class folder in {directory}.")
    return classes, {name: i for i, name in enumerate(classes)}


def _walk_once(top, seen):
    """``sorted(os.walk(top, followlinks=True))`` as (dirpath, filenames), entering each real directory
    (device, inode) at most once: a symlink looping back to an ancestor or to ``seen`` is not re-entered."""
    found = []
    pending = [top]
    while pending:
        path = pending.pop()
        try:
            info = os.stat(path)
            entries = list(os.scandir(path))
        except OSError:  # vanished or unreadable: os.walk skips it too
            continue
        key = (info.st_dev, info.st_ino)
        if key in seen:
            continue
        seen.add(key)
        files, subdirs = [], []
        for entry in sorted(entries, key=lambda e: e.name):
            try:
                is_dir = entry.is_dir()  # follows symlinks, like os.walk(followlinks=True)
            except OSError:
                is_dir = False
            (subdirs if is_dir else files).append(entry.name)
        # Depth-first in name order, so a directory reachable twice is always entered through the same path.
        pending.extend(os.path.join(path, name) for name in reversed(subdirs))
        found.append((path, files))
    return sorted(found)


def make_dataset(directory, class_to_idx=None, extensions=None, is_valid_file=None, allow_empty=False):
    """``[(path, class_index), ...]`` in sorted class then file order."""
    directory = os.path.expanduser(directory)
    if class_to_idx is None:
        _, class_to_idx = find_classes(directory)
    elif not class_to_idx:
        raise ValueError("'class_to_index' must have at least one entry to collect any samples.")
    if (extensions is None) == (is_valid_file is None):
        raise ValueError("Both extensions and is_valid_file cannot be None or not None at the same time")
    if extensions is not None:
        def is_valid_file(path):
            return has_file_allowed_extension(path, extensions)

    root_info = os.stat(directory)
    instances = []
    empty_classes = []
    for target_class in sorted(class_to_idx, key=class_to_idx.get):
        class_index = class_to_idx[target_class]
        target_dir = os.path.join(directory, target_class)
        if not os.path.isdir(target_dir):
            continue
        count = 0
        # Symlinked folders are followed, but the root and each real directory are walked once per class,
        # so a link back up the tree cannot loop.
        for root, fnames in _walk_once(target_dir, {(root_info.st_dev, root_info.st_ino)}):
            for fname in sorted(fnames):
                path = os.path.join(root, fname)
                if is_valid_file(path):
                    instances.append((path, class_index))
                    count += 1
        if count == 0:
            empty_classes.append(target_class)

    if empty_classes and not allow_empty:
        msg = f"Found no valid file for the classes {', '.join(sorted(empty_classes))} in {directory}. "
        if extensions is not None:
            shown = extensions if isinstance(extensions, str) else ", ".join(extensions)
            msg += f"Supported extensions are: {shown}"
        raise FileNotFoundError(msg)
    return instances


def pil_loader(path):
    """Open an image as RGB, decoding it fully now; errors name the file."""
    try:
        with open(path, "rb") as f:
            img = Image.open(f)
            return img.convert("RGB")
    except (OSError, SyntaxError, ValueError) as exc:
        # PIL's messages (e.g. "image file is truncated") don't always say which file.
        raise OSError(f"Cannot load image file {path!r}: {exc}") from exc


def default_loader(path):
    """Load the image file at ``path`` as an RGB PIL image (torchvision's default loader)."""
    return pil_loader(path)


class DatasetFolder(VisionDataset):
    """Samples ``root/<class>/**/<file>`` loaded with ``loader``; targets are class indices."""

    def __init__(self, root, loader, extensions=None, transform=None, target_transform=None,
                 is_valid_file=None, allow_empty=False):
        super().__init__(os.fspath(root), transform=transform, target_transform=target_transform)
        classes, class_to_idx = self.find_classes(self.root)
        samples = self.make_dataset(self.root, class_to_idx, extensions, is_valid_file,
                                    allow_empty=allow_empty)
        self.loader = loader
        self.extensions = extensions
        self.classes = classes
        self.class_to_idx = class_to_idx
        self.samples = samples
        self.targets = [s[1] for s in samples]

    @staticmethod
    def make_dataset(directory, class_to_idx, extensions=None, is_valid_file=None, allow_empty=False):
        if class_to_idx is None:
            raise ValueError("The class_to_idx parameter cannot be None.")
        return make_dataset(directory, class_to_idx, extensions, is_valid_file, allow_empty)

    def find_classes(self, directory):
        return find_classes(directory)

    def __getitem__(self, index):
        path, target = self.samples[index]
        sample = self.loader(path)
        if self.transform is not None:
            sample = self.transform(sample)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return sample, target

    def __len__(self):
        return len(self.samples)


class ImageFolder(DatasetFolder):
    """``DatasetFolder`` of images (``IMG_EXTENSIONS``) loaded as RGB PIL images."""

    def __init__(self, root, transform=None, target_transform=None, loader=default_loader,
                 is_valid_file=None, allow_empty=False):
        super().__init__(root, loader, IMG_EXTENSIONS if is_valid_file is None else None,
                         transform=transform, target_transform=target_transform,
                         is_valid_file=is_valid_file, allow_empty=allow_empty)
        self.imgs = self.samples
