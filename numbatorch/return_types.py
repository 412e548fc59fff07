"""Named-tuple results of ops returning (values, indices) and friends, like ``torch.return_types``."""
import collections

__all__ = ["max", "min", "median", "nanmedian", "mode", "cummax", "cummin", "sort", "topk", "kthvalue", "aminmax"]


def _return_type(name, fields=("values", "indices")):
    """A namedtuple printing like ``torch.return_types.max`` (values, indices)."""
    cls = collections.namedtuple(name, fields)

    def __repr__(self):
        body = ",\n".join(f"{f}={v!r}" for f, v in zip(fields, self))
        return f"numbatorch.return_types.{name}(\n{body})"

    cls.__repr__ = __repr__
    cls.__module__ = "numbatorch.return_types"
    return cls


max = _return_type("max")
min = _return_type("min")
median = _return_type("median")
nanmedian = _return_type("nanmedian")
mode = _return_type("mode")
cummax = _return_type("cummax")
cummin = _return_type("cummin")
sort = _return_type("sort")
topk = _return_type("topk")
kthvalue = _return_type("kthvalue")
aminmax = _return_type("aminmax", ("min", "max"))
