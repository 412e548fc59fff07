"""numba.cuda kernels for the pointwise math of one recurrent time step, fused per cell type.

One thread per state entry (b, j) of step ``t``; the step's GEMMs (h @ W_hh^T, the projection, the backward
dgates @ W_hh) are the array library's, between launches. PyTorch's gate orders and equations, as the CPU
kernels (``backends.cpu._rnn_lstm``, ``_rnn_gru``, ``_rnn_simple``): a row with ``t >= lengths[b]`` is
inactive: its state stays, its output and gate entries are zero, its state gradient passes through.
"""
import math

from numba import cuda


@cuda.jit(device=True)
def _sigmoid(x):
    return 1.0 / (1.0 + math.exp(-x))


@cuda.jit
def lstm_forward_step(t, lengths, has_proj, xw, xw_bias, hw, h, c, out, gates, tanh_c, m):
    """Gates (i, f, g, o) of step t (xw_bias: b_ih + b_hh); updates c, and h/out[t] without projection (else
    m[t] = o*tanh(c))."""
    B, H = c.shape
    for k in range(cuda.grid(1), B * H, cuda.gridsize(1)):
        b = k // H
        j = k % H
        if t >= lengths[b]:
            gates[t, b, j] = 0.0
            gates[t, b, H + j] = 0.0
            gates[t, b, 2 * H + j] = 0.0
            gates[t, b, 3 * H + j] = 0.0
            tanh_c[t, b, j] = 0.0
            if has_proj:
                m[t, b, j] = 0.0
            else:
                out[t, b, j] = 0.0
            continue
        i = _sigmoid(xw[t, b, j] + xw_bias[j] + hw[b, j])
        f = _sigmoid(xw[t, b, H + j] + xw_bias[H + j] + hw[b, H + j])
        g = math.tanh(xw[t, b, 2 * H + j] + xw_bias[2 * H + j] + hw[b, 2 * H + j])
        o = _sigmoid(xw[t, b, 3 * H + j] + xw_bias[3 * H + j] + hw[b, 3 * H + j])
        c_new = f * c[b, j] + i * g
        tc = math.tanh(c_new)
        c[b, j] = c_new
        gates[t, b, j] = i
        gates[t, b, H + j] = f
        gates[t, b, 2 * H + j] = g
        gates[t, b, 3 * H + j] = o
        tanh_c[t, b, j] = tc
        if has_proj:
            m[t, b, j] = o * tc
        else:
            h[b, j] = o * tc
            out[t, b, j] = o * tc


@cuda.jit
def lstm_backward_step(t, lengths, dm, dc, gates, c_prev, tanh_c, dgates):
    """Pre-activation gradients of step t given dL/dm (m = o*tanh(c)); dc becomes the previous step's."""
    B, H = dc.shape
    for k in range(cuda.grid(1), B * H, cuda.gridsize(1)):
        b = k // H
        j = k % H
        if t >= lengths[b]:
            dgates[t, b, j] = 0.0
            dgates[t, b, H + j] = 0.0
            dgates[t, b, 2 * H + j] = 0.0
            dgates[t, b, 3 * H + j] = 0.0
            continue
        i = gates[t, b, j]
        f = gates[t, b, H + j]
        g = gates[t, b, 2 * H + j]
        o = gates[t, b, 3 * H + j]
        tc = tanh_c[t, b, j]
        dmv = dm[b, j]
        dct = dc[b, j] + dmv * o * (1.0 - tc * tc)
        dgates[t, b, j] = dct * g * i * (1.0 - i)
        dgates[t, b, H + j] = dct * c_prev[t, b, j] * f * (1.0 - f)
        dgates[t, b, 2 * H + j] = dct * i * (1.0 - g * g)
        dgates[t, b, 3 * H + j] = dmv * tc * o * (1.0 - o)
        dc[b, j] = dct * f


