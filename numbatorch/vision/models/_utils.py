"""Small helpers shared by the model definitions."""


def _make_divisible(v, divisor, min_value=None):
    """Round a channel count to a multiple of ``divisor`` without losing more than 10% of it."""
    if min_value is None:
        min_value = divisor
    new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
    if new_v < 0.9 * v:
        new_v += divisor
    return new_v


def _ovewrite_named_param(kwargs, param, new_value):
    """Set ``kwargs[param]``; a caller's different value for it is an error (the architecture fixes it)."""
    if param in kwargs and kwargs[param] != new_value:
        raise ValueError(f"The parameter '{param}' expected value {new_value} but got {kwargs[param]} instead.")
    kwargs[param] = new_value
