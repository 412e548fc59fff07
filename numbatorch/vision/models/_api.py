"""The model registry behind ``get_model``, ``get_model_builder`` and ``list_models``, and the pretrained
weights enums (``ResNet18_Weights`` ...) with ``get_weight`` / ``get_model_weights``."""
import enum
import fnmatch
import importlib
import inspect
import typing
import warnings
from dataclasses import dataclass

from ._hub import load_state_dict_from_url

__all__ = ["Weights", "WeightsEnum", "get_model", "get_model_builder", "get_model_weights", "get_weight",
           "list_models", "register_model"]


@dataclass
class Weights:
    """Where a pretrained checkpoint lives (``url``), the preprocessing it expects (``transforms``, a
    constructor) and facts about it (``meta``, e.g. ``num_params``)."""

    url: str
    transforms: typing.Callable
    meta: typing.Dict[str, typing.Any]

    def __eq__(self, other):
        # transforms are functools.partial objects, which compare by identity; compare what they hold so a
        # deep-copied or unpickled member still matches its definition.
        if not isinstance(other, Weights):
            return NotImplemented
        if self.url != other.url or self.meta != other.meta:
            return False
        a, b = self.transforms, other.transforms
        if hasattr(a, "func") and hasattr(b, "func"):
            return (a.func, a.args, a.keywords) == (b.func, b.args, b.keywords)
        return a == b


class _WeightsEnumMeta(enum.EnumMeta):
    def from_str(cls, member):
        """The member named ``member``."""
        try:
            return cls[member]
        except KeyError:
            raise ValueError(f"Unknown value '{member}' for {cls.__name__}.") from None


class WeightsEnum(enum.Enum, metaclass=_WeightsEnumMeta):
    """Base of the per-model weights enums; each member's value is a :class:`Weights`."""

    def __init__(self, value):
        self._value_ = value

    @classmethod
    def verify(cls, obj):
        """``obj`` as a member of this enum: None, a member, or its name (``"DEFAULT"``,
        ``"ResNet18_Weights.IMAGENET1K_V1"``)."""
        if obj is not None:
            if type(obj) is str:
                obj = cls.from_str(obj.replace(cls.__name__ + ".", ""))
            elif not isinstance(obj, cls):
                raise TypeError(f"Invalid Weight class provided; expected {cls.__name__} but received "
                                f"{obj.__class__.__name__}.")
        return obj

    def get_state_dict(self, *args, **kwargs):
        """The checkpoint's state_dict, read from the local hub cache."""
        return load_state_dict_from_url(self.url, *args, **kwargs)

    def __repr__(self):
        return f"{self.__class__.__name__}.{self._name_}"

    @property
    def url(self):
        """Where the checkpoint is published (its file name is the one looked for in the hub cache)."""
        return self.value.url

    @property
    def transforms(self):
        """Constructor of the preprocessing the weights expect."""
        return self.value.transforms

    @property
    def meta(self):
        """Facts about the weights (``num_params``, ``min_size``, ...)."""
        return self.value.meta


def get_weight(name):
    """The weights enum member with the full name ``name``, e.g. ``"ResNet50_Weights.IMAGENET1K_V1"``."""
    try:
        enum_name, value_name = name.split(".")
    except ValueError:
        raise ValueError(f"Invalid weight name provided: '{name}'.") from None
    models = importlib.import_module(__name__.rsplit(".", 1)[0])
    weights_enum = models.__dict__.get(enum_name)
    if not (inspect.isclass(weights_enum) and issubclass(weights_enum, WeightsEnum)):
        raise ValueError(f"The weight enum '{enum_name}' for the specific method couldn't be retrieved.")
    return weights_enum.from_str(value_name)


def get_model_weights(name):
    """The weights enum class of a model, given its builder or registered name."""
    builder = get_model_builder(name) if isinstance(name, str) else name
    parameters = inspect.signature(builder).parameters
    if "weights" not in parameters:
        raise ValueError("The method is missing the 'weights' argument.")
    annotation = parameters["weights"].annotation
    for candidate in (annotation, *typing.get_args(annotation)):
        if inspect.isclass(candidate) and issubclass(candidate, WeightsEnum):
            return candidate
    raise ValueError("The WeightsEnum class for the specific method couldn't be retrieved. "
                     "Make sure the typing info is correct.")

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


def _resolve_weights(weights_enum, weights, kwargs):
    """``weights`` as a member of ``weights_enum`` (or None), after torchvision's deprecated ``pretrained=``
    spelling (popped from ``kwargs``), where ``pretrained=True`` means ``IMAGENET1K_V1``."""
    if "pretrained" not in kwargs:
        return weights_enum.verify(weights)
    warnings.warn("The parameter 'pretrained' is deprecated since 0.13 and may be removed in the future, "
                  "please use 'weights' instead.", UserWarning)
    if not kwargs.pop("pretrained"):
        return weights_enum.verify(weights)
    default = weights_enum.IMAGENET1K_V1
    warnings.warn(f"Arguments other than a weight enum or `None` for 'weights' are deprecated since 0.13 and may be "
                  f"removed in the future. The current behavior is equivalent to passing `weights={default}`. You "
                  f"can also use `weights={type(default).__name__}.DEFAULT` to get the most up-to-date weights.",
                  UserWarning)
    return default
