"""Functional forms of in-place Tensor methods: ``torch.fill_(t, 1.0)`` is ``t.fill_(1.0)``."""
from .._tensor import Tensor

__all__ = ["acosh_", "addmv_", "arccos_", "arccosh_", "arcsin_", "arcsinh_", "arctan_", "arctanh_", "asinh_",
           "atanh_", "deg2rad_", "detach_", "fill_", "gcd_", "i0_", "index_put_", "lcm_", "ldexp_", "neg_",
           "negative_", "rad2deg_", "resize_as_", "xlogy_", "zero_"]


def _functional(name):
    def function(input, *args, **kwargs):
        return getattr(Tensor, name)(input, *args, **kwargs)
    function.__name__ = function.__qualname__ = name
    function.__doc__ = f"``input.{name}(...)``: modifies ``input`` in place and returns it."
    return function


for _name in __all__:
    globals()[_name] = _functional(_name)
