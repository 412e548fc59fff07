"""Pretrained checkpoints from the local torch hub cache (``$TORCH_HOME/hub/checkpoints``).

torchvision fetches a checkpoint once and afterwards reads the cached copy; numbatorch has no network, so it
reads a copy already there (put by torchvision on another machine, or by hand) and otherwise says where to
put it.
"""
import os
from urllib.parse import urlparse

import numbatorch

__all__ = ["get_dir", "load_state_dict_from_url"]


def get_dir():
    """The hub directory: ``$TORCH_HOME/hub``, by default ``$XDG_CACHE_HOME/torch/hub`` or
    ``~/.cache/torch/hub``."""
    torch_home = os.getenv("TORCH_HOME")
    if torch_home is None:
        torch_home = os.path.join(os.getenv("XDG_CACHE_HOME", os.path.join("~", ".cache")), "torch")
    return os.path.join(os.path.expanduser(torch_home), "hub")


def load_state_dict_from_url(url, model_dir=None, map_location=None, progress=True, check_hash=False,
                             file_name=None, weights_only=True):
    """Load the cached copy of the checkpoint at ``url`` from ``model_dir`` (default
    ``<hub dir>/checkpoints``). ``progress`` and ``check_hash`` concern downloading, which numbatorch never
    does (torch.hub checks the hash only of a file it has just downloaded)."""
    if model_dir is None:
        model_dir = os.path.join(get_dir(), "checkpoints")
    cached_file = os.path.join(model_dir, file_name or os.path.basename(urlparse(url).path))
    if not os.path.isfile(cached_file):
        raise RuntimeError(f"Error downloading {url}: numbatorch does not download files, and {cached_file} is "
                           f"missing. Fetch the file and place it there (the directory is $TORCH_HOME/hub/"
                           f"checkpoints, ~/.cache/torch/hub/checkpoints by default).")
    return numbatorch.load(cached_file, map_location=map_location, weights_only=weights_only)
