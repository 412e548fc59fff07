"""PairwiseDistance and CosineSimilarity."""
from .. import functional as F
from .module import Module


class PairwiseDistance(Module):
    """The p-norm distance ``||x1 - x2 + eps||_p`` between corresponding rows of two batches of vectors.

    Args:
        p: the norm degree. Default: ``2.0``.
        eps: added to the difference, so the gradient is finite at zero distance. Default: ``1e-6``.
        keepdim: keep the vector dimension (as size 1). Default: ``False``.

    Shape:
        - Input1: ``(N, D)`` or ``(D,)``.
        - Input2: the shape of Input1, or broadcastable to it.
        - Output: ``(N,)`` or ``()``; ``(N, 1)`` or ``(1,)`` with ``keepdim=True``.
    """

    def __init__(self, p=2.0, eps=1e-6, keepdim=False):
        super().__init__()
        self.norm, self.eps, self.keepdim = p, eps, keepdim

    def forward(self, x1, x2):
        return F.pairwise_distance(x1, x2, self.norm, self.eps, self.keepdim)


class CosineSimilarity(Module):
    """Cosine similarity ``x1 . x2 / max(||x1|| * ||x2||, eps)`` along ``dim``.

    Args:
        dim: the dimension holding the vectors. Default: ``1``.
        eps: lower bound of the norm product, to avoid division by zero. Default: ``1e-8``.

    Shape:
        - Input1: ``(*1, D, *2)`` with the vectors along ``dim``.
        - Input2: broadcastable to Input1.
        - Output: ``(*1, *2)``, the broadcast shape without ``dim``.
    """

    def __init__(self, dim=1, eps=1e-8):
        super().__init__()
        self.dim, self.eps = dim, eps

    def forward(self, x1, x2):
        return F.cosine_similarity(x1, x2, self.dim, self.eps)
