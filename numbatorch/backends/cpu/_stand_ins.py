"""Numpy stand-ins for kernels whose compile dominated a cold first training step (see ``_tiered.py``).

Each takes its kernel's arguments and gives its kernel's results bit for bit: copies and selections are
exact, and where elements are summed each one receives the kernel's additions in the kernel's order.
"""
import numpy as np

from ._tiered import Unsupported

# Output windows from which the window-max stand-in (one numpy pass per window) declines: the kernel compiles.
MAX_STAND_IN_WINDOWS = 4096


def im2col_transfer(xp, col, n0, nb, r0, nr, kd, kh, kw, sd, sh, sw, dd, dh, dw, oH, oW, to_col):
    """``_im2col.im2col_transfer``: one strided copy (or add) per kernel offset and output depth."""
    if not col.flags.c_contiguous:  # its reshaped views below would be copies
        raise Unsupported
    C = xp.shape[1]
    width = nb * nr * oW
    cols = col[:C * kd * kh * kw].reshape(C, kd, kh, kw, col.shape[1])[..., :width]
    cols = cols.reshape(C, kd, kh, kw, nb, nr, oW)
    samples = slice(n0, n0 + nb)
    # col2im adds into an element once per kernel offset (a, b, e), in that order, as the kernel does
    for a in range(kd):
        for b in range(kh):
            for e in range(kw):
                for od in range(r0 // oH, (r0 + nr - 1) // oH + 1):
                    lo, hi = max(r0, od * oH), min(r0 + nr, (od + 1) * oH)
                    h0 = (lo - od * oH) * sh + b * dh
                    src = xp[samples, :, od * sd + a * dd, h0:h0 + (hi - lo - 1) * sh + 1:sh,
                             e * dw:e * dw + (oW - 1) * sw + 1:sw]
                    dst = cols[:, a, b, e, :, lo - r0:hi - r0].transpose(1, 0, 2, 3)
                    if to_col:
                        dst[...] = src
                    else:
                        src += dst


def maxpool2x2(x, out, idx):
    """``_pool_kernels.maxpool2x2``: the kernel's tree of selects on whole planes."""
    oH, oW, W = out.shape[2], out.shape[3], x.shape[3]
    v = x[:, 0, :2 * oH, :2 * oW]
    a, b, c, d = v[:, 0::2, 0::2], v[:, 0::2, 1::2], v[:, 1::2, 0::2], v[:, 1::2, 1::2]
    t1 = (b > a) | (b != b)
    m1 = np.where(t1, b, a)
    t2 = (d > c) | (d != d)
    m2 = np.where(t2, d, c)
    t3 = (m2 > m1) | (m2 != m2)
    out[:, 0] = np.where(t3, m2, m1)
    base = 2 * W * np.arange(oH)[:, None] + 2 * np.arange(oW)
    idx[:, 0] = np.where(t3, base + W + t2, base + t1)


def scatter_add(gy, idx, gx):
    """``_pool_kernels.scatter_add``: gx zeroed, then ``np.add.at`` adds in the kernel's (plane, position) order."""
    # on flat indices: numpy's fast path for one index array took 1 ms where a (plane, position) pair took 14
    if not gx.flags.c_contiguous:
        raise Unsupported
    gx[...] = 0
    flat = (np.arange(gy.shape[0]) * gx.shape[1])[:, None] + idx
    np.add.at(gx.reshape(-1), flat.reshape(-1), gy.reshape(-1))


def _max_positions(rows):
    """Each row's position the max kernels pick: its last NaN, else its first maximum."""
    pos = np.argmax(rows, axis=1)
    nan = rows != rows
    if nan.any():
        last_nan = rows.shape[1] - 1 - np.argmax(nan[:, ::-1], axis=1)
        pos = np.where(nan.any(axis=1), last_nan, pos)
    return pos


def _shared_windows(ds, de, hs, he, ws, we):
    """``(od, oh, ow, d0, d1, h0, h1, w0, w1)`` of each window shared by all planes, in the kernels' order."""
    for od in range(ds.shape[1]):
        for oh in range(hs.shape[1]):
            for ow in range(ws.shape[1]):
                yield od, oh, ow, ds[0, od], de[0, od], hs[0, oh], he[0, oh], ws[0, ow], we[0, ow]


def window_max(x, out, idx, ds, de, hs, he, ws, we):
    """``_pool_kernels.window_max`` for windows shared by all planes (adaptive pools): the last NaN of a window
    wins, else its first maximum."""
    if ds.shape[0] > 1 or hs.shape[0] > 1 or ws.shape[0] > 1 or out[0].size > MAX_STAND_IN_WINDOWS:
        raise Unsupported
    P, H, W = x.shape[0], x.shape[2], x.shape[3]
    planes = np.arange(P)
    for od, oh, ow, d0, d1, h0, h1, w0, w1 in _shared_windows(ds, de, hs, he, ws, we):
        window = x[:, d0:d1, h0:h1, w0:w1].reshape(P, -1)
        pos = _max_positions(window)
        nh, nw = h1 - h0, w1 - w0
        out[:, od, oh, ow] = window[planes, pos]
        idx[:, od, oh, ow] = ((d0 + pos // (nh * nw)) * H + h0 + pos // nw % nh) * W + w0 + pos % nw


def plane_max(x, out, idx):
    """``_pool_kernels.plane_max``: each row's last NaN, else its first maximum."""
    pos = _max_positions(x)
    out[:] = x[np.arange(x.shape[0]), pos]
    idx[:] = pos


def row_shifts_transfer(xp, col, n0, nb, h0, nh, kw, oW, to_col):
    """``_im2col.row_shifts_transfer``: one strided copy (or add, in the kernel's shift order) per shift."""
    if not col.flags.c_contiguous:  # its reshaped views below would be copies
        raise Unsupported
    C = xp.shape[1]
    cols = col[:C * kw].reshape(C, kw, col.shape[1])[..., :nh * nb * oW].reshape(C, kw, nh, nb, oW)
    for e in range(kw):
        src = xp[n0:n0 + nb, :, 0, h0:h0 + nh, e:e + oW]
        dst = cols[:, e].transpose(2, 0, 1, 3)
        if to_col:
            dst[...] = src
        else:
            src += dst


def _sequential_sums(x, axis=1):
    """The float64 sums of ``x`` along ``axis``, each added in order from 0.0, as a kernel's ``acc += v`` loop
    (``cumsum`` is sequential; the ``+ 0.0`` turns an all-negative-zero sum's -0.0 into the loop's +0.0)."""
    return np.cumsum(x, axis=axis, dtype=np.float64)[(slice(None),) * axis + (-1,)] + 0.0


def bn_stats(x, eps, mean, invstd):
    """``_norm_kernels.bn_stats``: per channel of (N, C, S), the mean, then the summed squared deviations, each
    summed down the batch per position, then along the positions."""
    N, S = x.shape[0], x.shape[2]
    if x.size == 0:
        raise Unsupported
    m = _batch_then_positions(x) / (N * S)
    d = x - m[:, None]
    mean[:] = m
    invstd[:] = 1.0 / np.sqrt(_batch_then_positions(d * d) / (N * S) + eps)


def bn_apply(x, mean, invstd, w, b, y):
    """``_norm_kernels.bn_apply``: y = x * scale + shift per channel, in float64."""
    scale = invstd * (w if w.shape[0] else 1.0)
    shift = (b if b.shape[0] else 0.0) - mean * scale
    y[...] = x * scale[:, None] + shift[:, None]


def rownorm_forward(x, w, b, G, Cg, S, eps, y, mean, rstd):
    """``_norm_kernels.rownorm_forward``: each row's mean and deviation sums, then ((x - m) * rstd) * w + b."""
    R, L = x.shape
    if x.size == 0:
        raise Unsupported
    m = _sequential_sums(x) / L
    d = x - m[:, None]
    rs = 1.0 / np.sqrt(_sequential_sums(d * d) / L + eps)
    mean[:] = m
    rstd[:] = rs
    v = (d * rs[:, None]).reshape(R // G, G, Cg, S)
    if w.shape[0]:
        v = v * w.reshape(G, Cg, 1)
    if b.shape[0]:
        v = v + b.reshape(G, Cg, 1)
    y[...] = v.reshape(R, L)


def resample_axis(x, idx, wts, out):
    """``_resample_kernels.resample_axis``: each output starts at 0 and adds its taps in order."""
    out[...] = 0
    for t in range(idx.shape[1]):
        out += wts[:, t][None, :, None] * x[:, idx[:, t], :]


def resample_axis_backward(gy, idx, wts, gx):
    """``_resample_kernels.resample_axis_backward``: taps added one (output, tap) at a time, in the kernel's
    order, since several may land on one input."""
    for o in range(idx.shape[0]):
        for t in range(idx.shape[1]):
            gx[:, idx[o, t], :] += wts[o, t] * gy[:, o, :]


def _taps(n_out, stride, pad, offset, size):
    """Input positions of one kernel offset for every output position, clipped, and whether each is inside."""
    pos = np.arange(n_out) * stride - pad + offset
    return np.clip(pos, 0, size - 1), (pos >= 0) & (pos < size), pos


def maxpool(x, out, idx, kd, kh, kw, sd, sh, sw, pd, ph, pw, dd, dh, dw):
    """``_pool_kernels.maxpool``: the kernel's scan of each window, one kernel offset at a time over all
    windows: the first element inside the input, then a greater one or a NaN replaces the best."""
    if x.size == 0:
        raise Unsupported
    P, D, H, W = x.shape
    oD, oH, oW = out.shape[1:]
    best = np.broadcast_to(x[:, :1, :1, :1], out.shape).copy()
    besti = np.full(out.shape, -1, np.int64)
    for a in range(kd):
        ic, iv, i = _taps(oD, sd, pd, a * dd, D)
        for b in range(kh):
            jc, jv, j = _taps(oH, sh, ph, b * dh, H)
            for e in range(kw):
                kc, kv, k = _taps(oW, sw, pw, e * dw, W)
                v = x[:, ic[:, None, None], jc[None, :, None], kc[None, None, :]]
                inside = iv[:, None, None] & jv[None, :, None] & kv[None, None, :]
                take = inside & ((besti < 0) | (v > best) | (v != v))
                best = np.where(take, v, best)
                besti = np.where(take, (i[:, None, None] * H + j[None, :, None]) * W + k[None, None, :], besti)
    out[...] = best
    idx[...] = besti


def window_avg(x, out, gy, gx, backward, ds, de, hs, he, ws, we):
    """``_pool_kernels.window_avg`` for windows shared by all planes: forward, each window's float64 sum in
    order over its size; backward, windows in order add their gradient share."""
    windows = ds.shape[1] * hs.shape[1] * ws.shape[1]
    if ds.shape[0] > 1 or hs.shape[0] > 1 or ws.shape[0] > 1 or windows > MAX_STAND_IN_WINDOWS or x.size == 0:
        raise Unsupported
    P = x.shape[0]
    for od, oh, ow, d0, d1, h0, h1, w0, w1 in _shared_windows(ds, de, hs, he, ws, we):
        count = (d1 - d0) * (h1 - h0) * (w1 - w0)
        if backward:
            g = gy[:, od, oh, ow].astype(np.float64) / count
            gx[:, d0:d1, h0:h1, w0:w1] += g[:, None, None, None]
        else:
            out[:, od, oh, ow] = _sequential_sums(x[:, d0:d1, h0:h1, w0:w1].reshape(P, -1)) / count


def bn_grad_sums(gy, x, mean, invstd, sum_gy, sum_gy_xhat):
    """``_norm_kernels.bn_grad_sums``: per channel, the float64 sums of gy and of gy * (x - mean), each summed
    down the batch per position, then along the positions."""
    if x.size == 0:
        raise Unsupported
    sum_gy[:] = _batch_then_positions(gy)
    sum_gy_xhat[:] = _batch_then_positions(gy * (x - mean[:, None])) * invstd


def bn_grad_input(gy, x, mean, invstd, w, sum_gy, sum_gy_xhat, training, gx):
    """``_norm_kernels.bn_grad_input``: k * (gy - mean(gy) - (x - mean) * mean(gy * xhat) * invstd), or k * gy."""
    N, C, S = x.shape
    k = (invstd * (w if w.shape[0] else 1.0))[:, None]
    if training:
        mg = (sum_gy / (N * S))[:, None]
        mgx = (sum_gy_xhat / (N * S) * invstd)[:, None]
        gx[...] = k * (gy - mg - (x - mean[:, None]) * mgx)
    else:
        gx[...] = k * gy


def rownorm_backward(gy, x, mean, rstd, w, G, Cg, S, gx):
    """``_norm_kernels.rownorm_backward``: each row's sums of g = gy * w and of g * xhat, then
    rstd * (g - mean(g) - xhat * mean(g * xhat)), all in float64 in the kernel's order."""
    R, L = x.shape
    if x.size == 0:
        raise Unsupported
    g = gy.astype(np.float64)
    if w.shape[0]:
        g = (g.reshape(R // G, G, Cg, S) * w.reshape(G, Cg, 1).astype(np.float64)).reshape(R, L)
    m, rs = mean[:, None], rstd[:, None]
    d = x - m
    sg = _sequential_sums(g) / L
    sgx = _sequential_sums(g * d * rs) / L
    gx[...] = rs * (g - sg[:, None] - d * rs * sgx[:, None])


def _avg_dim(n_out, stride, pad, kernel, size):
    """Per output position along one dim: first and end input index inside, and the span counted with padding."""
    start = np.arange(n_out) * stride - pad
    end = np.minimum(start + kernel, size + pad)
    return np.maximum(start, 0), np.minimum(end, size), end - start


def avgpool(x, out, gy, gx, backward, kd, kh, kw, sd, sh, sw, pd, ph, pw, count_include_pad, divisor):
    """``_pool_kernels.avgpool``: forward sums each window in order (one kernel offset at a time over all
    windows; an offset outside adds +0.0, which changes no sum that starts at +0.0); backward lets the windows
    add their shares in order."""
    P, D, H, W = x.shape
    oD, oH, oW = (gy.shape if backward else out.shape)[1:]
    if x.size == 0 or (backward and oD * oH * oW > MAX_STAND_IN_WINDOWS):
        raise Unsupported
    (d0, d1, dspan), (h0, h1, hspan), (w0, w1, wspan) = (
        _avg_dim(o, s, p, k, n) for o, s, p, k, n in ((oD, sd, pd, kd, D), (oH, sh, ph, kh, H), (oW, sw, pw, kw, W)))
    if divisor > 0:
        div = np.full((oD, oH, oW), divisor)
    elif count_include_pad:
        div = dspan[:, None, None] * hspan[None, :, None] * wspan[None, None, :]
    else:
        div = (d1 - d0)[:, None, None] * (h1 - h0)[None, :, None] * (w1 - w0)[None, None, :]
    with np.errstate(divide="ignore", invalid="ignore"):  # an empty window divides by 0, as the kernel does
        if backward:
            g = gy.astype(np.float64) / div
            for od in range(oD):
                for oh in range(oH):
                    for ow in range(oW):
                        gx[:, d0[od]:d1[od], h0[oh]:h1[oh], w0[ow]:w1[ow]] += g[:, od, oh, ow, None, None, None]
            return
        acc = np.zeros(out.shape)
        for a in range(kd):
            ic, iv, _ = _taps(oD, sd, pd, a, D)
            for b in range(kh):
                jc, jv, _ = _taps(oH, sh, ph, b, H)
                for e in range(kw):
                    kc, kv, _ = _taps(oW, sw, pw, e, W)
                    inside = iv[:, None, None] & jv[None, :, None] & kv[None, None, :]
                    acc += np.where(inside, x[:, ic[:, None, None], jc[None, :, None], kc[None, None, :]], 0.0)
        out[...] = acc / div


def _batch_then_positions(x):
    """Per channel of (N, C, S), the float64 sum added down the batch per position from 0.0, then along the
    positions from 0.0, as the batch-norm kernels add."""
    return _sequential_sums(_sequential_sums(x, axis=0))
