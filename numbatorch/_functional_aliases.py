"""The ``torch.*`` forms of layer functions (``torch.conv2d``, ``torch.layer_norm``, ``torch.dropout`` ...).

Most take ``nn.functional``'s arguments and are the same functions; the others keep PyTorch's own order and
names for the ``torch.*`` form (``torch.dropout(input, p, train)``, ``torch.batch_norm(input, weight, bias,
running_mean, running_var, training, momentum, eps, cudnn_enabled)``, ``torch.embedding(weight, indices)``).
"""
from .nn import functional as F
from ._embedding_bag_form import embedding_bag
from ._grid_sampler_forms import affine_grid_generator, grid_sampler, grid_sampler_2d, grid_sampler_3d
from ._rnn_forms import gru, lstm, rnn_relu, rnn_tanh
from ._native_forms import (convolution, ctc_loss, embedding_renorm_, native_batch_norm, native_dropout,
                            native_group_norm, native_layer_norm)
from ._ops._dtype_args import require_float_or_double
from .nn.functional.dropout import _channel_dropout, _check_p

__all__ = ["conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
           "pixel_shuffle", "pixel_unshuffle", "cosine_similarity", "pairwise_distance", "pdist", "cdist", "prelu",
           "rrelu", "rrelu_", "threshold", "threshold_", "hardshrink", "celu", "celu_", "selu", "selu_", "bilinear",
           "max_pool1d", "max_pool2d", "max_pool3d", "max_pool1d_with_indices", "avg_pool1d",
           "adaptive_avg_pool1d", "adaptive_max_pool1d", "rms_norm", "channel_shuffle", "native_channel_shuffle",
           "dropout", "dropout_", "alpha_dropout", "alpha_dropout_", "feature_dropout", "feature_dropout_",
           "feature_alpha_dropout", "feature_alpha_dropout_", "layer_norm", "group_norm", "batch_norm",
           "instance_norm", "embedding", "kl_div", "margin_ranking_loss", "hinge_embedding_loss", "poisson_nll_loss",
           "cosine_embedding_loss", "triplet_margin_loss", "binary_cross_entropy_with_logits", "rnn_tanh_cell",
           "rnn_relu_cell", "lstm_cell", "gru_cell", "conv_tbc", "grid_sampler",
           "grid_sampler_2d", "grid_sampler_3d", "affine_grid_generator", "convolution", "ctc_loss",
           "native_batch_norm", "native_dropout", "native_group_norm", "native_layer_norm", "embedding_renorm_",
           "rnn_tanh", "rnn_relu", "lstm", "gru", "embedding_bag"]

conv1d, conv2d, conv3d = F.conv1d, F.conv2d, F.conv3d
conv_tbc = F.conv_tbc
conv_transpose1d, conv_transpose2d, conv_transpose3d = F.conv_transpose1d, F.conv_transpose2d, F.conv_transpose3d
pixel_shuffle, pixel_unshuffle = F.pixel_shuffle, F.pixel_unshuffle
cosine_similarity, pairwise_distance, pdist = F.cosine_similarity, F.pairwise_distance, F.pdist
prelu, rrelu, rrelu_, hardshrink = F.prelu, F.rrelu, F.rrelu_, F.hardshrink
celu, celu_, selu, selu_ = F.celu, F.celu_, F.selu, F.selu_
bilinear = F.bilinear
max_pool1d, max_pool2d, max_pool3d = F.max_pool1d, F.max_pool2d, F.max_pool3d
max_pool1d_with_indices = F.max_pool1d_with_indices
avg_pool1d, adaptive_avg_pool1d = F.avg_pool1d, F.adaptive_avg_pool1d
adaptive_max_pool1d = F.adaptive_max_pool1d_with_indices  # torch.adaptive_max_pool1d returns (values, indices)
rms_norm, channel_shuffle, native_channel_shuffle = F.rms_norm, F.channel_shuffle, F.native_channel_shuffle


