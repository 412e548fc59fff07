"""``swap_in_optimizer_params_and_state``: run an optimizer on other parameters and state for a while."""
import contextlib
from collections import defaultdict

__all__ = ["swap_in_optimizer_params_and_state"]

_NAME = "swap_in_optimizer_params_and_state"


def _swap_plan(optimizer, swapin_parameters, swapin_optim_state):
    """Per live group: (the group, the saved group, its swapped-in parameters); raises PyTorch's errors."""
    if not optimizer.state:
        raise RuntimeError(f"{_NAME} requires initialized optimizer state.")
    if not isinstance(swapin_optim_state, dict):
        raise RuntimeError(f"{_NAME} requires a DCP-style optimizer state_dict.")
    groups = swapin_optim_state.get("param_groups")
    if not isinstance(swapin_optim_state.get("state"), dict) or not isinstance(groups, list) \
            or len(groups) != len(optimizer.param_groups):
        raise RuntimeError(f"{_NAME} requires 'state' and 'param_groups' like optimizer.state_dict()'s.")
    params = list(swapin_parameters.values()) if isinstance(swapin_parameters, dict) else list(swapin_parameters)
    plan, offset = [], 0
    for live, saved in zip(optimizer.param_groups, groups):
        ids = list(saved["params"])
        if len(ids) != len(live["params"]) or offset + len(ids) > len(params):
            raise RuntimeError(f"{_NAME} requires the explicit parameter state to match optimizer.param_groups "
                               "ordering.")
        plan.append((live, saved, params[offset:offset + len(ids)]))
        offset += len(ids)
    known = {i for _, saved, _ in plan for i in saved["params"]}
    if set(swapin_optim_state["state"]) - known:
        raise RuntimeError(f"{_NAME} requires swapin_optim_state['state'] keys to be parameter ids of its "
                           "param_groups.")
    return plan


@contextlib.contextmanager
def swap_in_optimizer_params_and_state(optimizer, swapin_parameters, swapin_optim_state):
    """Context manager running ``optimizer`` on other parameters and state, restoring its own on exit.

    Within the ``with`` block, ``optimizer`` steps ``swapin_parameters`` (a dict of name to tensor, in the order
    of its parameters) with the state and hyper-parameters of ``swapin_optim_state`` (a ``state_dict()``).
    In-place changes of the state's tensors reach ``swapin_optim_state``; replacing them does not.
    """
    plan = _swap_plan(optimizer, swapin_parameters, swapin_optim_state)
    saved_state = swapin_optim_state["state"]
    original_state, snapshots = optimizer.state, [dict(g) for g in optimizer.param_groups]
    try:
        state = defaultdict(dict)
        for live, saved, params in plan:
            live.update({k: v for k, v in saved.items() if k != "params"})
            live["params"] = params
            for p, i in zip(params, saved["params"]):
                state[p] = dict(saved_state.get(i, {}))  # a copy: new entries stay local, tensors are shared
        optimizer.state = state
        yield
    finally:
        for group, snapshot in zip(optimizer.param_groups, snapshots):
            group.clear()
            group.update(snapshot)
        optimizer.state = original_state
