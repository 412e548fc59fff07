"""``nn.factory_kwargs``: the ``device``/``dtype``/``memory_format`` keywords a module passes to tensor factories."""

__all__ = ["factory_kwargs"]

_SIMPLE_KEYS = frozenset({"device", "dtype", "memory_format"})


def factory_kwargs(kwargs):
    """The factory keywords of ``kwargs`` (which may also nest them under ``"factory_kwargs"``) as one dict."""
    if kwargs is None:
        return {}
    unexpected = kwargs.keys() - _SIMPLE_KEYS - {"factory_kwargs"}
    if unexpected:
        raise TypeError(f"unexpected kwargs {unexpected}")
    result = dict(kwargs.get("factory_kwargs", {}))
    for key in _SIMPLE_KEYS & kwargs.keys():
        if key in result:
            raise TypeError(f"{key} specified twice, in **kwargs and in factory_kwargs")
        result[key] = kwargs[key]
    return result


factory_kwargs.__module__ = "numbatorch.nn"  # PyTorch defines it in torch.nn itself: pickles name that path
