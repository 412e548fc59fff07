"""``Optimizer``: parameter groups, per-parameter state and PyTorch's ``state_dict`` format.

Subclasses update ``p._data`` in place with numpy, mirroring PyTorch's single-tensor (``foreach=False``)
implementations operation for operation so that trajectories match PyTorch's.
"""
import warnings
from collections import OrderedDict, defaultdict
from copy import deepcopy
from itertools import chain

import numpy as np

from .. import _dtype as dt
from .._tensor import Tensor
from ..autograd import grad_mode
from ..utils.hooks import RemovableHandle

__all__ = ["Optimizer", "required"]


class _RequiredParameter:
    """Singleton marking a hyper-parameter that every parameter group must set."""

    def __repr__(self):
        return "<required parameter>"


required = _RequiredParameter()


def _typename(obj):
    if isinstance(obj, Tensor):
        return obj.type()
    module = type(obj).__module__
    return type(obj).__qualname__ if module == "builtins" else f"{module}.{type(obj).__qualname__}"


def scalar_tensor(value, like=None):
    """A 0-d tensor for optimizer scalars such as ``step`` (float32, float64 when that is the default); on the
    CPU, or on the device of parameter ``like``."""
    np_dtype = np.float64 if dt.get_default_dtype() is dt.float64 else np.float32
    if like is None:
        return Tensor._make(np.array(value, dtype=np_dtype))
    return Tensor._make(np.full_like(like._data, value, dtype=np_dtype, shape=()))


def zeros_state(p, fill=0.0):
    """A zero (or ``fill``) tensor shaped and typed like parameter ``p``, on its device."""
    return Tensor._make(np.full_like(p._data, fill))


def bump(*tensors):
    """Record an in-place change (PyTorch bumps the version counter of every tensor an op writes)."""
    for t in tensors:
        t._version_counter[0] += 1


_HYPER_NAMES = {"lr": "learning rate", "eps": "epsilon value"}


def check_hypers(**values):
    """PyTorch's constructor checks, in the order given: ``betas`` in [0, 1), every other value >= 0.

    Messages name ``lr`` "learning rate", ``eps`` "epsilon value" and anything else "<name> value".
    """
    for name, value in values.items():
        if name == "betas":
            check_betas(value)
        else:
            check_hyper(_HYPER_NAMES.get(name, f"{name} value"), value)


def check_hyper(name, value, low=0.0):
    """Shared validation of learning rate / epsilon / weight decay (``low <= value``)."""
    if isinstance(value, Tensor):
        value = value.item()
    if not low <= value:
        raise ValueError(f"Invalid {name}: {value}")


