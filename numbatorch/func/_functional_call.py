"""``functional_call``: run a module with some of its parameters and buffers replaced by given tensors."""
__all__ = ["functional_call", "stack_module_state"]

_MISSING = object()


def _owner(module, name):
    *path, attr = name.split(".")
    for part in path:
        module = getattr(module, part)
    return module, attr


def _slot(module, attr):
    for store in ("_parameters", "_buffers"):
        table = module.__dict__.get(store, {})
        if attr in table:
            return table
    return None


def functional_call(module, parameter_and_buffer_dicts, args=None, kwargs=None, *, tie_weights=True, strict=False):
    """``module(*args, **kwargs)`` with the parameters and buffers named in ``parameter_and_buffer_dicts`` (a dict,
    or a sequence of dicts) replaced by the given tensors for this call; the module is unchanged afterwards."""
    dicts = parameter_and_buffer_dicts if isinstance(parameter_and_buffer_dicts, (list, tuple)) \
        else [parameter_and_buffer_dicts]
    replacements = {}
    for d in dicts:
        for name, value in d.items():
            if name in replacements:
                raise ValueError(f"{name} appeared in multiple dictionaries; behavior of functional call is "
                                 f"ambiguous")
            replacements[name] = value
    if strict:
        expected = {n for n, _ in module.named_parameters()} | {n for n, _ in module.named_buffers()}
        missing, unexpected = sorted(expected - replacements.keys()), sorted(replacements.keys() - expected)
        if missing or unexpected:
            raise RuntimeError(f"Error(s) in reparametrizing for {type(module).__name__}:\n\t"
                               + "\n\t".join(([f"Unexpected key(s): {', '.join(map(repr, unexpected))}."]
                                              if unexpected else [])
                                             + ([f"Missing key(s): {', '.join(map(repr, missing))}."]
                                                if missing else [])))
    saved = []
    try:
        for name, value in replacements.items():
            owner, attr = _owner(module, name)
            table = _slot(owner, attr)
            if table is None:
                saved.append((owner.__dict__, attr, owner.__dict__.get(attr, _MISSING)))
                owner.__dict__[attr] = value
            else:
                saved.append((table, attr, table[attr]))
                table[attr] = value
        args = args if isinstance(args, tuple) else (() if args is None else (args,))
        return module(*args, **(kwargs or {}))
    finally:
        for table, attr, old in reversed(saved):
            if old is _MISSING:
                del table[attr]
            else:
                table[attr] = old


def stack_module_state(models):
    """``(params, buffers)``: each parameter and buffer of the same-shaped ``models`` stacked along a new first
    dimension (for ``vmap`` over model ensembles); the stacked parameters are new leaves requiring grad."""
    import numbatorch
    if not models:
        raise RuntimeError("stack_module_state: Expected at least one model, got 0.")
    params = {name: numbatorch.stack([dict(m.named_parameters())[name].detach() for m in models])
              .requires_grad_(p.requires_grad) for name, p in models[0].named_parameters()}
    buffers = {name: numbatorch.stack([dict(m.named_buffers())[name] for m in models])
               for name, _ in models[0].named_buffers()}
    return params, buffers

