"""PyTorch's names for numbatorch's classes and functions in pickles, in both directions.

A whole model pickled by ``torch.save`` names its classes by PyTorch's module paths
(``torch.nn.modules.activation.MultiheadAttention``, ``torch.nn.functional.relu``); numbatorch writes the same
paths, so either framework loads the other's file.
"""
import _compat_pickle
import importlib
import sys

# The file of torch.nn.modules that defines each of PyTorch's layers (PyTorch 2.x): numbatorch writes a
# layer under this path whatever file of numbatorch.nn.modules defines it.
_TORCH_NN_FILES = {
    "activation": ("CELU ELU GELU GLU Hardshrink Hardsigmoid Hardswish Hardtanh LeakyReLU LogSigmoid "
                  "LogSoftmax Mish MultiheadAttention PReLU RReLU ReLU ReLU6 SELU SiLU Sigmoid "
                  "Softmax Softmax2d Softmin Softplus Softshrink Softsign Tanh Tanhshrink Threshold"),
    "adaptive": "AdaptiveLogSoftmaxWithLoss",
    "batchnorm": ("BatchNorm1d BatchNorm2d BatchNorm3d LazyBatchNorm1d LazyBatchNorm2d LazyBatchNorm3d "
                 "SyncBatchNorm"),
    "channelshuffle": "ChannelShuffle",
    "container": "Container ModuleDict ModuleList ParameterDict ParameterList Sequential",
    "conv": ("Conv1d Conv2d Conv3d ConvTranspose1d ConvTranspose2d ConvTranspose3d LazyConv1d "
            "LazyConv2d LazyConv3d LazyConvTranspose1d LazyConvTranspose2d LazyConvTranspose3d"),
    "distance": "CosineSimilarity PairwiseDistance",
    "dropout": "AlphaDropout Dropout Dropout1d Dropout2d Dropout3d FeatureAlphaDropout",
    "flatten": "Flatten Unflatten",
    "fold": "Fold Unfold",
    "instancenorm": ("InstanceNorm1d InstanceNorm2d InstanceNorm3d LazyInstanceNorm1d "
                    "LazyInstanceNorm2d LazyInstanceNorm3d"),
    "linear": "Bilinear Identity LazyLinear Linear NonDynamicallyQuantizableLinear",
    "linear_cross_entropy_options": "LinearCrossEntropyOptions",
    "loss": ("BCELoss BCEWithLogitsLoss CTCLoss CosineEmbeddingLoss CrossEntropyLoss GaussianNLLLoss "
            "HingeEmbeddingLoss HuberLoss KLDivLoss L1Loss LinearCrossEntropyLoss MSELoss "
            "MarginRankingLoss MultiLabelMarginLoss MultiLabelSoftMarginLoss MultiMarginLoss NLLLoss "
            "NLLLoss2d PoissonNLLLoss SmoothL1Loss SoftMarginLoss TripletMarginLoss "
            "TripletMarginWithDistanceLoss"),
    "module": "Module",
    "normalization": "CrossMapLRN2d GroupNorm LayerNorm LocalResponseNorm RMSNorm",
    "padding": ("CircularPad1d CircularPad2d CircularPad3d ConstantPad1d ConstantPad2d ConstantPad3d "
               "ReflectionPad1d ReflectionPad2d ReflectionPad3d ReplicationPad1d ReplicationPad2d "
               "ReplicationPad3d ZeroPad1d ZeroPad2d ZeroPad3d"),
    "pixelshuffle": "PixelShuffle PixelUnshuffle",
    "pooling": ("AdaptiveAvgPool1d AdaptiveAvgPool2d AdaptiveAvgPool3d AdaptiveMaxPool1d "
               "AdaptiveMaxPool2d AdaptiveMaxPool3d AvgPool1d AvgPool2d AvgPool3d FractionalMaxPool2d "
               "FractionalMaxPool3d LPPool1d LPPool2d LPPool3d MaxPool1d MaxPool2d MaxPool3d "
               "MaxUnpool1d MaxUnpool2d MaxUnpool3d"),
    "rnn": "GRU GRUCell LSTM LSTMCell RNN RNNBase RNNCell RNNCellBase",
    "sparse": "Embedding EmbeddingBag",
    "transformer": ("Transformer TransformerDecoder TransformerDecoderLayer TransformerEncoder "
                   "TransformerEncoderLayer"),
    "upsampling": "Upsample UpsamplingBilinear2d UpsamplingNearest2d",
}
_TORCH_MODULE_OF = {name: f"torch.nn.modules.{file}" for file, names in _TORCH_NN_FILES.items()
                   for name in names.split()}
