"""``numbatorch.signal`` (``torch.signal``): signal-processing helpers; the window functions are in ``windows``."""
from . import windows  # noqa: F401
