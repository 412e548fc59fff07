"""``numbatorch.keras``: torchkeras's Keras-style training API (``KerasModel``, ``summary``, metrics, callbacks)."""
from . import callbacks, metrics  # noqa: F401
from .callbacks import CSVLogger, Callback, EarlyStopping, ModelCheckpoint, TensorBoard, TensorBoardCallback
from ._plot import VisMetric
from .model import KerasModel
from .summary import summary

__all__ = ["KerasModel", "summary", "metrics", "callbacks", "Callback", "TensorBoard", "TensorBoardCallback",
           "EarlyStopping", "ModelCheckpoint", "CSVLogger", "VisMetric"]
