"""The model registry behind ``get_model``, ``get_model_builder`` and ``list_models``."""
import fnmatch
import warnings

__all__ = ["get_model", "get_model_builder", "list_models", "register_model"]

BUILTIN_MODELS = {}


def register_model(name=None):
    """Decorator: record a model builder under ``name`` (default: the function's name)."""
    def wrapper(fn):
        key = name if name is not None else fn.__name__
        if key in BUILTIN_MODELS:
            raise ValueError(f"An entry is already registered under the name '{key}'.")
        BUILTIN_MODELS[key] = fn
        return fn
    return wrapper


def list_models(module=None, include=None, exclude=None):
    """Sorted names of the registered models, optionally only those of ``module`` and filtered by
    ``include``/``exclude`` shell-style patterns."""
    all_models = {k for k, v in BUILTIN_MODELS.items()
                  if module is None or v.__module__.rsplit(".", 1)[0] == module.__name__}
    if include:
        models = set()
        for pattern in [include] if isinstance(include, str) else include:
            models |= set(fnmatch.filter(all_models, pattern))
    else:
        models = all_models
    if exclude:
        for pattern in [exclude] if isinstance(exclude, str) else exclude:
            models -= set(fnmatch.filter(all_models, pattern))
    return sorted(models)


def get_model_builder(name):
    """The builder function registered under ``name`` (case-insensitive)."""
    name = name.lower()
    try:
        return BUILTIN_MODELS[name]
    except KeyError:
        raise ValueError(f"Unknown model {name}") from None


def get_model(name, **config):
    """Build the model registered under ``name`` with ``config`` passed to its builder."""
    return get_model_builder(name)(**config)


def _check_weights(builder, weights, kwargs):
    """Accept only ``weights=None`` (and the deprecated ``pretrained=False``): numbatorch has no network to
    download pretrained weights. Pops ``pretrained`` from ``kwargs``."""
    if "pretrained" in kwargs:
        warnings.warn("The parameter 'pretrained' is deprecated since 0.13 and may be removed in the future, "
                      "please use 'weights' instead.", UserWarning)
        if kwargs.pop("pretrained"):
            weights = "IMAGENET1K_V1"  # what torchvision reads pretrained=True as
    if weights is not None:
        raise NotImplementedError(
            f"numbatorch.vision.models.{builder}(weights={weights!r}): numbatorch does not download pretrained "
            f"weights. Build the model with weights=None and load a state_dict saved from torchvision: "
            f"model.load_state_dict(torch.load(path)) (the parameter names are the same).")
