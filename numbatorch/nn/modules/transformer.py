"""Transformer, TransformerEncoder/Decoder and their layers (post-norm or pre-norm).

The layers are defined in ``transformer_layer`` and importable from here, as from PyTorch's module.
"""
import copy
import warnings

import numpy as np

from ..._tensor import Tensor
from .. import init
from ..functional.activation import relu
from .container import ModuleList
from .module import Module
from .normalization import LayerNorm
from .transformer_layer import TransformerDecoderLayer, TransformerEncoderLayer, _get_activation_fn  # noqa: F401


def _generate_square_subsequent_mask(sz, device=None, dtype=None):
    """A (sz, sz) float mask: -inf above the diagonal (future positions), 0 elsewhere."""
    from ... import _dtype
    np_dtype = (dtype or _dtype.get_default_dtype()).np
    return Tensor._make(np.triu(np.full((sz, sz), -np.inf, dtype=np_dtype), 1))


def _get_seq_len(src, batch_first):
    if src.dim() == 2:
        return src.size(0)
    return src.size(1 if batch_first else 0)


def _detect_is_causal_mask(mask, is_causal=None, size=None):
    """The ``is_causal`` hint, or (when it is None) whether ``mask`` equals the square causal mask."""
    make_causal = is_causal is True
    if is_causal is None and mask is not None:
        sz = size if size is not None else mask.size(-2)
        causal = _generate_square_subsequent_mask(sz, dtype=mask.dtype)._data
        m = mask._data
        make_causal = m.shape == causal.shape and bool((m == causal).all())
    return make_causal


def _get_clones(module, N):
    return ModuleList([copy.deepcopy(module) for _ in range(N)])


def _why_not_nested(layer):
    """PyTorch's reason (if any) for not using nested tensors; only reported in its construction warning."""
    prefix = "encoder_layer"
    if not isinstance(layer, TransformerEncoderLayer):
        return f"{prefix} was not TransformerEncoderLayer"
    if layer.norm_first:
        return f"{prefix}.norm_first was True"
    if not layer.self_attn.batch_first:
        return f"{prefix}.self_attn.batch_first was not True(use batch_first for better inference performance)"
    if not layer.self_attn._qkv_same_embed_dim:
        return f"{prefix}.self_attn._qkv_same_embed_dim was not True"
    if layer.self_attn.in_proj_bias is None:
        return f"{prefix}.self_attn was passed bias=False"
    if not layer.activation_relu_or_gelu:
        return f"{prefix}.activation_relu_or_gelu was not True"
    if layer.norm1.eps != layer.norm2.eps:
        return f"{prefix}.norm1.eps was not equal to {prefix}.norm2.eps"
    if layer.self_attn.num_heads % 2 == 1:
        return f"{prefix}.self_attn.num_heads is odd"
    return ""


class TransformerEncoder(Module):
    """A stack of ``num_layers`` copies of ``encoder_layer``, then an optional final norm.

    Call it as ``m(src, mask=None, src_key_padding_mask=None, is_causal=None)``.

    Args:
        encoder_layer: the layer to copy (deep copies: the layers do not share parameters).
        num_layers: the number of copies.
        norm: a module applied to the last layer's output, or ``None``. Default: ``None``.
        enable_nested_tensor: accepted for PyTorch compatibility (nested tensors are an inference fast path of
            PyTorch's; results are computed without them). Default: ``True``.
        mask_check: accepted for PyTorch compatibility. Default: ``True``.

    Shape:
        - src: ``(S, N, E)``, ``(N, S, E)`` with ``batch_first=True`` layers, or ``(S, E)`` unbatched.
        - mask: ``(S, S)``; src_key_padding_mask: ``(N, S)``.
        - Output: the shape of ``src``.

    Examples::

        >>> layer = nn.TransformerEncoderLayer(d_model=512, nhead=8)
        >>> encoder = nn.TransformerEncoder(layer, num_layers=6)
        >>> out = encoder(torch.rand(10, 32, 512))
    """

    __constants__ = ["norm"]

    def __init__(self, encoder_layer, num_layers, norm=None, enable_nested_tensor=True, mask_check=True):
        super().__init__()
        self.layers = _get_clones(encoder_layer, num_layers)
        self.num_layers = num_layers
        self.norm = norm
        # Nested tensors are an inference-speed device of PyTorch; the flag is accepted and results are the same
        # as without it, except that PyTorch's fast path zeroes padded positions (not done here).
        self.enable_nested_tensor = enable_nested_tensor
        self.use_nested_tensor = enable_nested_tensor
        self.mask_check = mask_check
        why_not = _why_not_nested(encoder_layer)
        if enable_nested_tensor and why_not:
            warnings.warn(f"enable_nested_tensor is True, but self.use_nested_tensor is False because {why_not}")
            self.use_nested_tensor = False

    def forward(self, src, mask=None, src_key_padding_mask=None, is_causal=None):
        first = self.layers[0]
        batch_first = first.self_attn.batch_first if isinstance(first, TransformerEncoderLayer) else False
        is_causal = _detect_is_causal_mask(mask, is_causal, _get_seq_len(src, batch_first))
        output = src
        for mod in self.layers:
            output = mod(output, src_mask=mask, is_causal=is_causal, src_key_padding_mask=src_key_padding_mask)
        if self.norm is not None:
            output = self.norm(output)
        return output