# Layers that numbatorch.nn does not export by name: where numbatorch defines them.
_NUMBATORCH_MODULE_OF = {"torch.nn.modules.linear.NonDynamicallyQuantizableLinear":
                         "numbatorch.nn.modules.multihead_attention"}
# Where PyTorch's functions live publicly (numbatorch defines them in private submodules).
_FUNCTION_HOMES = ("numbatorch.nn.functional", "numbatorch.nn.init", "numbatorch")
# numbatorch's own packages (torchvision/torchkeras stand-ins): their names stay numbatorch's.
_OWN_PACKAGES = ("numbatorch.vision", "numbatorch.keras")


def python3_name(module, name):
    """Protocol-2 pickles may spell globals as Python 2 did (``__builtin__.set``): map them as pickle does."""
    if (module, name) in _compat_pickle.NAME_MAPPING:
        return _compat_pickle.NAME_MAPPING[(module, name)]
    return _compat_pickle.IMPORT_MAPPING.get(module, module), name


def torch_name_of(obj):
    """``(module, qualname)`` under which PyTorch knows the numbatorch class or function ``obj``; None if none."""
    module = getattr(obj, "__module__", None) or ""
    qualname = getattr(obj, "__qualname__", None)
    if qualname is None or not (module == "numbatorch" or module.startswith("numbatorch.")):
        return None
    if any(module == p or module.startswith(p + ".") for p in _OWN_PACKAGES):
        return None
    if isinstance(obj, type) and module.startswith("numbatorch.nn.modules.") and qualname in _TORCH_MODULE_OF:
        return _TORCH_MODULE_OF[qualname], qualname
    if not isinstance(obj, type):
        for home in _FUNCTION_HOMES:
            if getattr(importlib.import_module(home), qualname, None) is obj:
                return "torch" + home[len("numbatorch"):], qualname
    return "torch" + module[len("numbatorch"):], qualname


def numbatorch_global(module, name, import_modules=True):
    """The numbatorch class or function a pickled ``torch.*`` (or ``numbatorch.*``) global stands for, or None.

    PyTorch's module path is followed as far as numbatorch mirrors it, then up towards the public
    package: ``torch.nn.modules.activation.MultiheadAttention`` finds ``numbatorch.nn.MultiheadAttention``.
    Only numbatorch's own modules are imported, never a dunder one (importing ``numbatorch.__main__`` runs
    the command line), and with ``import_modules=False`` only those already imported are looked at.
    """
    moved = _NUMBATORCH_MODULE_OF.get(f"{module}.{name}")
    if moved is not None:
        module = moved
    if module == "torch" or module.startswith("torch."):
        parts = ["numbatorch"] + module.split(".")[1:]
    elif module == "numbatorch" or module.startswith("numbatorch."):
        parts = module.split(".")
    else:
        return None
    if any(part.startswith("__") for part in parts + name.split(".")):
        return None
    while parts:
        path = ".".join(parts)
        parts.pop()
        try:
            obj = importlib.import_module(path) if import_modules else sys.modules.get(path)
            for attr in name.split("."):
                obj = getattr(obj, attr)
        except (ImportError, AttributeError):
            continue
        # only what numbatorch defines: a path through a module's imports (numbatorch.serialization.os) is not
        if (getattr(obj, "__module__", None) or "").startswith("numbatorch"):
            return obj
    return None
