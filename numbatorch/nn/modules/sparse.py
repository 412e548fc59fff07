"""Embedding and EmbeddingBag."""
from ... import _creation
from .. import functional as F
from .. import init
from ..functional.sparse import padding_row
from ..parameter import Parameter
from .module import Module
from ...autograd import grad_mode


class Embedding(Module):
    """A lookup table of ``num_embeddings`` vectors of size ``embedding_dim``, indexed by integer tensors.

    Args:
        num_embeddings: the number of rows of the table.
        embedding_dim: the size of each vector.
        padding_idx: a row that is initialised to zeros and receives no gradient (negative counts from the end).
            Default: ``None``.
        max_norm: rows looked up are renormalised in place to this norm if theirs is larger. Default: ``None``.
        norm_type: the p of the norm for ``max_norm``. Default: ``2.0``.
        scale_grad_by_freq: scale each row's gradient by the inverse of its frequency in the batch.
            Default: ``False``.
        sparse: must be ``False``: numbatorch has no sparse gradients.
        device: accepted for PyTorch compatibility; parameters live on the CPU.
        dtype: dtype of the parameters. Default: the default dtype.

    Shape:
        - Input: ``(*)``, integer indices in ``[0, num_embeddings)``.
        - Output: ``(*, embedding_dim)``.

    Attributes:
        weight: shape ``(num_embeddings, embedding_dim)``, initialised from ``N(0, 1)``.

    Examples::

        >>> embedding = nn.Embedding(10, 3)
        >>> y = embedding(torch.tensor([[1, 2, 4, 5], [4, 3, 2, 9]]))  # (2, 4, 3)
    """

    def __init__(self, num_embeddings, embedding_dim, padding_idx=None, max_norm=None, norm_type=2.0,
                 scale_grad_by_freq=False, sparse=False, _weight=None, _freeze=False, device=None, dtype=None):
        super().__init__()
        if sparse:
            raise NotImplementedError("numbatorch has no sparse gradients: use sparse=False")
        self.num_embeddings = num_embeddings
        self.embedding_dim = embedding_dim
        self.padding_idx = padding_row(padding_idx, num_embeddings)
        self.max_norm = max_norm
        self.norm_type = norm_type
        self.scale_grad_by_freq = scale_grad_by_freq
        self.sparse = sparse
        if _weight is None:
            self.weight = Parameter(_creation.empty((num_embeddings, embedding_dim), dtype=dtype),
                                    requires_grad=not _freeze)
            self.reset_parameters()
        else:
            if list(_weight.shape) != [num_embeddings, embedding_dim]:
                raise AssertionError("Shape of weight does not match num_embeddings and embedding_dim")
            self.weight = Parameter(_weight, requires_grad=not _freeze)

    def reset_parameters(self):
        init.normal_(self.weight)
        if self.padding_idx is not None:
            with grad_mode.no_grad():
                self.weight[self.padding_idx].fill_(0)

    def forward(self, input):
        return F.embedding(input, self.weight, self.padding_idx, self.max_norm, self.norm_type,
                           self.scale_grad_by_freq, self.sparse)

    def extra_repr(self):
        s = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            s += f", padding_idx={self.padding_idx}"
        if self.max_norm is not None:
            s += f", max_norm={self.max_norm}"
        if self.norm_type != 2:
            s += f", norm_type={self.norm_type}"
        if self.scale_grad_by_freq:
            s += ", scale_grad_by_freq=True"
        return s

    @classmethod
    def from_pretrained(cls, embeddings, freeze=True, padding_idx=None, max_norm=None, norm_type=2.0,
                        scale_grad_by_freq=False, sparse=False):
        if embeddings.dim() != 2:
            raise AssertionError("Embeddings parameter is expected to be 2-dimensional")
        rows, cols = embeddings.shape
        return cls(rows, cols, _weight=embeddings, _freeze=freeze, padding_idx=padding_idx, max_norm=max_norm,
                   norm_type=norm_type, scale_grad_by_freq=scale_grad_by_freq, sparse=sparse)


