"""``add_embedding``'s files for TensorBoard's projector: ``tensors.tsv``, ``metadata.tsv``, ``sprite.png`` in
``<log_dir>/<step:05d>/<tag>/`` and an entry in ``<log_dir>/projector_config.pbtxt``."""
import math
import os

import numpy as np

from ._convert import images_to_grid, to_numpy

__all__ = ["write_embedding"]


def _write_metadata(path, metadata, metadata_header):
    with open(os.path.join(path, "metadata.tsv"), "w", encoding="utf-8") as f:
        if metadata_header is not None:
            f.write("\t".join(str(h) for h in metadata_header) + "\n")
            for row in metadata:
                f.write("\t".join(str(x) for x in row) + "\n")
        else:
            for label in metadata:
                f.write(f"{label}\n")


def _write_sprite(path, label_img):
    imgs = to_numpy(label_img)
    if imgs.ndim != 4:
        raise ValueError(f"add_embedding: label_img must be (N, C, H, W), got shape {imgs.shape}")
    per_row = int(math.ceil(math.sqrt(imgs.shape[0])))
    # The projector expects a square sprite: pad with blank images up to per_row**2.
    pad = per_row * per_row - imgs.shape[0]
    if pad:
        imgs = np.concatenate([imgs, np.zeros((pad,) + imgs.shape[1:], dtype=imgs.dtype)])
    from .summary import _encode_png
    with open(os.path.join(path, "sprite.png"), "wb") as f:
        f.write(_encode_png(images_to_grid(imgs, "NCHW", ncols=per_row)))
    return imgs.shape[2], imgs.shape[3]


def write_embedding(log_dir, mat, metadata=None, label_img=None, global_step=None, tag="default",
                    metadata_header=None):
    from google.protobuf import text_format
    from tensorboard.plugins.projector.projector_config_pb2 import EmbeddingInfo, ProjectorConfig

    mat = to_numpy(mat)
    if mat.ndim != 2:
        raise ValueError(f"add_embedding: mat must be (N, D), got shape {mat.shape}")
    step = 0 if global_step is None else int(global_step)
    safe_tag = tag.replace("/", "_").replace("\\", "_")
    subdir = f"{step:05d}/{safe_tag}"
    path = os.path.join(log_dir, subdir)
    os.makedirs(path, exist_ok=True)
    info = EmbeddingInfo(tensor_name=f"{tag}:{step:05d}", tensor_path=f"{subdir}/tensors.tsv")
    if metadata is not None:
        metadata = list(to_numpy(metadata).tolist()) if hasattr(metadata, "numpy") else list(metadata)
        if len(metadata) != mat.shape[0]:
            raise ValueError(f"add_embedding: {len(metadata)} metadata rows for {mat.shape[0]} points")
        _write_metadata(path, metadata, metadata_header)
        info.metadata_path = f"{subdir}/metadata.tsv"
    if label_img is not None:
        if to_numpy(label_img).shape[0] != mat.shape[0]:
            raise ValueError("add_embedding: label_img needs one image per point")
        h, w = _write_sprite(path, label_img)
        info.sprite.image_path = f"{subdir}/sprite.png"
        info.sprite.single_image_dim.extend([w, h])
    np.savetxt(os.path.join(path, "tensors.tsv"), mat, delimiter="\t", fmt="%.8g")

    config_path = os.path.join(log_dir, "projector_config.pbtxt")
    config = ProjectorConfig()
    if os.path.exists(config_path):
        with open(config_path, encoding="utf-8") as f:
            text_format.Parse(f.read(), config)
    config.embeddings.extend([info])
    with open(config_path, "w", encoding="utf-8") as f:
        f.write(text_format.MessageToString(config))
