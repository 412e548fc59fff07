"""``numbatorch.keras``: torchkeras's Keras-style training API (``KerasModel``, ``summary``, metrics, callbacks)."""
from . import callbacks, metrics  # noqa: F401
from ._plot import VisMetric
from ._vis_progress import VisProgress
from .accelerator import Accelerator
from .callbacks import (CSVLogger, Callback, EarlyStopping, EpochCheckpoint, ModelCheckpoint, TensorBoard,
                        TensorBoardCallback)
from .flops import flop_summary
from .model import KerasModel
from .runners import EpochRunner, StepRunner
from .summary import summary
from .utils import seed_everything

__version__ = "4.0.5"  # the torchkeras release whose API this follows

__all__ = ["KerasModel", "StepRunner", "EpochRunner", "Accelerator", "summary", "flop_summary", "seed_everything",
           "metrics", "callbacks", "Callback", "TensorBoard", "TensorBoardCallback", "EarlyStopping",
           "ModelCheckpoint", "EpochCheckpoint", "CSVLogger", "VisMetric", "VisProgress"]
