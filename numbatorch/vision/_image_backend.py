"""``set_image_backend`` / ``get_image_backend``: which library decodes image files (PIL here)."""

_image_backend = "PIL"


def set_image_backend(backend):
    """Choose the image decoder; numbatorch decodes with PIL only (torchvision's other choice, accimage, is a
    separate native package it does not use)."""
    global _image_backend
    if backend not in ["PIL", "accimage"]:
        raise ValueError(f"Invalid backend '{backend}'. Options are 'PIL' and 'accimage'")
    if backend == "accimage":
        raise ValueError("numbatorch.vision decodes images with PIL only; the 'accimage' backend is not supported")
    _image_backend = backend


def get_image_backend():
    """The name of the image decoder in use: ``'PIL'``."""
    return _image_backend
