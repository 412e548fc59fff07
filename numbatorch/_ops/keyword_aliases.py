"""numpy-style keyword aliases of PyTorch's native ops: ``axis=`` for ``dim=``, ``keepdims=`` for ``keepdim=``.

PyTorch's argument parser accepts these aliases for every native function and Tensor method with a ``dim`` or
``keepdim`` parameter (``torch.sum(x, axis=0, keepdims=True)``, ``x.unsqueeze(axis=0)``), but not for the ops it
defines in Python (``split``, ``norm``, ``unique``) nor for ``nn.functional``. Importing this module (last, after
the ops it wraps) replaces each such op, in its module and on Tensor, by a wrapper generated with the op's own
parameter list plus keyword-only ``axis``/``keepdims``: arguments are forwarded positionally, so the wrapper costs
one plain Python call (tens of nanoseconds) and nothing more on the normal path.
"""
import functools
import inspect
import sys

from .._tensor import Tensor

# Ops PyTorch defines in Python: they take no numpy aliases.
_PYTHON_DEFINED = frozenset({"split", "norm", "unique", "unique_consecutive", "stft", "istft"})
_MISSING = object()
_COMPILED = {}


def _wrap(fn):
    """``fn`` accepting ``axis``/``keepdims``, or None when it has neither ``dim`` nor ``keepdim``."""
    code = getattr(fn, "__code__", None)
    if code is None:
        return None
    names = code.co_varnames[:code.co_argcount + code.co_kwonlyargcount]
    if ("dim" not in names and "keepdim" not in names) or "axis" in names or "keepdims" in names:
        return None  # decided from the code object: inspect.signature only for the ops that need a wrapper
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return None
    params = sig.parameters
    if ("dim" not in params and "keepdim" not in params) or "axis" in params or "keepdims" in params:
        return None
    defaults = {"_fn": fn, "_MISSING": _MISSING}
    header, call = [], []
    kw_only_started = False
    # From ``dim``/``keepdim`` on, required parameters default to _MISSING (``dim`` may come as ``axis``, the
    # ones after it by keyword) and are checked in the body.
    positional = [p.name for p in params.values() if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    first = min((positional.index(n) for n in ("dim", "keepdim") if n in positional), default=len(positional))
    checked = [n for n in positional[first:] if params[n].default is params[n].empty]
    for p in params.values():
        default = ""
        if p.default is not p.empty:
            defaults[f"_d_{p.name}"] = p.default
            default = f"=_d_{p.name}"
        elif p.name in checked:
            default = "=_MISSING"
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            header.append(p.name + default)
            call.append(p.name)
        elif p.kind is p.VAR_POSITIONAL:
            header.append("*" + p.name)
            call.append("*" + p.name)
            kw_only_started = True
        elif p.kind is p.KEYWORD_ONLY:
            if not kw_only_started:
                header.append("*")
                kw_only_started = True
            header.append(p.name + default)
            call.append(f"{p.name}={p.name}")
        else:
            header.append("**" + p.name)
            call.append("**" + p.name)
    if any(p.kind is p.POSITIONAL_ONLY for p in params.values()):
        last = max(i for i, p in enumerate(params.values()) if p.kind is p.POSITIONAL_ONLY)
        header.insert(last + 1, "/")
    extra = ["axis=_MISSING", "keepdims=_MISSING"]
    if header and header[-1].startswith("**"):
        tail = header.pop()
        header += ([] if kw_only_started else ["*"]) + extra + [tail]
    else:
        header += ([] if kw_only_started else ["*"]) + extra
    body = []
    for alias, name in (("axis", "dim"), ("keepdims", "keepdim")):
        if name in params:
            body.append(f"    if {alias} is not _MISSING: {name} = {alias}")
        else:
            body.append(f"    if {alias} is not _MISSING: raise TypeError(_name + \"() got an unexpected keyword "
                        f"argument '{alias}'\")")
    body += [f"    if {n} is _MISSING: raise TypeError(_name + \"() missing required argument '{n}'\")"
             for n in checked]
    source = f"def wrapper({', '.join(header)}):\n" + "\n".join(body) + f"\n    return _fn({', '.join(call)})\n"
    # Many ops share a parameter list: compile each distinct wrapper once, then bind it to each op's globals.
    code = _COMPILED.get(source)
    if code is None:
        code = _COMPILED[source] = compile(source, "<keyword_aliases>", "exec")
    defaults["_name"] = fn.__name__
    exec(code, defaults)  # noqa: S102  (generated from the op's own signature, see module doc)
    return functools.update_wrapper(defaults["wrapper"], fn)


_WRAPPED = {}  # id(original op) -> its wrapper (None: nothing to wrap)


def _wrapper_of(fn):
    if getattr(fn, "_keyword_aliases", False):  # already a wrapper
        return None
    key = id(fn)
    if key not in _WRAPPED:
        new = _wrap(fn)
        if new is not None:
            new._keyword_aliases = True
        _WRAPPED[key] = new
    return _WRAPPED[key]


def _wrap_tensor_methods():
    for name, fn in list(vars(Tensor).items()):
        if name.startswith("_") or name in _PYTHON_DEFINED or not inspect.isfunction(fn):
            continue
        new = _wrapper_of(fn)
        if new is not None:
            setattr(Tensor, name, new)
            _replace_module_global(fn, new)


def _replace_module_global(fn, new):
    """Put wrapper ``new`` where ``fn`` was a global of an op module: pickle finds the wrapper by ``fn``'s name then.

    Only op modules (like ``_install``): ``nn.functional`` takes no aliases in PyTorch.
    """
    if not fn.__module__.startswith(__name__.rpartition(".")[0] + "."):
        return
    module = sys.modules.get(fn.__module__)
    if getattr(module, fn.__qualname__, None) is fn:
        setattr(module, fn.__qualname__, new)


def _wrap_module(module):
    names = getattr(module, "__all__", None)
    if names is None:  # a star import takes every public name
        names = [n for n, v in vars(module).items() if not n.startswith("_") and inspect.isfunction(v)
                 and v.__module__ == module.__name__]
    for name in names:
        fn = getattr(module, name, None)
        if name in _PYTHON_DEFINED or not inspect.isfunction(fn):
            continue
        new = _wrapper_of(fn)
        if new is not None:
            setattr(module, name, new)


def accept_aliases(module_name):
    """Give the ops of ``module_name`` (one imported after this module) and the Tensor methods registered so far
    the ``axis``/``keepdims`` aliases; op modules that load later call it on themselves, last."""
    _wrap_tensor_methods()
    _wrap_module(sys.modules[module_name])


def _install():
    _wrap_tensor_methods()
    package = __name__.rpartition(".")[0]
    for modname, module in list(sys.modules.items()):
        if modname.startswith(package + ".") and module is not None and modname != __name__:
            _wrap_module(module)


_install()
