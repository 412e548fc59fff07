"""Run unmodified PyTorch programs on numbatorch: an import hook that resolves ``torch``, ``torchvision`` and
``torchkeras`` (and their submodules) to ``numbatorch``, ``numbatorch.vision`` and ``numbatorch.keras``.

``import torch.nn.functional as F`` then yields the very module ``numbatorch.nn.functional``, so classes,
``isinstance`` checks and pickles are numbatorch's. Nothing ever falls back to an installed PyTorch: a module
numbatorch lacks raises :class:`MissingModuleError`, an attribute an aliased module lacks raises
:class:`MissingFeatureError` (a Tensor attribute becomes one when the error ends the program, see
``missing_feature_from``), and ``from torch import X`` of a missing X raises
:class:`MissingNameError`; all say ``numbatorch does not implement torch.X yet`` and are NotImplementedErrors, and
also ``ImportError``/``AttributeError`` so ``try: import ... except ImportError`` and ``hasattr`` probes keep
working.
Child processes started by ``multiprocessing`` (spawn or forkserver, e.g. DataLoader workers) install the hook
before they import the program's main module.
"""
import dis
import importlib
import importlib.abc
import importlib.util
import multiprocessing.util
import sys
import types

__all__ = ["ALIASES", "MissingFeatureError", "MissingModuleError", "MissingNameError", "install", "is_installed",
           "missing_feature_from"]

ALIASES = {"torch": "numbatorch", "torchvision": "numbatorch.vision", "torchkeras": "numbatorch.keras"}
_REVERSE = sorted(((real, alias) for alias, real in ALIASES.items()), key=lambda pair: -len(pair[0]))
_REAL_TOPS = {real.partition(".")[0] for real in ALIASES.values()}
# Prepended to the ``-c`` program of spawned children and of the forkserver, which import ``__main__``.
_CHILD_PROLOGUE = "import numbatorch._alias_import as _nbt_alias; _nbt_alias.install(); "
_CHILD_PROGRAMS = ("multiprocessing.spawn import spawn_main", "multiprocessing.forkserver import main")
_IMPORT_FROM = dis.opmap["IMPORT_FROM"]

_guarded = set()
_state = {"finder": None, "spawnv_passfds": None}


class MissingFeatureError(NotImplementedError, AttributeError):
    """A PyTorch attribute numbatorch does not have (still an AttributeError for ``hasattr`` probes)."""


class MissingModuleError(ModuleNotFoundError, NotImplementedError):
    """A PyTorch module numbatorch does not have (still an ImportError for optional-import probes)."""


class MissingNameError(ImportError, NotImplementedError):
    """``from torch... import X`` of a name numbatorch does not have (an ImportError, as Python raises there)."""


def _importing_from(frame):
    """Whether ``frame`` is executing ``from module import name`` (rather than ``hasattr``/``getattr``)."""
    code = frame.f_code.co_code
    return 0 <= frame.f_lasti < len(code) and code[frame.f_lasti] == _IMPORT_FROM


def _real_name(fullname):
    """``numbatorch.nn.functional`` for ``torch.nn.functional``; None for names outside the aliases."""
    top, dot, rest = fullname.partition(".")
    real_top = ALIASES.get(top)
    if real_top is None:
        return None
    return real_top + dot + rest


def _alias_name(real_name):
    """``torch.nn.functional`` for ``numbatorch.nn.functional`` (the longest aliased prefix wins)."""
    for real, alias in _REVERSE:
        if real_name == real or real_name.startswith(real + "."):
            return alias + real_name[len(real):]
    return real_name


def _missing(what):
    return f"numbatorch does not implement {what} yet"


class _AliasLoader(importlib.abc.Loader):
    """Hands out the already-importable numbatorch module itself under the PyTorch name."""

    def __init__(self, real_name):
        self.real_name = real_name

    def create_module(self, spec):
        module = importlib.import_module(self.real_name)
        _guard(module)
        return module

    def exec_module(self, module):
        """Nothing to run: ``create_module`` returned a module that is already executed."""


class _GuardingLoader(importlib.abc.Loader):
    """Runs a numbatorch module's own loader, then guards the module (see ``_guard``)."""

    def __init__(self, loader):
        self._loader = loader

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        self._loader.exec_module(module)
        _guard(module)

    def __getattr__(self, name):
        # get_source, get_filename, get_resource_reader, ...: the wrapped loader's.
        return getattr(self._loader, name)