def threshold(input, threshold, value):
    """``value`` where ``input <= threshold``, else ``input``."""
    return F.threshold(input, threshold, value)


def threshold_(input, threshold, value):
    """In-place ``threshold``."""
    return F.threshold(input, threshold, value, inplace=True)


def cdist(x1, x2, p=2.0, compute_mode="use_mm_for_euclid_dist_if_necessary"):
    """p-norm distances between each row of ``x1`` (*, P, M) and each row of ``x2`` (*, R, M): (*, P, R)."""
    if x1.dim() < 2 or x2.dim() < 2:
        raise RuntimeError(f"cdist only supports at least 2D tensors, X1 got: {x1.dim()}D")
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: {x1.shape[-1]} X2: {x2.shape[-1]}")
    if p < 0:
        raise RuntimeError("cdist only supports non-negative p values")
    require_float_or_double("cdist", x1._data)
    from ._ops.norms import vector_norm
    return vector_norm(x1.unsqueeze(-2) - x2.unsqueeze(-3), p, -1)


def _dropout_fn(name, functional, doc=None):
    def fn(input, p, train):
        return functional(input, p, train)

    def fn_(input, p, train):
        return functional(input, p, train, inplace=True)
    fn.__name__ = fn.__qualname__ = name
    fn_.__name__ = fn_.__qualname__ = name + "_"
    fn.__doc__ = doc or f"``F.{functional.__name__}(input, p, training=train)``."
    fn_.__doc__ = f"In-place ``{name}``."
    return fn, fn_


def _feature_dropout(input, p, training, inplace=False):
    """Dropout of whole features: one draw per ``input[n, c]`` (any number of trailing dims)."""
    _check_p(p)
    return _channel_dropout(input, p, training, inplace, batched=True)


_feature_dropout.__name__ = "feature_dropout"
dropout, dropout_ = _dropout_fn("dropout", F.dropout)
alpha_dropout, alpha_dropout_ = _dropout_fn("alpha_dropout", F.alpha_dropout)
feature_dropout, feature_dropout_ = _dropout_fn(
    "feature_dropout", _feature_dropout,
    "Zeroes whole feature maps ``input[n, c]`` with probability ``p`` while ``train``, scaling the others by "
    "``1 / (1 - p)`` (the channel dropout of ``F.dropout1d``, ``F.dropout2d`` and ``F.dropout3d``).")
feature_alpha_dropout, feature_alpha_dropout_ = _dropout_fn("feature_alpha_dropout", F.feature_alpha_dropout)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5, cudnn_enable=True):
    """``F.layer_norm`` (``cudnn_enable`` is accepted and ignored)."""
    return F.layer_norm(input, normalized_shape, weight, bias, eps)


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5, cudnn_enabled=True):
    """``F.group_norm`` (``cudnn_enabled`` is accepted and ignored)."""
    return F.group_norm(input, num_groups, weight, bias, eps)


def batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps, cudnn_enabled):
    """``F.batch_norm`` with PyTorch's ``torch.batch_norm`` argument order."""
    return F.batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)


def instance_norm(input, weight, bias, running_mean, running_var, use_input_stats, momentum, eps, cudnn_enabled):
    """``F.instance_norm`` with PyTorch's ``torch.instance_norm`` argument order."""
    return F.instance_norm(input, running_mean, running_var, weight, bias, use_input_stats, momentum, eps)


def embedding(weight, indices, padding_idx=-1, scale_grad_by_freq=False, sparse=False):
    """Rows of ``weight`` at ``indices`` (``torch.embedding``: weight first; ``padding_idx=-1`` means none)."""
    return F.embedding(indices, weight, None if padding_idx == -1 else padding_idx,
                       scale_grad_by_freq=scale_grad_by_freq, sparse=sparse)