class TransformerDecoder(Module):
    """A stack of ``num_layers`` copies of ``decoder_layer``, then an optional final norm.

    Call it as ``m(tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
    memory_key_padding_mask=None, tgt_is_causal=None, memory_is_causal=False)``.

    Args:
        decoder_layer: the layer to copy (deep copies: the layers do not share parameters).
        num_layers: the number of copies.
        norm: a module applied to the last layer's output, or ``None``. Default: ``None``.

    Shape:
        - tgt: ``(T, N, E)``, ``(N, T, E)`` with ``batch_first=True`` layers, or ``(T, E)`` unbatched.
        - memory: ``(S, N, E)``, ``(N, S, E)`` with ``batch_first=True`` layers, or ``(S, E)`` unbatched.
        - Masks as for ``TransformerDecoderLayer``.
        - Output: the shape of ``tgt``.
    """

    __constants__ = ["norm"]

    def __init__(self, decoder_layer, num_layers, norm=None):
        super().__init__()
        self.layers = _get_clones(decoder_layer, num_layers)
        self.num_layers = num_layers
        self.norm = norm

    def forward(self, tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
                memory_key_padding_mask=None, tgt_is_causal=None, memory_is_causal=False):
        first = self.layers[0]
        batch_first = first.self_attn.batch_first if hasattr(first, "self_attn") else False
        tgt_is_causal = _detect_is_causal_mask(tgt_mask, tgt_is_causal, _get_seq_len(tgt, batch_first))
        output = tgt
        for mod in self.layers:
            output = mod(output, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                         tgt_key_padding_mask=tgt_key_padding_mask,
                         memory_key_padding_mask=memory_key_padding_mask, tgt_is_causal=tgt_is_causal,
                         memory_is_causal=memory_is_causal)
        if self.norm is not None:
            output = self.norm(output)
        return output


