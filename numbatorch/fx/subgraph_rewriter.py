"""``replace_pattern``: find every occurrence of one traced computation in a GraphModule and swap in another."""
from collections import namedtuple

from ._symbolic_trace import symbolic_trace
from .graph_module import GraphModule

__all__ = ["Match", "replace_pattern"]

Match = namedtuple("Match", ["anchor", "nodes_map"])


def _as_graph(fn):
    return fn.graph if isinstance(fn, GraphModule) else symbolic_trace(fn).graph


def _match(pattern_node, node, nodes_map):
    """Whether ``node`` computes what ``pattern_node`` does, extending ``nodes_map`` (pattern -> graph node)."""
    if pattern_node in nodes_map:
        return nodes_map[pattern_node] is node
    if pattern_node.op == "placeholder":
        nodes_map[pattern_node] = node
        return True
    if pattern_node.op != node.op or pattern_node.target != node.target:
        return False
    if len(pattern_node.args) != len(node.args) or pattern_node.kwargs.keys() != node.kwargs.keys():
        return False
    nodes_map[pattern_node] = node
    pairs = list(zip(pattern_node.args, node.args)) + [(pattern_node.kwargs[k], node.kwargs[k])
                                                       for k in pattern_node.kwargs]
    return all(_match_arg(p, g, nodes_map) for p, g in pairs)


def _match_arg(pattern_arg, arg, nodes_map):
    from .node import Node
    if isinstance(pattern_arg, Node):
        return isinstance(arg, Node) and _match(pattern_arg, arg, nodes_map)
    if isinstance(pattern_arg, (tuple, list)):
        return (type(arg) is type(pattern_arg) and len(arg) == len(pattern_arg)
                and all(_match_arg(p, g, nodes_map) for p, g in zip(pattern_arg, arg)))
    return pattern_arg == arg


def replace_pattern(gm, pattern, replacement):
    """Replace each non-overlapping match of ``pattern`` in ``gm``'s graph by ``replacement`` (both functions or
    GraphModules with the same inputs; ``pattern`` must return one value). Recompiles ``gm``; returns the
    ``Match`` list (each anchor is the matched node that produced the pattern's output)."""
    pattern_graph = _as_graph(pattern)
    replacement_graph = _as_graph(replacement)
    pattern_placeholders = [n for n in pattern_graph.nodes if n.op == "placeholder"]
    pattern_output = next(n for n in pattern_graph.nodes if n.op == "output").args[0]
    if not hasattr(pattern_output, "op"):
        raise NotImplementedError("replace_pattern: the pattern must return a single traced value")
    graph = gm.graph
    matches, claimed = [], set()
    for node in reversed(graph.nodes):
        if node.op in ("placeholder", "output") or node in claimed:
            continue
        nodes_map = {}
        if not _match(pattern_output, node, nodes_map):
            continue
        inner = [g for p, g in nodes_map.items() if p.op != "placeholder"]
        if any(g in claimed for g in inner):
            continue
        # Every inner value but the output must be used only inside the match, or erasing it changes the program.
        if any(user not in inner for g in inner if g is not node for user in g.users):
            continue
        claimed.update(inner)
        matches.append(Match(anchor=node, nodes_map=nodes_map))
    for match in matches:
        replacement_inputs = [n for n in replacement_graph.nodes if n.op == "placeholder"]
        val_map = {r: match.nodes_map[p] for r, p in zip(replacement_inputs, pattern_placeholders)}
        with graph.inserting_before(match.anchor):
            new_output = graph.graph_copy(replacement_graph, val_map)
        match.anchor.replace_all_uses_with(new_output)
        for g in sorted((g for p, g in match.nodes_map.items() if p.op != "placeholder"),
                        key=lambda n: -graph._index(n)):
            graph.erase_node(g)
    gm.recompile()
    return matches