class EmbeddingBag(Module):
    """Sums, averages or maxes bags of embedding rows: one vector per bag of indices.

    Call it as ``m(input, offsets=None, per_sample_weights=None)``.

    Args:
        num_embeddings: the number of rows of the table.
        embedding_dim: the size of each vector.
        max_norm: rows looked up are renormalised in place to this norm if theirs is larger. Default: ``None``.
        norm_type: the p of the norm for ``max_norm``. Default: ``2.0``.
        scale_grad_by_freq: divide each row's gradient by how often its index occurs in ``input`` (not with
            ``mode='max'``). Default: ``False``.
        mode: ``'sum'``, ``'mean'`` or ``'max'``, how each bag is reduced. Default: ``'mean'``.
        sparse: accepted for PyTorch compatibility; gradients are always dense. Default: ``False``.
        include_last_offset: ``offsets`` has one more entry, the end of the last bag (CSR layout).
            Default: ``False``.
        padding_idx: a row that is excluded from the reductions and receives no gradient. Default: ``None``.
        device: accepted for PyTorch compatibility; parameters live on the CPU.
        dtype: dtype of the parameters. Default: the default dtype.

    Shape:
        - Input: ``(B, N)``, ``B`` bags of ``N`` indices each (``offsets`` must be ``None``), or ``(S,)``, the
          concatenated bags, with ``offsets`` ``(B,)`` giving where each starts.
        - per_sample_weights: the shape of ``input``; multiplies each looked-up row.
        - Output: ``(B, embedding_dim)``.

    Attributes:
        weight: shape ``(num_embeddings, embedding_dim)``, initialised from ``N(0, 1)``.
    """

    def __init__(self, num_embeddings, embedding_dim, max_norm=None, norm_type=2.0, scale_grad_by_freq=False,
                 mode="mean", sparse=False, _weight=None, include_last_offset=False, padding_idx=None,
                 device=None, dtype=None):
        super().__init__()
        self.num_embeddings = num_embeddings
        self.embedding_dim = embedding_dim
        self.max_norm = max_norm
        self.norm_type = norm_type
        self.scale_grad_by_freq = scale_grad_by_freq
        self.mode = mode
        self.sparse = sparse
        self.include_last_offset = include_last_offset
        self.padding_idx = padding_row(padding_idx, num_embeddings, "padding_idx")
        if _weight is None:
            self.weight = Parameter(_creation.empty((num_embeddings, embedding_dim), dtype=dtype))
            self.reset_parameters()
        else:
            self.weight = Parameter(_weight)

    def reset_parameters(self):
        init.normal_(self.weight)
        if self.padding_idx is not None:
            with grad_mode.no_grad():
                self.weight[self.padding_idx].fill_(0)

    def forward(self, input, offsets=None, per_sample_weights=None):
        return F.embedding_bag(input, self.weight, offsets, self.max_norm, self.norm_type, self.scale_grad_by_freq,
                               self.mode, self.sparse, per_sample_weights, self.include_last_offset,
                               self.padding_idx)

    def extra_repr(self):
        s = f"{self.num_embeddings}, {self.embedding_dim}, mode='{self.mode}'"
        if self.padding_idx is not None:
            s += f", padding_idx={self.padding_idx}"
        return s

    @classmethod
    def from_pretrained(cls, embeddings, freeze=True, max_norm=None, norm_type=2.0, scale_grad_by_freq=False,
                        mode="mean", sparse=False, include_last_offset=False, padding_idx=None):
        rows, cols = embeddings.shape
        bag = cls(rows, cols, _weight=embeddings, max_norm=max_norm, norm_type=norm_type,
                  scale_grad_by_freq=scale_grad_by_freq, mode=mode, sparse=sparse,
                  include_last_offset=include_last_offset, padding_idx=padding_idx)
        bag.weight.requires_grad = not freeze
        return bag
