"""Transposed convolution composed from a device's convolution primitives (the same on every device).

A transposed convolution is the input-gradient of the convolution with the same weight, and its gradients are
that convolution's forward (for the input) and weight-gradient (for the weight). Each device module supplies
its ``_conv5_forward`` / ``_conv5_backward`` on 5-d arrays and its array library, and gets the two entry
points back.
"""
from .cpu._shape import as5d, to3d


def make_conv_transpose(conv5_forward, conv5_backward, transposed_output_size, xp):
    """``(conv_transpose_forward, conv_transpose_backward)`` on the arrays of ``xp`` from a device's primitives."""

    def conv_transpose_forward(x, weight, bias, stride, padding, output_padding, groups, dilation):
        """N-d transposed convolution of x (N, C_in, *spatial); weight is (C_in, C_out/groups, *kernel) as in
        PyTorch. It is the input-gradient of the convolution with the same weight."""
        nd = weight.ndim - 2
        out_shape = (x.shape[0], weight.shape[1] * groups) + transposed_output_size(
            x.shape[2:], weight, stride, padding, output_padding, dilation)
        x_shape5 = out_shape[:2] + to3d(out_shape[2:], 1)
        y5, _ = conv5_backward(as5d(x, nd), None, x_shape5, as5d(weight, nd), to3d(stride, 1),
                               to3d(padding, 0), to3d(dilation, 1), groups, True, False)
        y = y5.reshape(out_shape)
        if bias is not None:
            y += bias.reshape((-1,) + (1,) * nd)
        return y

    def conv_transpose_backward(grad_output, x, weight, stride, padding, output_padding, groups, dilation,
                                output_mask=(True, True, True)):
        """Gradients (grad_input, grad_weight, grad_bias) of conv_transpose_forward."""
        nd = weight.ndim - 2
        gyb = xp.ascontiguousarray(grad_output, dtype=x.dtype)
        s3, p3, d3 = to3d(stride, 1), to3d(padding, 0), to3d(dilation, 1)
        gx = gw = None
        if output_mask[0]:
            # the ordinary convolution of grad_output; output_padding rows never reach the input, so crop the
            # result to x's size
            g5 = conv5_forward(as5d(gyb, nd), as5d(weight, nd), s3, p3, d3, groups)
            sl = (slice(None), slice(None)) + tuple(slice(0, s) for s in as5d(x, nd).shape[2:])
            gx = xp.ascontiguousarray(g5[sl]).reshape(x.shape)
        if output_mask[1]:
            # the convolution's weight gradient with (input=grad_output, grad_out=x)
            _, gw = conv5_backward(as5d(x, nd), as5d(gyb, nd), as5d(gyb, nd).shape, as5d(weight, nd),
                                   s3, p3, d3, groups, False, True)
            gw = gw.reshape(weight.shape)
        gb = gyb.sum(axis=(0,) + tuple(range(2, gyb.ndim))) if output_mask[2] else None
        return gx, gw, gb

    return conv_transpose_forward, conv_transpose_backward
