"""PyTorch's names for numbatorch's classes and functions in pickles, in both directions.

A whole model pickled by ``torch.save`` names its classes by PyTorch's module paths
(``torch.nn.modules.activation.MultiheadAttention``, ``torch.nn.functional.relu``); numbatorch writes the same
paths, so either framework loads the other's file. numbatorch's files mostly mirror PyTorch's; the few
classes that live elsewhere are listed in ``_TORCH_MODULE_OF``.
"""
import _compat_pickle
import importlib

# numbatorch classes whose PyTorch module differs from numbatorch's file layout.
_TORCH_MODULE_OF = {
    "numbatorch.nn.modules.multihead_attention.MultiheadAttention": "torch.nn.modules.activation",
    "numbatorch.nn.modules.multihead_attention.NonDynamicallyQuantizableLinear": "torch.nn.modules.linear",
    "numbatorch.nn.modules.batchnorm_sync.SyncBatchNorm": "torch.nn.modules.batchnorm",
}
# ... and back: PyTorch's path of each of them -> numbatorch's module.
_NUMBATORCH_MODULE_OF = {f"{torch_module}.{full.rsplit('.', 1)[1]}": full.rsplit(".", 1)[0]
                         for full, torch_module in _TORCH_MODULE_OF.items()}
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
    moved = _TORCH_MODULE_OF.get(f"{module}.{qualname}")
    if moved is not None:
        return moved, qualname
    if not isinstance(obj, type):
        for home in _FUNCTION_HOMES:
            if getattr(importlib.import_module(home), qualname, None) is obj:
                return "torch" + home[len("numbatorch"):], qualname
    return "torch" + module[len("numbatorch"):], qualname


def numbatorch_global(module, name):
    """The numbatorch object a pickled ``torch.*`` (or ``numbatorch.*``) global stands for, or None.

    PyTorch's module path is followed as far as numbatorch mirrors it, then up towards the public
    package: ``torch.nn.modules.activation.MultiheadAttention`` finds ``numbatorch.nn.MultiheadAttention``.
    Only numbatorch's own modules are imported.
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
    while parts:
        try:
            obj = importlib.import_module(".".join(parts))
            for attr in name.split("."):
                obj = getattr(obj, attr)
        except (ImportError, AttributeError):
            parts.pop()
            continue
        return obj
    return None
