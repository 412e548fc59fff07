"""``Node``: one operation of an fx ``Graph``, and ``map_arg``/``map_aggregate`` over nested arguments."""

__all__ = ["Node", "map_aggregate", "map_arg"]

_OPCODES = ("placeholder", "call_method", "call_module", "call_function", "get_attr", "output", "root")


def map_aggregate(a, fn):
    """Apply ``fn`` to every leaf of ``a`` (tuples, lists, dicts and slices are walked into)."""
    if isinstance(a, tuple):
        mapped = tuple(map_aggregate(elem, fn) for elem in a)
        return type(a)(*mapped) if hasattr(a, "_fields") else mapped
    if isinstance(a, list):
        return [map_aggregate(elem, fn) for elem in a]
    if isinstance(a, dict):
        return {k: map_aggregate(v, fn) for k, v in a.items()}
    if isinstance(a, slice):
        return slice(map_aggregate(a.start, fn), map_aggregate(a.stop, fn), map_aggregate(a.step, fn))
    return fn(a)


def map_arg(a, fn):
    """Apply ``fn`` to every ``Node`` inside the nested argument ``a``."""
    if not callable(fn):
        raise AssertionError("torch.fx.map_arg(a, fn): fn must be a callable")
    return map_aggregate(a, lambda x: fn(x) if isinstance(x, Node) else x)


def _format_arg(arg):
    if isinstance(arg, Node):
        return "%" + arg.name
    if isinstance(arg, tuple):
        items = ", ".join(_format_arg(a) for a in arg)
        return f"({items},)" if len(arg) == 1 else f"({items})"
    if isinstance(arg, list):
        return "[" + ", ".join(_format_arg(a) for a in arg) + "]"
    if isinstance(arg, dict):
        return "{" + ", ".join(f"{k!r}: {_format_arg(v)}" for k, v in arg.items()) + "}"
    return repr(arg)


class Node:
    """An operation in a ``Graph``: ``op`` (placeholder, get_attr, call_function, call_module, call_method,
    output), its ``target``, ``args``/``kwargs`` (which may hold other Nodes) and the nodes that use it."""

    def __init__(self, graph, name, op, target, args, kwargs, return_type=None):
        if op not in _OPCODES:
            raise ValueError(f"Node op must be one of {_OPCODES}, got {op!r}")
        self.graph = graph
        self.name = name
        self.op = op
        self.target = target
        self.type = return_type
        self.users = {}
        self.meta = {}
        self._input_nodes = {}
        self._args = ()
        self._kwargs = {}
        self._update_args_kwargs(args, kwargs)

    # ---- arguments and users ------------------------------------------------------------------------
    @property
    def args(self):
        return self._args

    @args.setter
    def args(self, value):
        self._update_args_kwargs(value, self._kwargs)

    @property
    def kwargs(self):
        return self._kwargs

    @kwargs.setter
    def kwargs(self, value):
        self._update_args_kwargs(self._args, value)

    @property
    def all_input_nodes(self):
        """The nodes this node reads, in order of appearance."""
        return list(self._input_nodes)

    def _update_args_kwargs(self, args, kwargs):
        for old in self._input_nodes:
            old.users.pop(self, None)
        self._input_nodes = {}
        map_arg(args, self._input_nodes.setdefault)
        map_arg(kwargs, self._input_nodes.setdefault)
        self._args = tuple(args)
        self._kwargs = dict(kwargs)
        for new in self._input_nodes:
            new.users.setdefault(self)

    def update_arg(self, idx, arg):
        """Set ``args[idx]`` to ``arg``."""
        args = list(self._args)
        args[idx] = arg
        self.args = tuple(args)

    def update_kwarg(self, key, arg):
        """Set ``kwargs[key]`` to ``arg``."""
        self.kwargs = {**self._kwargs, key: arg}

    def replace_input_with(self, old_input, new_input):
        """Use ``new_input`` wherever this node read ``old_input``."""
        def swap(n):
            return new_input if n is old_input else n
        self._update_args_kwargs(map_arg(self._args, swap), map_arg(self._kwargs, swap))

    def replace_all_uses_with(self, replace_with, delete_user_cb=lambda user: True, *, propagate_meta=False):
        """Make every user of this node read ``replace_with`` instead; returns the users changed."""
        if propagate_meta:
            for key, value in self.meta.items():
                replace_with.meta.setdefault(key, value)
        changed = [user for user in list(self.users) if delete_user_cb(user)]
        for user in changed:
            user.replace_input_with(self, replace_with)
        return changed

    # ---- position in the graph ----------------------------------------------------------------------
    @property
    def next(self):
        """The node after this one in its graph (None after the last)."""
        return self.graph._neighbour(self, +1)

    @property
    def prev(self):
        """The node before this one in its graph (None before the first)."""
        return self.graph._neighbour(self, -1)

    def prepend(self, x):
        """Move node ``x`` to just before this node."""
        self.graph._move(x, self, after=False)

    def append(self, x):
        """Move node ``x`` to just after this node."""
        self.graph._move(x, self, after=True)

    # ---- printing -----------------------------------------------------------------------------------
    def format_node(self, placeholder_names=None, maybe_return_typename=None):
        """This node as a line of ``print(graph)``."""
        if self.op == "placeholder":
            default = f"{self.args[0]!r}" if self.args else ""
            target = f"target={self.target}" + (f", default={default}" if default else "")
            return f"%{self.name} : [num_users={len(self.users)}] = placeholder[{target}]"
        if self.op == "output":
            return f"return {_format_arg(self.args[0]).replace('%', '')}"
        target = self.target if isinstance(self.target, str) else _target_name(self.target)
        return (f"%{self.name} : [num_users={len(self.users)}] = {self.op}[target={target}]"
                f"(args = {_format_arg(self._args)}, kwargs = {_format_arg(self._kwargs)})")

    def __repr__(self):
        return self.name


def _target_name(target):
    """How ``print(graph)`` names a function: where users reach it (``numbatorch.relu``, ``operator.add``)."""
    module = getattr(target, "__module__", None) or ""
    name = getattr(target, "__qualname__", None) or getattr(target, "__name__", repr(target))
    if module in ("_operator", "operator"):
        return f"operator.{name}"
    if module == "builtins":
        return name
    if module.startswith("numbatorch"):
        import numbatorch
        for home, namespace in (("numbatorch.nn.functional", numbatorch.nn.functional),
                                ("numbatorch.linalg", numbatorch.linalg), ("numbatorch", numbatorch)):
            if getattr(namespace, name, None) is target:
                from .._alias_import import is_installed
                top = "torch" if is_installed() else "numbatorch"  # as PyTorch prints it, under the run command
                return f"{top}{home[len('numbatorch'):]}.{name}"
    return f"{module}.{name}" if module else name
