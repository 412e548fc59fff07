"""TransformerEncoderLayer and TransformerDecoderLayer: attention and feed-forward blocks (post-norm or pre-norm)."""
from ..functional.activation import gelu, relu
from .activation import GELU, ReLU
from .dropout import Dropout
from .linear import Linear
from .module import Module
from .multihead_attention import MultiheadAttention
from .normalization import LayerNorm


def _get_activation_fn(activation):
    if activation == "relu":
        return relu
    if activation == "gelu":
        return gelu
    raise RuntimeError(f"activation should be relu/gelu, not {activation}")


class TransformerEncoderLayer(Module):
    """Self-attention then a feed-forward block, each with dropout, a residual connection and a layer norm.

    Call it as ``m(src, src_mask=None, src_key_padding_mask=None, is_causal=False)``.

    Args:
        d_model: the number of expected features of the input, ``E``.
        nhead: the number of attention heads; must divide ``d_model``.
        dim_feedforward: the width of the feed-forward block. Default: ``2048``.
        dropout: the dropout probability. Default: ``0.1``.
        activation: of the feed-forward block, ``'relu'``, ``'gelu'`` or a callable. Default: ``relu``.
        layer_norm_eps: the ``eps`` of the layer norms. Default: ``1e-5``.
        batch_first: input and output are ``(N, S, E)`` instead of ``(S, N, E)``. Default: ``False``.
        norm_first: layer norm before each block (pre-norm) instead of after the residual sum. Default: ``False``.
        bias: learn additive biases in the linear and layer-norm layers. Default: ``True``.
        device: accepted for PyTorch compatibility; parameters live on the CPU.
        dtype: dtype of the parameters. Default: the default dtype.

    Shape:
        - src: ``(S, N, E)``, ``(N, S, E)`` with ``batch_first=True``, or ``(S, E)`` unbatched.
        - src_mask: ``(S, S)`` or ``(N * nhead, S, S)``; bool (``True`` masks out) or float (added to the scores).
        - src_key_padding_mask: ``(N, S)`` or ``(S,)``; ``True`` marks padding positions to ignore.
        - Output: the shape of ``src``.

    Examples::

        >>> layer = nn.TransformerEncoderLayer(d_model=512, nhead=8)
        >>> out = layer(torch.rand(10, 32, 512))
    """

    __constants__ = ["norm_first"]

    def __init__(self, d_model, nhead, dim_feedforward=2048, dropout=0.1, activation=relu, layer_norm_eps=1e-5,
                 batch_first=False, norm_first=False, bias=True, device=None, dtype=None):
        super().__init__()
        self.self_attn = MultiheadAttention(d_model, nhead, dropout=dropout, bias=bias, batch_first=batch_first,
                                            dtype=dtype)
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias, dtype=dtype)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias, dtype=dtype)
        self.norm_first = norm_first
        self.norm1 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
        self.norm2 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
        self.dropout1 = Dropout(dropout)
        self.dropout2 = Dropout(dropout)
        if isinstance(activation, str):
            activation = _get_activation_fn(activation)
        self.activation_relu_or_gelu = 1 if activation is relu or isinstance(activation, ReLU) else (
            2 if activation is gelu or isinstance(activation, GELU) else 0)
        self.activation = activation

    def __setstate__(self, state):
        super().__setstate__(state)
        if not hasattr(self, "activation"):
            self.activation = relu

    def forward(self, src, src_mask=None, src_key_padding_mask=None, is_causal=False):
        x = src
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), src_mask, src_key_padding_mask, is_causal)
            x = x + self._ff_block(self.norm2(x))
        else:
            x = self.norm1(x + self._sa_block(x, src_mask, src_key_padding_mask, is_causal))
            x = self.norm2(x + self._ff_block(x))
        return x

    def _sa_block(self, x, attn_mask, key_padding_mask, is_causal=False):
        x = self.self_attn(x, x, x, attn_mask=attn_mask, key_padding_mask=key_padding_mask, need_weights=False,
                           is_causal=is_causal)[0]
        return self.dropout1(x)

    def _ff_block(self, x):
        x = self.linear2(self.dropout(self.activation(self.linear1(x))))
        return self.dropout2(x)


