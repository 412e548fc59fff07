"""``Interpreter`` runs a GraphModule node by node (override a method to change what a kind of node does);
``Transformer`` runs it on Proxies to build a new, transformed GraphModule."""
import inspect

from ._symbolic_trace import Tracer
from .graph import Graph
from .graph_module import GraphModule
from .node import map_aggregate, map_arg
from .proxy import Proxy

__all__ = ["Interpreter", "Transformer"]


class Interpreter:
    """Executes ``module``'s graph one node at a time; ``run(*args)`` returns what the graph returns.

    Each node goes to the method named after its opcode (``placeholder``, ``get_attr``, ``call_function``,
    ``call_module``, ``call_method``, ``output``) with its target and its evaluated args and kwargs."""

    def __init__(self, module, garbage_collect_values=True, graph=None):
        self.module = module
        self.graph = module.graph if graph is None else graph
        self.garbage_collect_values = garbage_collect_values
        self.env = {}
        self.args_iter = iter(())
        # The last node that reads each value: after it runs, the value can be dropped from ``env``.
        self.user_to_last_uses = {}
        seen = set()
        for node in reversed(self.graph.nodes):
            last = [n for n in node.all_input_nodes if n not in seen]
            seen.update(last)
            self.user_to_last_uses[node] = last

    def run(self, *args, initial_env=None, enable_io_processing=True):
        """Run the graph on ``args`` (``initial_env`` may give precomputed node values)."""
        self.env = dict(initial_env or {})
        self.args_iter = iter(args)
        for node in self.graph.nodes:
            if node in self.env:
                continue
            self.env[node] = self.run_node(node)
            if self.garbage_collect_values:
                for used in self.user_to_last_uses.get(node, ()):
                    self.env.pop(used, None)
            if node.op == "output":
                return self.env[node]
        return None

    def run_node(self, n):
        """Evaluate node ``n`` with the method named after its opcode."""
        args, kwargs = self.fetch_args_kwargs_from_env(n)
        return getattr(self, n.op)(n.target, args, kwargs)

    def placeholder(self, target, args, kwargs):
        """The next positional input of ``run`` (or the placeholder's default)."""
        try:
            return next(self.args_iter)
        except StopIteration:
            if args:
                return args[0]
            raise RuntimeError(f"Expected positional argument for parameter {target}, but one was not passed "
                               "in!") from None

    def get_attr(self, target, args, kwargs):
        return self.fetch_attr(target)

    def call_function(self, target, args, kwargs):
        return target(*args, **kwargs)

    def call_method(self, target, args, kwargs):
        self_obj, *rest = args
        return getattr(self_obj, target)(*rest, **kwargs)

    def call_module(self, target, args, kwargs):
        return self.fetch_attr(target)(*args, **kwargs)

    def output(self, target, args, kwargs):
        return args[0]

    def fetch_attr(self, target):
        """``self.module.<target>`` for a dotted ``target``."""
        value = self.module
        walked = []
        for part in target.split("."):
            if not hasattr(value, part):
                raise RuntimeError(f"Node referenced nonexistent target {'.'.join(walked + [part])}")
            value = getattr(value, part)
            walked.append(part)
        return value

    def fetch_args_kwargs_from_env(self, n):
        """``n``'s args and kwargs with every Node replaced by its computed value."""
        return self.map_nodes_to_values(n.args, n), self.map_nodes_to_values(n.kwargs, n)

    def map_nodes_to_values(self, args, n):
        def load(node):
            if node not in self.env:
                raise RuntimeError(f"Node {n} referenced nonexistent value {node}! Run Graph.lint() to diagnose "
                                   "such issues")
            return self.env[node]
        return map_arg(args, load)


class _TransformerTracer(Tracer):
    """Records into the Transformer's new graph; every module call stays one call_module node."""

    def __init__(self, graph, root):
        super().__init__()
        self.graph = graph
        self.root = root
        self._module_names = {id(m): name for name, m in root.named_modules(remove_duplicate=False)}
        self._tensor_names = {id(t): name for name, t in list(root.named_parameters()) + list(root.named_buffers())}

    def is_leaf_module(self, m, module_qualified_name):
        return True


class Transformer(Interpreter):
    """Re-runs a GraphModule on Proxies: override ``call_function`` etc. to emit different nodes, then
    ``transform()`` returns the new GraphModule."""

    def __init__(self, module):
        super().__init__(module)
        self.new_graph = Graph()
        self.tracer = _TransformerTracer(self.new_graph, module)

    def placeholder(self, target, args, kwargs):
        default = args[0] if args else inspect.Signature.empty
        return Proxy(self.new_graph.placeholder(target, default_value=default), self.tracer)

    def get_attr(self, target, args, kwargs):
        return self.tracer.create_proxy("get_attr", target, (), {})

    def call_module(self, target, args, kwargs):
        return self.tracer.call_module(self.fetch_attr(target), None, args, kwargs)

    def call_function(self, target, args, kwargs):
        return self.tracer.create_proxy("call_function", target, args, kwargs)

    def call_method(self, target, args, kwargs):
        return self.tracer.create_proxy("call_method", target, args, kwargs)

    def transform(self):
        """The transformed GraphModule."""
        result = self.run(enable_io_processing=False)
        if result is not None:
            self.new_graph.output(map_aggregate(result, lambda x: x.node if isinstance(x, Proxy) else x))
        return GraphModule(self.module, self.new_graph)