# ---- losses: the torch.* forms take the reduction as an int (0 'none', 1 'mean', 2 'sum'), default 'none' --------
_REDUCTIONS = ("none", "mean", "sum")


def _reduction(value):
    if value not in (0, 1, 2):
        raise ValueError(f"{value} is not a valid value for reduction")
    return _REDUCTIONS[value]


def kl_div(input, target, reduction=0, *, log_target=False):
    """``F.kl_div`` with an int ``reduction`` (1 is the elementwise mean)."""
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # F.kl_div warns that 'mean' is not 'batchmean'; the torch.* form does not
        return F.kl_div(input, target, reduction=_reduction(reduction), log_target=log_target)


def margin_ranking_loss(input1, input2, target, margin=0.0, reduction=0):
    """``F.margin_ranking_loss`` with an int ``reduction``."""
    return F.margin_ranking_loss(input1, input2, target, margin=margin, reduction=_reduction(reduction))


def hinge_embedding_loss(input, target, margin=1.0, reduction=0):
    """``F.hinge_embedding_loss`` with an int ``reduction``."""
    return F.hinge_embedding_loss(input, target, margin=margin, reduction=_reduction(reduction))


def poisson_nll_loss(input, target, log_input, full, eps, reduction):
    """``F.poisson_nll_loss`` with every argument positional and an int ``reduction``."""
    return F.poisson_nll_loss(input, target, log_input=log_input, full=full, eps=eps,
                              reduction=_reduction(reduction))


def cosine_embedding_loss(input1, input2, target, margin=0.0, reduction=0):
    """``F.cosine_embedding_loss`` with an int ``reduction``."""
    return F.cosine_embedding_loss(input1, input2, target, margin=margin, reduction=_reduction(reduction))


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2.0, eps=1e-6, swap=False, reduction=0):
    """``F.triplet_margin_loss`` with an int ``reduction``."""
    return F.triplet_margin_loss(anchor, positive, negative, margin=margin, p=p, eps=eps, swap=swap,
                                 reduction=_reduction(reduction))


def binary_cross_entropy_with_logits(input, target, weight=None, pos_weight=None, reduction=0):
    """``F.binary_cross_entropy_with_logits`` with an int ``reduction``."""
    return F.binary_cross_entropy_with_logits(input, target, weight, reduction=_reduction(reduction),
                                              pos_weight=pos_weight)


# ---- single recurrent steps: torch.rnn_tanh_cell / rnn_relu_cell / lstm_cell / gru_cell ---------------------
def _linear_gates(input, hx, w_ih, w_hh, b_ih, b_hh):
    return F.linear(input, w_ih, b_ih) + F.linear(hx, w_hh, b_hh)


def rnn_tanh_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """One Elman RNN step: ``tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)``."""
    return _linear_gates(input, hx, w_ih, w_hh, b_ih, b_hh).tanh()


def rnn_relu_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """One Elman RNN step with ReLU."""
    return _linear_gates(input, hx, w_ih, w_hh, b_ih, b_hh).relu()


def lstm_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """One LSTM step: ``(h', c')`` from ``hx = (h, c)``; gates in PyTorch's order (input, forget, cell, output)."""
    h, c = hx
    i, f, g, o = _linear_gates(input, h, w_ih, w_hh, b_ih, b_hh).chunk(4, -1)
    c_next = f.sigmoid() * c + i.sigmoid() * g.tanh()
    return o.sigmoid() * c_next.tanh(), c_next


def gru_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """One GRU step; gates in PyTorch's order (reset, update, new), the reset gate applied to ``h W_hn + b_hn``."""
    r_i, z_i, n_i = F.linear(input, w_ih, b_ih).chunk(3, -1)
    r_h, z_h, n_h = F.linear(hx, w_hh, b_hh).chunk(3, -1)
    r = (r_i + r_h).sigmoid()
    z = (z_i + z_h).sigmoid()
    n = (n_i + r * n_h).tanh()
    return (1 - z) * n + z * hx