class Optimizer:
    """Base class of all optimizers.

    ``params``: an iterable of tensors, of ``(name, tensor)`` pairs, or of dicts defining parameter groups.
    ``defaults``: hyper-parameters used by groups that do not set them.
    """

    _group_defaults = {}  # per-group flags a subclass fills into groups loaded from older state

    def __init__(self, params, defaults):
        self.defaults = defaults
        self._optimizer_step_pre_hooks = OrderedDict()
        self._optimizer_step_post_hooks = OrderedDict()
        self._optimizer_state_dict_pre_hooks = OrderedDict()
        self._optimizer_state_dict_post_hooks = OrderedDict()
        self._optimizer_load_state_dict_pre_hooks = OrderedDict()
        self._optimizer_load_state_dict_post_hooks = OrderedDict()
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of Tensors or dicts, "
                            f"but got {_typename(params)}")
        self.state = defaultdict(dict)
        self.param_groups = []
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for param_group in param_groups:
            self.add_param_group(param_group)

    def __getstate__(self):
        return {"defaults": self.defaults, "state": self.state, "param_groups": self.param_groups}

    def __setstate__(self, state):
        self.__dict__.update(state)
        for name in ("_optimizer_step_pre_hooks", "_optimizer_step_post_hooks", "_optimizer_state_dict_pre_hooks",
                     "_optimizer_state_dict_post_hooks", "_optimizer_load_state_dict_pre_hooks",
                     "_optimizer_load_state_dict_post_hooks"):
            if name not in self.__dict__:
                self.__dict__[name] = OrderedDict()
        for group in self.param_groups:
            for key, default in self._group_defaults.items():
                group.setdefault(key, default)

    def __repr__(self):
        format_string = self.__class__.__name__ + " ("
        for i, group in enumerate(self.param_groups):
            format_string += "\n"
            format_string += f"Parameter Group {i}\n"
            for key in sorted(group.keys()):
                if key != "params":
                    format_string += f"    {key}: {group[key]}\n"
        return format_string + ")"

    # ---- parameter groups -------------------------------------------------------------------------
    def add_param_group(self, param_group):
        """Add a group of parameters (with its own hyper-parameters) to optimize."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            param_group["params"] = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, but the ordering of "
                            "tensors in sets will change between runs. Please use a list instead.")
        else:
            param_group["params"] = list(params)
        extracted, names = [], []
        for param in param_group["params"]:
            if isinstance(param, tuple) and len(param) == 2 and isinstance(param[0], str):
                names.append(param[0])
                param = param[1]
            extracted.append(param)
        if names:
            if len(names) != len(extracted):
                raise ValueError("all optimizer params should be with/without names. Some param names are missing")
            param_group["param_names"] = names
        param_group["params"] = extracted
        for param in extracted:
            if not isinstance(param, Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params is " + _typename(param))
            if not self.defaults.get("differentiable", None) and not param.is_leaf:
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(f"parameter group didn't specify a value of required optimization parameter {name}")
            param_group.setdefault(name, default)
        params = param_group["params"]
        if len(params) != len(set(map(id, params))):
            warnings.warn("optimizer contains a parameter group with duplicate parameters; in future, this will "
                          "cause an error; see github.com/pytorch/pytorch/issues/40967 for more information",
                          stacklevel=3)
        param_set = set()
        for group in self.param_groups:
            param_set.update(map(id, group["params"]))
            if ("param_names" in param_group) != ("param_names" in group):
                current = "with names" if "param_names" in param_group else "without names"
                raise ValueError("all optimizer param groups should be with/without names. "
                                 f"cannot add param group {current} to the optimizer")
        if not param_set.isdisjoint(map(id, param_group["params"])):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    # ---- gradients and stepping -------------------------------------------------------------------
    def zero_grad(self, set_to_none=True):
        """Reset the gradients of all optimized tensors (to None by default)."""
        for group in self.param_groups:
            for p in group["params"]:
                grad = p.grad
                if grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    if grad.grad_fn is not None:
                        grad.detach_()
                    else:
                        grad._requires_grad = False
                    grad._data[...] = 0
                    grad._version_counter[0] += 1

    def step(self, closure=None):
        """Performs one update of the parameters; ``closure`` re-evaluates the model and returns the loss."""
        raise NotImplementedError

    def _run_closure(self, closure):
        if closure is None:
            return None
        with grad_mode.enable_grad():
            return closure()

    def register_step_pre_hook(self, hook):
        """Registers ``hook(optimizer, args, kwargs)``, called before each ``step()``; returns a handle.

        The hook may return a new ``(args, kwargs)``. ``handle.remove()`` unregisters it.
        """
        handle = RemovableHandle(self._optimizer_step_pre_hooks)
        self._optimizer_step_pre_hooks[handle.id] = hook
        return handle

    def register_step_post_hook(self, hook):
        """Registers ``hook(optimizer, args, kwargs)``, called after each ``step()``; returns a handle."""
        handle = RemovableHandle(self._optimizer_step_post_hooks)
        self._optimizer_step_post_hooks[handle.id] = hook
        return handle

    def __init_subclass__(cls, **kwargs):
        # Wrap each subclass's step once so step hooks and the step counter work like PyTorch's.
        super().__init_subclass__(**kwargs)
        step = cls.__dict__.get("step")
        if step is not None and not getattr(step, "_hooked", False):
            def hooked_step(self, *args, **kwargs):
                if "_optimizer_step_pre_hooks" not in self.__dict__:
                    # A wrapper that never ran Optimizer.__init__ (e.g. accelerate's AcceleratedOptimizer) is
                    # not patched in PyTorch either: its step runs as written.
                    return step(self, *args, **kwargs)
                for hook in list(self._optimizer_step_pre_hooks.values()):
                    result = hook(self, args, kwargs)
                    if result is not None:
                        if isinstance(result, tuple) and len(result) == 2:
                            args, kwargs = result
                        else:
                            raise RuntimeError(f"{step} must return None or a tuple of (new_args, new_kwargs), but "
                                               f"got {result}.")
                self._opt_called = True
                self._step_count = getattr(self, "_step_count", 0) + 1
                with grad_mode.no_grad():
                    out = step(self, *args, **kwargs)
                for hook in list(self._optimizer_step_post_hooks.values()):
                    hook(self, args, kwargs)
                return out
            hooked_step._hooked = True
            hooked_step.__doc__ = step.__doc__
            hooked_step.__name__ = "step"
            cls.step = hooked_step

    # ---- state dict -------------------------------------------------------------------------------
    def state_dict(self):
        """``{'state': {index: {...}}, 'param_groups': [{..., 'params': [index, ...]}]}`` as in PyTorch."""
        for hook in self._optimizer_state_dict_pre_hooks.values():
            hook(self)
        param_mappings = {}
        start_index = 0

        def pack_group(group):
            nonlocal start_index
            packed = {k: v for k, v in group.items() if k != "params"}
            for i, p in enumerate(group["params"], start_index):
                param_mappings.setdefault(id(p), i)
            packed["params"] = [param_mappings[id(p)] for p in group["params"]]
            start_index += len(packed["params"])
            return packed

        param_groups = [pack_group(g) for g in self.param_groups]
        packed_state = {(param_mappings[id(k)] if isinstance(k, Tensor) else k): v for k, v in self.state.items()}
        state_dict = {"state": packed_state, "param_groups": param_groups}
        for hook in self._optimizer_state_dict_post_hooks.values():
            result = hook(self, state_dict)
            if result is not None:
                state_dict = result
        return state_dict

    @staticmethod
    def _process_value_according_to_param_policy(param, value, param_id, param_groups, key=None):
        # 'step' keeps its own dtype and device (the CPU, as PyTorch's non-capturable optimizers); other state
        # moves to the parameter's device, and floating state takes the parameter's dtype.
        if key == "step":
            return Tensor._make(value._data.copy())
        dtype = param.dtype if param.is_floating_point() and value.is_floating_point() else value.dtype
        return value.detach().to(device=param.device, dtype=dtype, copy=True)

    def load_state_dict(self, state_dict):
        """Load state saved by ``state_dict`` (also PyTorch's); the parameter groups must match in size."""
        state_dict = dict(state_dict)
        for hook in self._optimizer_load_state_dict_pre_hooks.values():
            result = hook(self, state_dict)
            if result is not None:
                state_dict = result
        groups = self.param_groups
        saved_groups = deepcopy(state_dict["param_groups"])
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(groups, saved_groups)):
            raise ValueError("loaded state dict contains a parameter group that doesn't match the size of "
                             "optimizer's group")
        id_map = dict(zip(chain.from_iterable(g["params"] for g in saved_groups),
                          chain.from_iterable(g["params"] for g in groups)))

        def cast(param, value, param_id=None, key=None):
            if isinstance(value, Tensor):
                return Optimizer._process_value_according_to_param_policy(param, value, param_id, groups, key)
            if isinstance(value, dict):
                return {k: cast(param, v, param_id, key=k) for k, v in value.items()}
            if isinstance(value, (list, tuple)):
                return type(value)(cast(param, v, param_id) for v in value)
            return value

        state = defaultdict(dict)
        for k, v in state_dict["state"].items():
            if k in id_map:
                param = id_map[k]
                state[param] = cast(param, v, param_id=k)
            else:
                state[k] = v

        def update_group(group, new_group):
            new_group["params"] = group["params"]
            if "param_names" in group and "param_names" not in new_group:
                new_group["param_names"] = group["param_names"]
            return new_group

        param_groups = [update_group(g, ng) for g, ng in zip(groups, saved_groups)]
        self.__setstate__({"state": state, "param_groups": param_groups})
        for hook in self._optimizer_load_state_dict_post_hooks.values():
            hook(self)

    # ---- helpers for subclasses -------------------------------------------------------------------
    def _state_step(self, state):
        """Increment the float ``step`` tensor in ``state`` and return its new value as a Python number."""
        step_t = state["step"]
        data = step_t._data
        # a scalar store, ~0.1 us against ~1 us for ``data += 1``'s ufunc call on a 0-d array; the same bits (a
        # float32 sum rounded once more from float64 rounds as float32's own sum does)
        data[()] = data.item() + 1
        step_t._version_counter[0] += 1
        return data.item()


