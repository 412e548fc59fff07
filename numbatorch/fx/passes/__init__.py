"""``numbatorch.fx.passes``: analyses that run over a GraphModule."""
from . import shape_prop  # noqa: F401
