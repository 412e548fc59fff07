"""``torch._dynamo.eval_frame``: the type of a module wrapped by ``torch.compile``."""
from ..nn.modules.module import Module


class OptimizedModule(Module):
    """A module wrapped by ``torch.compile``; numbatorch never makes one (its ``compile`` returns the model)."""

    def __init__(self, mod, dynamo_ctx=None):
        super().__init__()
        self._orig_mod = mod

    def forward(self, *args, **kwargs):
        return self._orig_mod(*args, **kwargs)
