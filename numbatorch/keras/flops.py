"""``flop_summary(model, input_data)``: multiply-adds of the conv, linear, recurrent and attention layers.

torchkeras prints fvcore's table here; this counts the same way as fvcore (one multiply-add is one "flop",
biases, activations, normalisation and pooling are not counted) from the shapes seen in one forward pass:

- ``Linear``: input elements x ``out_features``
- ``Conv{1,2,3}d``: output elements x ``in_channels / groups`` x kernel elements; ``ConvTranspose``: input
  elements x ``out_channels / groups`` x kernel elements
- ``RNN``/``GRU``/``LSTM`` (and their cells): per step, layer and direction ``gates x hidden x (input +
  recurrent)`` (gates 1/3/4), plus ``hidden x proj_size`` for a projected LSTM
- ``MultiheadAttention``: the q/k/v and output projections plus ``2 x L x S x embed_dim`` per batch item
  (scores and weighted sum)
"""
from collections import OrderedDict

import numpy as np

from ..autograd import no_grad

__all__ = ["flop_summary", "count_multiply_adds"]

_ROW = "{:<30} {:>24} {:>24} {:>16}"
_RULE = "-" * 97


def _linear(module, inputs, output):
    return inputs[0].numel() * module.out_features


def _conv(module, inputs, output):
    kernel = int(np.prod(module.kernel_size))
    if module.transposed:
        return inputs[0].numel() * (module.out_channels // module.groups) * kernel
    return output.numel() * (module.in_channels // module.groups) * kernel


_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "GRU": 3, "LSTM": 4}


def _rnn(module, inputs, output):
    x = inputs[0]
    if x.dim() == 2:  # unbatched (L, H_in)
        steps, batch = x.shape[0], 1
    else:
        steps, batch = (x.shape[1], x.shape[0]) if module.batch_first else (x.shape[0], x.shape[1])
    gates = _GATES[module.mode]
    hidden = module.hidden_size
    recurrent = module.proj_size or hidden
    directions = 2 if module.bidirectional else 1
    per_step = 0
    for layer in range(module.num_layers):
        layer_input = module.input_size if layer == 0 else recurrent * directions
        per_step += gates * hidden * (layer_input + recurrent) + hidden * module.proj_size
    return steps * batch * directions * per_step


def _cell(module, inputs, output):
    from ..nn import GRUCell, LSTMCell
    gates = 4 if isinstance(module, LSTMCell) else 3 if isinstance(module, GRUCell) else 1
    x = inputs[0]
    batch = x.shape[0] if x.dim() == 2 else 1
    return batch * gates * module.hidden_size * (module.input_size + module.hidden_size)


def _attention(module, inputs, output):
    query, key = inputs[0], inputs[1] if len(inputs) > 1 else inputs[0]
    if query.dim() == 2:  # unbatched (L, E)
        batch, tgt, src = 1, query.shape[0], key.shape[0]
    elif module.batch_first:
        batch, tgt, src = query.shape[0], query.shape[1], key.shape[1]
    else:
        batch, tgt, src = query.shape[1], query.shape[0], key.shape[0]
    e = module.embed_dim
    projections = batch * (tgt * e * e + src * e * module.kdim + src * e * module.vdim + tgt * e * e)
    return projections + 2 * batch * tgt * src * e


def _counters():
    from ..nn import GRUCell, Linear, LSTMCell, MultiheadAttention, RNNCell
    from ..nn.modules.conv import _ConvNd
    from ..nn.modules.rnn import RNNBase
    return ((Linear, _linear), (_ConvNd, _conv), (RNNBase, _rnn), ((RNNCell, LSTMCell, GRUCell), _cell),
            (MultiheadAttention, _attention))


def _shape(x):
    from .._tensor import Tensor
    while isinstance(x, (list, tuple)) and x:
        x = x[0]
    return list(x.shape) if isinstance(x, Tensor) else []


def count_multiply_adds(model, *inputs, **kwargs):
    """Per-layer multiply-adds of one ``model(*inputs, **kwargs)`` call without grad.

    Returns an ordered dict ``{"<Type>-<i>": (module name, input shape, output shape, multiply-adds)}``.
    """
    counters = _counters()
    rows = OrderedDict()
    names = {id(m): name for name, m in model.named_modules()}
    hooks = []

    def make_hook(count):
        def hook(module, args, output):
            out = output[0] if isinstance(output, (list, tuple)) else output
            rows[f"{type(module).__name__}-{len(rows) + 1}"] = (
                names.get(id(module), ""), _shape(args), _shape(output), int(count(module, args, out)))
        return hook

    for module in model.modules():
        for types, count in counters:
            if isinstance(module, types):
                hooks.append(module.register_forward_hook(make_hook(count)))
                break
    try:
        with no_grad():
            model(*inputs, **kwargs)
    finally:
        for h in hooks:
            h.remove()
    return rows


def flop_summary(model, input_data=None, input_data_args=None, input_shape=None, input_dtype=None):
    """Print the multiply-adds of each counted layer for one forward pass and return the total (an int).

    Inputs as in ``summary``: ``input_data`` (one tensor, or a tuple of positional inputs, as fvcore takes
    them), ``input_data_args`` (a tuple) or ``input_shape`` (without the batch dimension; a batch of 1 of
    random values of ``input_dtype``).
    """
    from .._creation import rand
    from .._tensor import Tensor
    if input_data is not None:
        inputs = [input_data] if isinstance(input_data, Tensor) else list(input_data)
    elif input_data_args is not None:
        inputs = list(input_data_args)
    elif input_shape is not None:
        shapes = [input_shape] if all(isinstance(s, int) for s in input_shape) else list(input_shape)
        inputs = [rand(1, *shape) for shape in shapes]
        if input_dtype is not None:
            inputs = [x.to(input_dtype) for x in inputs]
    else:
        raise ValueError("flop_summary needs input_data, input_data_args or input_shape")
    rows = count_multiply_adds(model, *inputs)
    lines = [_RULE, _ROW.format("Layer (type)", "Input Shape", "Output Shape", "Multiply-adds"), "=" * 97]
    total = 0
    for key, (_, in_shape, out_shape, macs) in rows.items():
        lines.append(_ROW.format(key, str(in_shape), str(out_shape), f"{macs:,}"))
        total += macs
    lines += ["=" * 97, f"Total multiply-adds: {total:,} ({total / 1e6:.2f} M)", _RULE]
    print("\n".join(lines))
    return total
