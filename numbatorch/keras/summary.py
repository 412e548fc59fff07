"""``summary(model, ...)``: torchkeras's layer table (output shapes and parameter counts of the leaf modules)."""
from collections import OrderedDict

import numpy as np

from .. import _dtype as dt
from .._creation import rand
from .._tensor import Tensor
from ..autograd import no_grad

__all__ = ["summary"]

_RULE = "-" * 74
_DOUBLE_RULE = "=" * 74
_ROW = "{:<30}  {:>20} {:>20}"
_MB = 1024.0 ** 2


def _always_hooked():
    """Module types hooked although they have children (torchkeras: MultiheadAttention)."""
    from ..nn import MultiheadAttention
    return (MultiheadAttention,)


def _first_tensor(outputs):
    while isinstance(outputs, (list, tuple)) and outputs:
        outputs = outputs[0]
    return outputs if isinstance(outputs, Tensor) else None


def _tensor_bytes(data):
    """Bytes held by the tensors in ``data`` (a tensor or nested lists/tuples/dicts of them)."""
    if isinstance(data, Tensor):
        return data.numel() * data.element_size()
    if isinstance(data, (list, tuple)):
        return sum(_tensor_bytes(d) for d in data)
    if isinstance(data, dict):
        return sum(_tensor_bytes(d) for d in data.values())
    return 0


def _random_inputs(input_shape, input_dtype):
    if isinstance(input_shape, tuple) and all(isinstance(s, int) for s in input_shape):
        input_shape = [input_shape]
    dtype = dt.as_dtype(input_dtype) if input_dtype is not None else None
    # Batch of 2 so that BatchNorm layers accept the input in training mode.
    inputs = [rand(2, *shape) for shape in input_shape]
    return [x if dtype is None else x.to(dtype) for x in inputs], input_shape


def summary(model, input_data=None, input_data_args=None, input_shape=None, input_dtype=None, batch_size=-1,
            *args, **kwargs):
    """Run ``model`` once without grad, print its torchkeras-style table and return it as a string.

    Inputs come from ``input_data`` (one tensor), ``input_data_args`` (a tuple of positional inputs) or
    ``input_shape`` (a shape without the batch dimension, or a list of such shapes; random inputs of dtype
    ``input_dtype``, float32 by default). Output shapes are printed with ``batch_size`` (default -1) as the
    first dimension. Sizes in MB assume 4-byte numbers, as torchkeras does, except the input size, which is
    the inputs' real size in bytes.
    """
    rows = OrderedDict()
    hooks = []
    hooked_types = _always_hooked()

    def hook(module, inputs, outputs):
        out = _first_tensor(outputs)
        shape = [batch_size] + (list(out.shape)[1:] if out is not None else [])
        trainable = frozen = 0
        for p in module.parameters():
            if p.requires_grad:
                trainable += p.numel()
            else:
                frozen += p.numel()
        rows[f"{type(module).__name__}-{len(rows) + 1}"] = (shape, trainable, frozen)

    def register(module):
        # Containers are skipped: their leaves report their own rows.
        if isinstance(module, hooked_types) or not module._modules:
            hooks.append(module.register_forward_hook(hook))

    model.apply(register)
    input_bytes = 0.0
    if input_data is not None:
        inputs = [input_data]
        input_bytes = _tensor_bytes(input_data)
    elif input_data_args is not None:
        inputs = list(input_data_args)
        input_bytes = _tensor_bytes(inputs)
    elif input_shape is not None:
        inputs, shapes = _random_inputs(input_shape, input_dtype)
        itemsize = inputs[0].element_size() if inputs else 4
        input_bytes = sum(int(np.prod(s)) for s in shapes) * abs(batch_size) * itemsize
    else:
        inputs = []
    try:
        with no_grad():
            model(*inputs, *args, **kwargs)
    finally:
        for h in hooks:
            h.remove()

    lines = [_RULE, _ROW.format("Layer (type)", "Output Shape", "Param #"), _DOUBLE_RULE]
    total_params = trainable_params = 0
    total_output = 0
    for name, (shape, trainable, frozen) in rows.items():
        lines.append(_ROW.format(name, str(shape), f"{trainable + frozen:,}"))
        total_params += trainable + frozen
        trainable_params += trainable
        total_output += int(np.prod(shape))
    input_size = abs(input_bytes / _MB)
    output_size = abs(2.0 * total_output * 4.0 / _MB)  # x2: activations and their gradients
    params_size = abs(total_params * 4.0 / _MB)
    lines += [
        _DOUBLE_RULE,
        f"Total params: {total_params:,}",
        f"Trainable params: {trainable_params:,}",
        f"Non-trainable params: {total_params - trainable_params:,}",
        _RULE,
        "Input size (MB): %0.6f" % input_size,
        "Forward/backward pass size (MB): %0.6f" % output_size,
        "Params size (MB): %0.6f" % params_size,
        "Estimated Total Size (MB): %0.6f" % (input_size + output_size + params_size),
        _RULE,
    ]
    text = "\n".join(lines)
    print(text)
    return text
