"""MultiheadAttention: in-projection, scaled dot-product attention per head, out-projection."""
from ... import _creation
from ..._autocast_state import is_autocast_enabled
from ...autograd.grad_mode import is_grad_enabled
from .. import init
from ..functional.multi_head_attention import _mask_array, multi_head_attention_forward
from ..parameter import Parameter
from .linear import Linear
from .module import Module


class NonDynamicallyQuantizableLinear(Linear):
    """A plain Linear; PyTorch gives MultiheadAttention.out_proj this class name, so reprs match."""


class MultiheadAttention(Module):
    """Multi-head attention: ``num_heads`` scaled dot-product attentions over projections of query, key and value.

    ``out = concat(head_1, ..., head_h) @ W_o.T`` with ``head_i = softmax(q_i @ k_i.T / sqrt(d) + mask) @ v_i``,
    ``d = embed_dim / num_heads``.

    Call it as ``m(query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None,
    average_attn_weights=True, is_causal=False)``; it returns ``(attn_output, attn_weights)``, the weights ``None``
    unless ``need_weights``.

    Args:
        embed_dim: ``E``, the model dimension; query features and output features.
        num_heads: the number of heads; must divide ``embed_dim``.
        dropout: dropout probability on the attention weights, in training. Default: ``0.0``.
        bias: learn biases of the input and output projections. Default: ``True``.
        add_bias_kv: append a learned bias vector to the key and value sequences. Default: ``False``.
        add_zero_attn: append a batch of zeros to the key and value sequences. Default: ``False``.
        kdim: features of the key. Default: ``embed_dim``.
        vdim: features of the value. Default: ``embed_dim``.
        batch_first: inputs and output are ``(N, L, E)`` instead of ``(L, N, E)``. Default: ``False``.
        device: accepted for PyTorch compatibility; parameters live on the CPU.
        dtype: dtype of the parameters. Default: the default dtype.

    Shape:
        - query: ``(L, N, E)``, ``(N, L, E)`` with ``batch_first=True``, or ``(L, E)`` unbatched.
        - key: ``(S, N, kdim)`` (``(N, S, kdim)`` with ``batch_first=True``) or ``(S, kdim)``.
        - value: ``(S, N, vdim)`` (``(N, S, vdim)`` with ``batch_first=True``) or ``(S, vdim)``.
        - key_padding_mask: ``(N, S)`` or ``(S,)``; ``True`` (or a float added to the scores) marks keys to ignore.
        - attn_mask: ``(L, S)`` or ``(N * num_heads, L, S)``; bool (``True`` masks out) or float (added).
        - attn_output: the shape of ``query``.
        - attn_weights: ``(N, L, S)`` averaged over heads, or ``(N, num_heads, L, S)`` with
          ``average_attn_weights=False`` (without ``N`` when unbatched).

    Examples::

        >>> mha = nn.MultiheadAttention(embed_dim=16, num_heads=4)
        >>> x = torch.randn(5, 2, 16)
        >>> out, weights = mha(x, x, x)  # out (5, 2, 16), weights (2, 5, 5)
    """

    __constants__ = ["batch_first"]

    def __init__(self, embed_dim, num_heads, dropout=0.0, bias=True, add_bias_kv=False, add_zero_attn=False,
                 kdim=None, vdim=None, batch_first=False, device=None, dtype=None):
        if embed_dim <= 0 or num_heads <= 0:
            raise ValueError(f"embed_dim and num_heads must be greater than 0, got embed_dim={embed_dim} and "
                             f"num_heads={num_heads} instead")
        super().__init__()
        self.embed_dim = embed_dim
        self.kdim = kdim if kdim is not None else embed_dim
        self.vdim = vdim if vdim is not None else embed_dim
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.num_heads = num_heads
        self.dropout = dropout
        self.batch_first = batch_first
        self.head_dim = embed_dim // num_heads
        if self.head_dim * num_heads != embed_dim:
            raise AssertionError("embed_dim must be divisible by num_heads")

        if not self._qkv_same_embed_dim:
            self.q_proj_weight = Parameter(_creation.empty((embed_dim, embed_dim), dtype=dtype))
            self.k_proj_weight = Parameter(_creation.empty((embed_dim, self.kdim), dtype=dtype))
            self.v_proj_weight = Parameter(_creation.empty((embed_dim, self.vdim), dtype=dtype))
            self.register_parameter("in_proj_weight", None)
        else:
            self.in_proj_weight = Parameter(_creation.empty((3 * embed_dim, embed_dim), dtype=dtype))
            self.register_parameter("q_proj_weight", None)
            self.register_parameter("k_proj_weight", None)
            self.register_parameter("v_proj_weight", None)
        if bias:
            self.in_proj_bias = Parameter(_creation.empty(3 * embed_dim, dtype=dtype))
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = NonDynamicallyQuantizableLinear(embed_dim, embed_dim, bias=bias, dtype=dtype)
        if add_bias_kv:
            self.bias_k = Parameter(_creation.empty((1, 1, embed_dim), dtype=dtype))
            self.bias_v = Parameter(_creation.empty((1, 1, embed_dim), dtype=dtype))
        else:
            self.bias_k = self.bias_v = None
        self.add_zero_attn = add_zero_attn
        self._reset_parameters()

    def _reset_parameters(self):
        if self._qkv_same_embed_dim:
            init.xavier_uniform_(self.in_proj_weight)
        else:
            init.xavier_uniform_(self.q_proj_weight)
            init.xavier_uniform_(self.k_proj_weight)
            init.xavier_uniform_(self.v_proj_weight)
        if self.in_proj_bias is not None:
            init.constant_(self.in_proj_bias, 0.0)
            init.constant_(self.out_proj.bias, 0.0)
        if self.bias_k is not None:
            init.xavier_normal_(self.bias_k)
        if self.bias_v is not None:
            init.xavier_normal_(self.bias_v)

    def __setstate__(self, state):
        if "_qkv_same_embed_dim" not in state:
            state["_qkv_same_embed_dim"] = True
        super().__setstate__(state)

    def forward(self, query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None,
                average_attn_weights=True, is_causal=False):
        """Returns (attn_output, attn_weights); weights are None unless ``need_weights``."""
        for name, mask in (("key_padding_mask", key_padding_mask), ("attn_mask", attn_mask)):
            if mask is not None:
                _mask_array(mask, name)  # PyTorch's module checks the masks' dtypes before any shape
        fast = self._takes_fast_path(query, key, value, key_padding_mask, attn_mask)
        # its NaN rows: the weights' path gives them (only a mask can leave a query nothing to attend to)
        nan_rows = fast and (key_padding_mask is not None or attn_mask is not None)
        is_batched = query.dim() == 3
        if self.batch_first and is_batched:
            # keep the identities that select the one-GEMM self-attention projection
            if key is value:
                if query is key:
                    query = key = value = query.transpose(1, 0)
                else:
                    query, key = query.transpose(1, 0), key.transpose(1, 0)
                    value = key
            else:
                query, key, value = (x.transpose(1, 0) for x in (query, key, value))
        separate = not self._qkv_same_embed_dim
        attn_output, attn_weights = multi_head_attention_forward(
            query, key, value, self.embed_dim, self.num_heads, self.in_proj_weight, self.in_proj_bias,
            self.bias_k, self.bias_v, self.add_zero_attn, self.dropout, self.out_proj.weight, self.out_proj.bias,
            training=self.training, key_padding_mask=key_padding_mask, need_weights=need_weights or nan_rows,
            attn_mask=attn_mask, use_separate_proj_weight=separate, q_proj_weight=self.q_proj_weight,
            k_proj_weight=self.k_proj_weight, v_proj_weight=self.v_proj_weight,
            average_attn_weights=average_attn_weights or not need_weights, is_causal=is_causal and not fast)
        if not need_weights:
            attn_weights = None
        if self.batch_first and is_batched:
            return attn_output.transpose(1, 0), attn_weights
        return attn_output, attn_weights

    def _takes_fast_path(self, query, key, value, key_padding_mask, attn_mask):
        """Whether PyTorch runs this call on its fused inference kernel (``torch._native_multi_head_attention``),
        which gives NaN for fully masked queries with or without ``need_weights`` and ignores ``is_causal``:
        batched self-attention in eval mode, without float masks, autograd or the options the kernel lacks."""
        if any(m is not None and m.is_floating_point() for m in (attn_mask, key_padding_mask)):
            return False
        if not (query.dim() == 3 and query is key and key is value and not self.training and self.num_heads % 2 == 0
                and self.batch_first and self.bias_k is None and self.bias_v is None and not self.add_zero_attn
                and self._qkv_same_embed_dim and self.in_proj_bias is not None
                and query.dtype == self.in_proj_weight.dtype == self.in_proj_bias.dtype and not is_autocast_enabled()):
            return False
        tensors = (query, self.in_proj_weight, self.in_proj_bias, self.out_proj.weight, self.out_proj.bias)
        return not (is_grad_enabled() and any(t is not None and t.requires_grad for t in tensors))

    def merge_masks(self, attn_mask, key_padding_mask, query):
        """The masks as one and its type: (key_padding_mask, 1) or (None, None) without an ``attn_mask``, else
        ``attn_mask`` as (batch, heads, L, L) and 2, plus ``key_padding_mask`` as (batch, 1, 1, L) where given.

        ``query`` is batch first, (batch, L, E); an ``attn_mask`` is (L, L) or (batch * heads, L, L).
        """
        if attn_mask is None:
            return (key_padding_mask, 1) if key_padding_mask is not None else (None, None)
        batch, length = query.shape[0], query.shape[1]
        if attn_mask.dim() == 3:
            merged = attn_mask.view(batch, -1, length, length)
        else:
            merged = attn_mask.view(1, 1, length, length).expand(batch, self.num_heads, -1, -1)
        if key_padding_mask is not None:
            merged = merged + key_padding_mask.view(batch, 1, 1, length).expand(-1, self.num_heads, -1, -1)
        return merged, 2


__all__ = ["MultiheadAttention"]