class Transformer(Module):
    """Encoder-decoder Transformer ("Attention Is All You Need", Vaswani et al., 2017).

    Call it as ``m(src, tgt, src_mask=None, tgt_mask=None, memory_mask=None, src_key_padding_mask=None,
    tgt_key_padding_mask=None, memory_key_padding_mask=None, src_is_causal=None, tgt_is_causal=None,
    memory_is_causal=False)``; ``Transformer.generate_square_subsequent_mask(T)`` makes a causal ``tgt_mask``.

    Args:
        d_model: the number of expected features of the inputs, ``E``. Default: ``512``.
        nhead: the number of attention heads. Default: ``8``.
        num_encoder_layers: the number of encoder layers. Default: ``6``.
        num_decoder_layers: the number of decoder layers. Default: ``6``.
        dim_feedforward: the width of the feed-forward blocks. Default: ``2048``.
        dropout: the dropout probability. Default: ``0.1``.
        activation: of the feed-forward blocks, ``'relu'``, ``'gelu'`` or a callable. Default: ``relu``.
        custom_encoder: a module to use as the encoder instead of the default stack. Default: ``None``.
        custom_decoder: a module to use as the decoder instead of the default stack. Default: ``None``.
        layer_norm_eps: the ``eps`` of the layer norms. Default: ``1e-5``.
        batch_first: inputs and output are ``(N, S, E)`` instead of ``(S, N, E)``. Default: ``False``.
        norm_first: pre-norm layers instead of post-norm. Default: ``False``.
        bias: learn additive biases in the linear and layer-norm layers. Default: ``True``.
        device: accepted for PyTorch compatibility; parameters live on the CPU.
        dtype: dtype of the parameters. Default: the default dtype.

    Shape:
        - src: ``(S, N, E)`` (``(N, S, E)`` with ``batch_first=True``) or ``(S, E)`` unbatched.
        - tgt: ``(T, N, E)`` (``(N, T, E)`` with ``batch_first=True``) or ``(T, E)`` unbatched.
        - src_mask: ``(S, S)``; tgt_mask: ``(T, T)``; memory_mask: ``(T, S)``.
        - src_key_padding_mask: ``(N, S)``; tgt_key_padding_mask: ``(N, T)``; memory_key_padding_mask: ``(N, S)``.
        - Output: ``(T, N, E)`` (``(N, T, E)`` with ``batch_first=True``) or ``(T, E)``.

    Examples::

        >>> model = nn.Transformer(d_model=32, nhead=4, num_encoder_layers=2, num_decoder_layers=2)
        >>> out = model(torch.rand(10, 8, 32), torch.rand(20, 8, 32))  # (20, 8, 32)
    """

    def __init__(self, d_model=512, nhead=8, num_encoder_layers=6, num_decoder_layers=6, dim_feedforward=2048,
                 dropout=0.1, activation=relu, custom_encoder=None, custom_decoder=None, layer_norm_eps=1e-5,
                 batch_first=False, norm_first=False, bias=True, device=None, dtype=None):
        super().__init__()
        if custom_encoder is not None:
            self.encoder = custom_encoder
        else:
            layer = TransformerEncoderLayer(d_model, nhead, dim_feedforward, dropout, activation, layer_norm_eps,
                                            batch_first, norm_first, bias, dtype=dtype)
            norm = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
            self.encoder = TransformerEncoder(layer, num_encoder_layers, norm)
        if custom_decoder is not None:
            self.decoder = custom_decoder
        else:
            layer = TransformerDecoderLayer(d_model, nhead, dim_feedforward, dropout, activation, layer_norm_eps,
                                            batch_first, norm_first, bias, dtype=dtype)
            norm = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
            self.decoder = TransformerDecoder(layer, num_decoder_layers, norm)
        self._reset_parameters()
        self.d_model = d_model
        self.nhead = nhead
        self.batch_first = batch_first

    def forward(self, src, tgt, src_mask=None, tgt_mask=None, memory_mask=None, src_key_padding_mask=None,
                tgt_key_padding_mask=None, memory_key_padding_mask=None, src_is_causal=None, tgt_is_causal=None,
                memory_is_causal=False):
        is_batched = src.dim() == 3
        if is_batched and src.size(0 if self.batch_first else 1) != tgt.size(0 if self.batch_first else 1):
            raise RuntimeError("the batch number of src and tgt must be equal")
        if src.size(-1) != self.d_model or tgt.size(-1) != self.d_model:
            raise RuntimeError("the feature number of src and tgt must be equal to d_model")
        memory = self.encoder(src, mask=src_mask, src_key_padding_mask=src_key_padding_mask,
                              is_causal=src_is_causal)
        return self.decoder(tgt, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                            tgt_key_padding_mask=tgt_key_padding_mask,
                            memory_key_padding_mask=memory_key_padding_mask, tgt_is_causal=tgt_is_causal,
                            memory_is_causal=memory_is_causal)

    @staticmethod
    def generate_square_subsequent_mask(sz, device=None, dtype=None):
        """A (sz, sz) float mask with -inf above the diagonal: position i attends to positions <= i."""
        return _generate_square_subsequent_mask(sz, device, dtype)

    def _reset_parameters(self):
        for p in self.parameters():
            if p.dim() > 1:
                init.xavier_uniform_(p)


__all__ = ["Transformer", "TransformerDecoder", "TransformerDecoderLayer", "TransformerEncoder",
           "TransformerEncoderLayer"]

# The layers were defined in this file until it was split: they keep its name as their module, the path under
# which plain pickles of them name them, as PyTorch's name its layers.
TransformerEncoderLayer.__module__ = TransformerDecoderLayer.__module__ = __name__
