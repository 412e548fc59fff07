"""``Graph``: the ordered list of ``Node``s that fx tracing records, with the edits transformations use."""
import builtins
import contextlib
import inspect
import keyword
import operator
import re

from .._optional import import_optional
from ._codegen import PythonCode, python_code
from .node import Node, map_arg

__all__ = ["Graph", "PythonCode"]


def _snake(name):
    """A valid Python identifier derived from ``name`` (``layer1.0.conv`` -> ``layer1_0_conv``)."""
    name = re.sub(r"[^0-9a-zA-Z_]+", "_", str(name))
    name = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).lower() if name != name.lower() else name
    if not name or name[0].isdigit():
        name = "_" + name
    return name


class Graph:
    """A straight-line program of Nodes: placeholders (inputs), operations and one output."""

    def __init__(self, owning_module=None, tracer_cls=None, tracer_extras=None):
        self._nodes = []
        self._names = set()
        self._insert_at = None  # (node, after) or None for "at the end"
        self.owning_module = owning_module

    def __getstate__(self):
        # The owning module refers back to this graph; a copy or pickle of the graph is owned by whoever
        # rebuilds it (GraphModule sets itself as owner).
        return {**self.__dict__, "owning_module": None}

    # ---- reading -----------------------------------------------------------------------------------
    @property
    def nodes(self):
        """The nodes in program order (a snapshot: editing the graph while iterating over it is safe)."""
        return tuple(self._nodes)

    def find_nodes(self, *, op, target=None, sort=True):
        """The nodes with opcode ``op`` (and ``target``, when given)."""
        return [n for n in self._nodes if n.op == op and (target is None or n.target == target)]

    def _neighbour(self, node, step):
        index = self._index(node) + step
        return self._nodes[index] if 0 <= index < len(self._nodes) else None

    def _index(self, node):
        for index, candidate in enumerate(self._nodes):
            if candidate is node:
                return index
        raise RuntimeError(f"Node {node} is not in this graph")

    # ---- creating nodes ----------------------------------------------------------------------------
    def _unique_name(self, candidate):
        base = _snake(candidate)
        if keyword.iskeyword(base) or hasattr(builtins, base) or base in ("self", "torch", "numbatorch"):
            base += "_1"
        name, count = base, 0
        while name in self._names:
            count += 1
            name = f"{base}_{count}"
        self._names.add(name)
        return name

    def create_node(self, op, target, args=None, kwargs=None, name=None, type_expr=None):
        """Insert a new Node at the current insertion point (the end of the graph by default)."""
        args = () if args is None else tuple(args)
        kwargs = {} if kwargs is None else dict(kwargs)
        node = Node(self, self._unique_name(name or _default_name(op, target)), op, target, args, kwargs,
                    type_expr)
        if self._insert_at is None:
            self._nodes.append(node)
        else:
            anchor, after = self._insert_at
            self._nodes.insert(self._index(anchor) + after, node)
            if after:
                self._insert_at = (node, True)  # keep inserting in program order after the anchor
        return node

    def placeholder(self, name, type_expr=None, default_value=inspect.Signature.empty):
        """An input of the graph (``default_value`` is used when the caller leaves it out)."""
        args = () if default_value is inspect.Signature.empty else (default_value,)
        return self.create_node("placeholder", name, args=args, type_expr=type_expr, name=name)

    def get_attr(self, qualified_name, type_expr=None):
        """Read ``self.<qualified_name>`` (a parameter, buffer or submodule of the owning module)."""
        return self.create_node("get_attr", qualified_name, type_expr=type_expr)

    def call_module(self, module_name, args=None, kwargs=None, type_expr=None):
        """Call the submodule ``module_name``."""
        return self.create_node("call_module", module_name, args, kwargs, type_expr=type_expr)

    def call_method(self, method_name, args=None, kwargs=None, type_expr=None):
        """Call ``args[0].<method_name>(*args[1:], **kwargs)``."""
        return self.create_node("call_method", method_name, args, kwargs, type_expr=type_expr)

    def call_function(self, the_function, args=None, kwargs=None, type_expr=None):
        """Call the free function ``the_function``."""
        return self.create_node("call_function", the_function, args, kwargs, type_expr=type_expr)

    def output(self, result, type_expr=None):
        """The value the graph returns."""
        return self.create_node("output", "output", (result,), type_expr=type_expr)

    def node_copy(self, node, arg_transform=lambda x: x):
        """A copy of ``node`` (from any graph) in this one, its input Nodes mapped through ``arg_transform``."""
        args = map_arg(node.args, arg_transform)
        kwargs = map_arg(node.kwargs, arg_transform)
        copy = self.create_node(node.op, node.target, args, kwargs, name=node.name, type_expr=node.type)
        copy.meta = dict(node.meta)
        return copy

    def graph_copy(self, g, val_map, return_output_node=False):
        """Copy every node of ``g`` but its output into this graph; ``val_map`` maps old nodes to new ones.

        Returns the copied output value (the output node itself with ``return_output_node=True``)."""
        for node in g.nodes:
            if node in val_map:
                continue
            if node.op == "output":
                result = map_arg(node.args[0], lambda n: val_map[n])
                return (result, node) if return_output_node else result
            val_map[node] = self.node_copy(node, lambda n: val_map[n])
        return None

    # ---- editing -----------------------------------------------------------------------------------
    @contextlib.contextmanager
    def inserting_before(self, n=None):
        """New nodes go just before ``n`` (at the start of the graph when ``n`` is None)."""
        previous = self._insert_at
        if n is None:
            self._insert_at = (self._nodes[0], False) if self._nodes else None
        else:
            self._insert_at = (n, False)
        try:
            yield
        finally:
            self._insert_at = previous

    @contextlib.contextmanager
    def inserting_after(self, n=None):
        """New nodes go just after ``n`` (at the end of the graph when ``n`` is None)."""
        previous = self._insert_at
        self._insert_at = None if n is None else (n, True)
        try:
            yield
        finally:
            self._insert_at = previous

    def _move(self, node, anchor, after):
        self._nodes.pop(self._index(node))
        self._nodes.insert(self._index(anchor) + after, node)

    def erase_node(self, to_erase):
        """Remove ``to_erase``, which no other node may still use."""
        if to_erase.users:
            raise RuntimeError(f"Tried to erase Node {to_erase} but it still had {len(to_erase.users)} users in "
                               f"the graph: {to_erase.users}!")
        if to_erase.graph is not self:
            raise RuntimeError(f"Attempting to remove {to_erase} from wrong graph!")
        self._nodes.pop(self._index(to_erase))
        to_erase._update_args_kwargs((), {})
        self._names.discard(to_erase.name)

    def eliminate_dead_code(self):
        """Erase the nodes whose values nothing uses, except inputs and impure ones (in-place methods,
        ``setitem``, modules with ``_is_impure``); True if any was erased."""
        changed = False
        for node in reversed(self._nodes):
            if node.op in ("placeholder", "output") or node.users:
                continue
            if node.op == "call_method" and node.target.endswith("_") and not node.target.endswith("__"):
                continue  # an in-place method is kept for its effect
            if node.op == "call_module" and self._impure_module(node.target):
                continue
            if node.op == "call_function" and node.target is operator.setitem:
                continue
            self.erase_node(node)
            changed = True
        return changed

    def _impure_module(self, target):
        # As in PyTorch, a module call is pure unless the module says otherwise with ``_is_impure``.
        if self.owning_module is None:
            return True  # cannot tell without the module: keep the call
        return getattr(self.owning_module.get_submodule(target), "_is_impure", False)

    def lint(self):
        """Check that every node's inputs come earlier in this graph and names are unique."""
        seen = set()
        for node in self._nodes:
            if node.graph is not self:
                raise RuntimeError(f"Node '{node}' does not belong to this Graph!")
            for arg in node.all_input_nodes:
                if arg not in seen:
                    raise RuntimeError(f"Argument '{arg}' of Node '{node}' was used before it has been defined! "
                                       "Please check that Nodes in the graph are topologically ordered")
            if node.name in {n.name for n in seen}:
                raise RuntimeError(f"Node redefined name {node.name}!")
            seen.add(node)

    # ---- printing and code -------------------------------------------------------------------------
    def python_code(self, root_module, *, verbose=False):
        """The Python source of the function this graph computes (``.src``) and the globals it needs."""
        return python_code(self, root_module)

    def print_tabular(self):
        """Print the nodes as a table (opcode, name, target, args, kwargs); needs the ``tabulate`` package."""
        tabulate = import_optional("tabulate", "fx", "Graph.print_tabular").tabulate
        rows = [[n.op, n.name, n.target, n.args, n.kwargs] for n in self._nodes]
        print(tabulate(rows, headers=["opcode", "name", "target", "args", "kwargs"]))

    def __str__(self):
        lines = ["graph():"] + ["    " + n.format_node() for n in self._nodes]
        return "\n".join(lines)


def _default_name(op, target):
    if op == "call_function":
        return getattr(target, "__name__", "fn")
    if op in ("call_module", "get_attr", "placeholder"):
        return str(target)
    return str(target)