class _AliasFinder(importlib.abc.MetaPathFinder):
    """First on ``sys.meta_path``: answers every import of an aliased name, so none reaches a real PyTorch,
    and guards every numbatorch module imported later (numbatorch imports many of its modules lazily)."""

    def find_spec(self, fullname, path=None, target=None):
        real_name = _real_name(fullname)
        if real_name is None:
            if fullname.partition(".")[0] in _REAL_TOPS:
                return self._guarded_spec(fullname, path, target)
            return None
        try:
            found = importlib.util.find_spec(real_name)
        except ModuleNotFoundError:
            found = None
        if found is None:
            raise MissingModuleError(_missing(fullname), name=fullname)
        return importlib.util.spec_from_loader(fullname, _AliasLoader(real_name))

    def _guarded_spec(self, fullname, path, target):
        for finder in sys.meta_path:
            find_spec = getattr(finder, "find_spec", None)
            if finder is self or find_spec is None:
                continue
            spec = find_spec(fullname, path, target)
            if spec is not None:
                if spec.loader is not None:
                    spec.loader = _GuardingLoader(spec.loader)
                return spec
        return None


def _guard(module):
    """Make a missing attribute of ``module`` raise MissingFeatureError naming the PyTorch API."""
    if module.__name__ in _guarded:
        return
    _guarded.add(module.__name__)
    own_getattr = module.__dict__.get("__getattr__")
    alias = _alias_name(module.__name__)

    def __getattr__(name):
        if own_getattr is not None:
            try:
                value = own_getattr(name)
            except MissingFeatureError as left_out:  # a name left out on purpose: keep its reason
                if _importing_from(sys._getframe(1)):
                    raise MissingNameError(str(left_out), name=alias) from None
                raise
            except AttributeError:
                pass
            else:
                if isinstance(value, types.ModuleType):
                    _guard(value)
                return value
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(f"module '{alias}' has no attribute '{name}'")
        if _importing_from(sys._getframe(1)):
            # An AttributeError would be replaced by Python's "cannot import name", losing the API's name.
            raise MissingNameError(_missing(f"{alias}.{name}"), name=alias)
        raise MissingFeatureError(_missing(f"{alias}.{name}"))

    module.__getattr__ = __getattr__


def missing_feature_from(error):
    """The MissingFeatureError naming ``torch.Tensor.X`` that an AttributeError for Tensor attribute X means,
    or None for any other AttributeError.

    The run command translates such an error when it ends the program: a ``Tensor.__getattr__`` raising it at
    once would slow down every attribute read of every tensor (Python stops specialising them)."""
    from ._tensor import Tensor
    obj, name = getattr(error, "obj", None), getattr(error, "name", None)
    if isinstance(obj, Tensor) and name and not (name.startswith("__") and name.endswith("__")):
        return MissingFeatureError(_missing(f"torch.Tensor.{name}"))
    return None


def _spawnv_passfds(path, args, passfds):
    """multiprocessing's child launcher, with the hook installed first in spawned children and forkservers."""
    args = list(args)
    if "-c" in args:
        index = args.index("-c") + 1
        if index < len(args) and any(program in args[index] for program in _CHILD_PROGRAMS):
            args[index] = _CHILD_PROLOGUE + args[index]
    return _state["spawnv_passfds"](path, args, passfds)


def is_installed():
    """Whether this process resolves ``torch`` to numbatorch."""
    return _state["finder"] is not None


def install():
    """Resolve ``torch``/``torchvision``/``torchkeras`` imports to numbatorch in this process and its children.

    Raises RuntimeError when a real PyTorch was imported before, since modules holding it cannot be redirected.
    """
    if is_installed():
        return
    for alias, real in ALIASES.items():
        loaded = sys.modules.get(alias)
        if loaded is not None and loaded.__name__ != real:
            raise RuntimeError(f"'{alias}' was already imported from {getattr(loaded, '__file__', '?')} before "
                               f"numbatorch's import hook was installed; install it before importing {alias}")
    import numbatorch  # noqa: F401  (loaded first, so the modules it brings get guarded below)

    finder = _AliasFinder()
    sys.meta_path.insert(0, finder)
    _state["finder"] = finder
    for name, module in list(sys.modules.items()):
        if isinstance(module, types.ModuleType) and (name == "numbatorch" or name.startswith("numbatorch.")):
            _guard(module)
    _state["spawnv_passfds"] = multiprocessing.util.spawnv_passfds
    multiprocessing.util.spawnv_passfds = _spawnv_passfds