def check_betas(betas):
    if not 0.0 <= betas[0] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
    if not 0.0 <= betas[1] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")


def as_float(value):
    """Hyper-parameters may be 1-element tensors in PyTorch; the math here wants Python floats."""
    return value.item() if isinstance(value, Tensor) else value


def lerp_(start, end, weight):
    """``start.lerp_(end, weight)`` with PyTorch's two-sided formula (exact at both ends)."""
    if weight < 0.5:
        start += weight * (end - start)
    else:
        start[...] = end - (end - start) * (1 - weight)


def update_grad(param, grad, maximize, weight_decay, decoupled=False, lr=0.0):
    """The gradient an update uses: negated for ``maximize``, plus L2 ``weight_decay * param``.

    With ``decoupled`` (AdamW's form) the decay shrinks ``param`` in place by ``1 - lr * weight_decay`` instead.
    ``grad`` itself is never written: it is the parameter's ``.grad``.
    """
    if maximize:
        grad = -grad
    if weight_decay != 0:
        if decoupled:
            param *= 1 - lr * weight_decay
        else:
            grad = grad + weight_decay * param
    return grad


def addcmul_(arr, t1, t2, value):
    """``arr.addcmul_(t1, t2, value=value)``: arr + value * t1 * t2."""
    arr += (value * t1) * t2