class TransformerDecoderLayer(Module):
    """Self-attention, attention over the encoder's ``memory``, then a feed-forward block.

    Each block has dropout, a residual connection and a layer norm.

    Call it as ``m(tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
    memory_key_padding_mask=None, tgt_is_causal=False, memory_is_causal=False)``.

    Args:
        d_model: the number of expected features of the input, ``E``.
        nhead: the number of attention heads; must divide ``d_model``.
        dim_feedforward: the width of the feed-forward block. Default: ``2048``.
        dropout: the dropout probability. Default: ``0.1``.
        activation: of the feed-forward block, ``'relu'``, ``'gelu'`` or a callable. Default: ``relu``.
        layer_norm_eps: the ``eps`` of the layer norms. Default: ``1e-5``.
        batch_first: input and output are ``(N, S, E)`` instead of ``(S, N, E)``. Default: ``False``.
        norm_first: layer norm before each block (pre-norm) instead of after the residual sum. Default: ``False``.
        bias: learn additive biases in the linear and layer-norm layers. Default: ``True``.
        device: accepted for PyTorch compatibility; parameters live on the CPU.
        dtype: dtype of the parameters. Default: the default dtype.

    Shape:
        - tgt: ``(T, N, E)``, ``(N, T, E)`` with ``batch_first=True``, or ``(T, E)`` unbatched.
        - memory: ``(S, N, E)``, ``(N, S, E)`` with ``batch_first=True``, or ``(S, E)`` unbatched.
        - tgt_mask: ``(T, T)``; memory_mask: ``(T, S)`` (or with a leading ``N * nhead``).
        - tgt_key_padding_mask: ``(N, T)``; memory_key_padding_mask: ``(N, S)``.
        - Output: the shape of ``tgt``.
    """

    __constants__ = ["norm_first"]

    def __init__(self, d_model, nhead, dim_feedforward=2048, dropout=0.1, activation=relu, layer_norm_eps=1e-5,
                 batch_first=False, norm_first=False, bias=True, device=None, dtype=None):
        super().__init__()
        self.self_attn = MultiheadAttention(d_model, nhead, dropout=dropout, bias=bias, batch_first=batch_first,
                                            dtype=dtype)
        self.multihead_attn = MultiheadAttention(d_model, nhead, dropout=dropout, bias=bias,
                                                 batch_first=batch_first, dtype=dtype)
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias, dtype=dtype)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias, dtype=dtype)
        self.norm_first = norm_first
        self.norm1 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
        self.norm2 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
        self.norm3 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
        self.dropout1 = Dropout(dropout)
        self.dropout2 = Dropout(dropout)
        self.dropout3 = Dropout(dropout)
        if isinstance(activation, str):
            activation = _get_activation_fn(activation)
        self.activation = activation

    def __setstate__(self, state):
        if "activation" not in state:
            state["activation"] = relu
        super().__setstate__(state)

    def forward(self, tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
                memory_key_padding_mask=None, tgt_is_causal=False, memory_is_causal=False):
        x = tgt
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), tgt_mask, tgt_key_padding_mask, tgt_is_causal)
            x = x + self._mha_block(self.norm2(x), memory, memory_mask, memory_key_padding_mask, memory_is_causal)
            x = x + self._ff_block(self.norm3(x))
        else:
            x = self.norm1(x + self._sa_block(x, tgt_mask, tgt_key_padding_mask, tgt_is_causal))
            x = self.norm2(x + self._mha_block(x, memory, memory_mask, memory_key_padding_mask, memory_is_causal))
            x = self.norm3(x + self._ff_block(x))
        return x

    def _sa_block(self, x, attn_mask, key_padding_mask, is_causal=False):
        x = self.self_attn(x, x, x, attn_mask=attn_mask, key_padding_mask=key_padding_mask, is_causal=is_causal,
                           need_weights=False)[0]
        return self.dropout1(x)

    def _mha_block(self, x, mem, attn_mask, key_padding_mask, is_causal=False):
        x = self.multihead_attn(x, mem, mem, attn_mask=attn_mask, key_padding_mask=key_padding_mask,
                                is_causal=is_causal, need_weights=False)[0]
        return self.dropout2(x)

    def _ff_block(self, x):
        x = self.linear2(self.dropout(self.activation(self.linear1(x))))
        return self.dropout3(x)