@cuda.jit
def gru_forward_step(t, lengths, xw, b_ih, hw, b_hh, h, out, gates, hn):
    """Gates (r, z, n) of step t (b_ih and b_hh are added here: b_hn sits inside r * (...)); updates h."""
    B, H = h.shape
    for k in range(cuda.grid(1), B * H, cuda.gridsize(1)):
        b = k // H
        j = k % H
        if t >= lengths[b]:
            gates[t, b, j] = 0.0
            gates[t, b, H + j] = 0.0
            gates[t, b, 2 * H + j] = 0.0
            hn[t, b, j] = 0.0
            out[t, b, j] = 0.0
            continue
        r = _sigmoid(xw[t, b, j] + b_ih[j] + hw[b, j] + b_hh[j])
        z = _sigmoid(xw[t, b, H + j] + b_ih[H + j] + hw[b, H + j] + b_hh[H + j])
        hn_j = hw[b, 2 * H + j] + b_hh[2 * H + j]
        n = math.tanh(xw[t, b, 2 * H + j] + b_ih[2 * H + j] + r * hn_j)
        h_new = (1.0 - z) * n + z * h[b, j]
        gates[t, b, j] = r
        gates[t, b, H + j] = z
        gates[t, b, 2 * H + j] = n
        hn[t, b, j] = hn_j
        h[b, j] = h_new
        out[t, b, j] = h_new


@cuda.jit
def gru_backward_step(t, lengths, dh, grad_out, gates, hn, h_prev, dgates_x, dgates_h, dh_direct):
    """Input-side and hidden-side pre-activation gradients of step t (they differ in n by the factor r) and
    the part of dL/dh_prev that bypasses W_hh."""
    B, H = dh.shape
    for k in range(cuda.grid(1), B * H, cuda.gridsize(1)):
        b = k // H
        j = k % H
        if t >= lengths[b]:
            for q in range(3):
                dgates_x[t, b, q * H + j] = 0.0
                dgates_h[t, b, q * H + j] = 0.0
            dh_direct[b, j] = dh[b, j]
            continue
        r = gates[t, b, j]
        z = gates[t, b, H + j]
        n = gates[t, b, 2 * H + j]
        dht = dh[b, j] + grad_out[t, b, j]
        dn_pre = dht * (1.0 - z) * (1.0 - n * n)
        dr_pre = dn_pre * hn[t, b, j] * r * (1.0 - r)
        dz_pre = dht * (h_prev[t, b, j] - n) * z * (1.0 - z)
        dgates_x[t, b, j] = dr_pre
        dgates_x[t, b, H + j] = dz_pre
        dgates_x[t, b, 2 * H + j] = dn_pre
        dgates_h[t, b, j] = dr_pre
        dgates_h[t, b, H + j] = dz_pre
        dgates_h[t, b, 2 * H + j] = dn_pre * r
        dh_direct[b, j] = dht * z


@cuda.jit
def rnn_forward_step(t, lengths, use_relu, xw, hw, h, out):
    """h' = act(xw[t] + hw) (xw holds both biases); updates h."""
    B, H = h.shape
    for k in range(cuda.grid(1), B * H, cuda.gridsize(1)):
        b = k // H
        j = k % H
        if t >= lengths[b]:
            out[t, b, j] = 0.0
            continue
        pre = xw[t, b, j] + hw[b, j]
        if use_relu:
            h_new = pre if pre > 0.0 else 0.0 * pre  # 0*pre keeps NaN
        else:
            h_new = math.tanh(pre)
        h[b, j] = h_new
        out[t, b, j] = h_new


@cuda.jit
def rnn_backward_step(t, lengths, use_relu, dh, grad_out, out, dpre, dh_total):
    B, H = dh.shape
    for k in range(cuda.grid(1), B * H, cuda.gridsize(1)):
        b = k // H
        j = k % H
        if t >= lengths[b]:
            dpre[t, b, j] = 0.0
            dh_total[b, j] = dh[b, j]
            continue
        dht = dh[b, j] + grad_out[t, b, j]
        y = out[t, b, j]
        if use_relu:
            dpre[t, b, j] = dht if y > 0.0 else 0.0
        else:
            dpre[t, b, j] = dht * (1.0 - y * y)
        dh_total[b, j] = dht
