"""Ops whose code outside the kernels once built host arrays (``np.asarray`` without ``like=``, ``np.zeros(shape)``)
give 'cuda' results, gradients and second-order gradients equal to the CPU (issue #11)."""
import numpy as np
import pytest

import numbatorch as torch
import numbatorch.nn.functional as F

from ._strict_device import strict_device_arrays
from .test_cuda_ops import _assert_same_on_cuda, _spd


@pytest.fixture(autouse=True)
def _host_arrays_raise_in_device_ops():
    with strict_device_arrays():
        yield


def _q(x, *values):
    return torch.tensor(values, dtype=x.dtype, device=x.device)


DIFFERENTIABLE = {
    "dot_vdot_trace": lambda x: torch.dot(x[0], x[1]) + torch.vdot(x[0], x[2]) + torch.trace(x) + x[0] @ x[1],
    "quantile": lambda x: torch.quantile(x, 0.3, dim=1) + torch.quantile(x, _q(x, 0.2, 0.7), dim=1).sum(0),
    "masked_fill_scatter_broadcast": lambda x: x[:1].masked_scatter(x.detach() > 0, x.flip(0))
    + x[:1].masked_fill(x.detach() > 0, 1.0),
    "lu_factor_and_lu": lambda x: (torch.linalg.lu_factor(x[:, :3])[0].sum() + torch.linalg.lu(x).U.sum()
                                   + torch.linalg.lu(x.t()).L.sum()),
    "lu_solve": lambda x: torch.linalg.lu_solve(*torch.linalg.lu_factor(x[:, :3] + 3 * torch.eye(
        3, dtype=x.dtype, device=x.device)), x[:, 1:]),
    "matrix_exp_einsum_diagonal": lambda x: torch.linalg.matrix_exp(0.3 * x[:, :3]) + torch.einsum("ii->i", x[:, :3]),
    "incomplete_gamma": lambda x: torch.igamma(x.detach().abs() + 0.5, x.abs()) + torch.igammac(_q(x, 1.5), x.abs()),
    "scatters": lambda x: (torch.diagonal_scatter(x, x[0, :3]) + torch.select_scatter(x, x[1], 0, 2)
                           + torch.slice_scatter(x, x[:1] * 2, 0, 1, 2) + (x * 1).fill_diagonal_(0.5)),
    "index_copy_fill": lambda x: (x.index_copy(1, _i(x, 3, 0, 2, 1), x.flip(1))
                                  + x.index_fill(0, _i(x, 1), _q(x, 2.0)[0])),
    "cumprod_with_zeros": lambda x: (x * (x.detach() > 0)).cumprod(1),
    "complex_and_window": lambda x: (torch.complex(x, x.flip(0)).abs()
                                     * torch.hann_window(4, dtype=x.dtype, device=x.device)),
    "margin_losses": lambda x: (F.multilabel_margin_loss(x, _i(x, 0, 1, -1, 0).expand(3, 4))
                                + F.multi_margin_loss(x, _i(x, 0, 3, 1))),
    "linalg_ex_and_triangular": lambda x: (torch.linalg.inv_ex(_spd(x))[0] + torch.linalg.cholesky_ex(_spd(x))[0]
                                           + torch.linalg.solve_triangular(_spd(x).triu(), x, upper=True)[:, :3]
                                           + torch.logdet(_spd(x)) + torch.block_diag(x[:2, :2], x[:1, :1])),
    "householder": lambda x: torch.linalg.householder_product(x.t(), x[0, :3]) + torch.ormqr(*torch.geqrf(
        x.detach().t()), x.t()),
    "segment_reduce": lambda x: (torch.segment_reduce(x, "sum", lengths=_i(x, 1, 2))
                                 + torch.segment_reduce(x, "mean", lengths=_i(x, 2, 1))
                                 + torch.segment_reduce(x, "max", lengths=_i(x, 0, 3), initial=0.0)),
}


def _i(x, *values):
    return torch.tensor(values, device=x.device)


def _ctc(x):
    """CTC loss (host recursions, results moved back) of ``x`` (5, 2, 4) against padded and concatenated targets."""
    targets = torch.tensor([[1, 2], [3, 0]], device=x.device)
    lp = x.log_softmax(2)
    return (F.ctc_loss(lp, targets, [5, 4], [2, 1])
            + F.ctc_loss(lp, targets[targets > 0], torch.tensor([5, 3], device=x.device), [2, 1], reduction="sum"))


def test_ctc_loss_on_the_device():
    _assert_same_on_cuda(_ctc, (5, 2, 4))
    _assert_same_on_cuda(lambda x: F.ctc_loss(x.log_softmax(1), torch.tensor([1, 1], device=x.device), [5], [2],
                                              reduction="none"), (5, 3))


@pytest.mark.parametrize("name", list(DIFFERENTIABLE))
def test_differentiable_ops_stay_on_the_device(name):
    _assert_same_on_cuda(DIFFERENTIABLE[name], (3, 4))


def _forward_only(x):
    """Integer, boolean and index results of the ops of ``x`` (3, 4) float64, as a tuple of Tensors."""
    i = (x * 4).floor().to(torch.int64)
    edges = x[0].sort()[0]
    return (*torch.unique(i, return_inverse=True, return_counts=True),
            *torch.unique_consecutive(i, return_inverse=True, return_counts=True),
            torch.searchsorted(edges, x), torch.bucketize(x, edges, right=True),
            torch.gcd(i, i + 3), torch.lcm(i.abs() + 1, 4), i << 1, 1 << i.abs(), torch.isin(i, 0), torch.isin(2, i),
            torch.div(x, x.flip(0), rounding_mode="trunc"), torch.div(i, 3, rounding_mode="trunc"),
            torch.floor_divide(i, 2), torch.median(x[:0]), torch.combinations(x[0]), torch.gradient(x)[0],
            torch.gradient(x, spacing=(_q(x, 0.0, 1.0, 3.0),), dim=0)[0], torch.repeat_interleave(i.abs()[0]),
            torch.isnan(i), torch.isinf(i), torch.isreal(x), torch.signbit(i), torch.kaiser_window(5, device=x.device),
            torch.linalg.inv_ex(_spd(x))[1], torch.linalg.cholesky_ex(_spd(x))[1], torch.linalg.solve_ex(_spd(x), x)[1],
            *torch.linalg.ldl_factor(_spd(x)), torch.linalg.ldl_solve(*torch.linalg.ldl_factor(_spd(x)), x))


def test_integer_and_index_results_stay_on_the_device():
    x = torch.randn(3, 4, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    for want, got in zip(_forward_only(x), _forward_only(x.cuda())):
        assert got.device == torch.device("cuda", 0) and got.dtype == want.dtype
        np.testing.assert_array_equal(got.cpu().numpy(), want.numpy())


def _write_through_view(x):
    z = x * 1
    z[0] = x[1] ** 2
    z[:, 1:3] = 2 * x[:, :2]
    return z


class _TwoOutputs(torch.autograd.Function):
    """Two outputs; a loss using one leaves the other's incoming gradient None (zeros made by the engine)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x, x * 3

    @staticmethod
    def backward(ctx, g_square, g_triple):
        (x,) = ctx.saved_tensors
        return g_square * 2 * x + g_triple * 3


SECOND_ORDER = {  # backward_graph paths: constants, constant slopes, zero edges, writes through views, Function
    "copysign_abs": lambda x: torch.copysign(x, x.flip(0)) * x,
    "clamp_by_tensor": lambda x: torch.clamp(x, _q(x, -0.1)) * x,
    "igamma": lambda x: torch.igamma(x.detach().abs() + 0.5, x.abs()),
    "einsum_diagonal": lambda x: torch.einsum("ii->i", x[:, :3]) ** 3,
    "matrix_exp": lambda x: torch.linalg.matrix_exp(0.3 * x[:, :3]),
    "eigh_svd_eig": lambda x: (torch.linalg.eigh(_spd(x))[1] ** 4 + torch.linalg.svd(x, full_matrices=False)[0] ** 4
                               + torch.linalg.eig(_spd(x))[1].real ** 4),
    "irfft": lambda x: torch.fft.irfft(x) ** 2,
    "unfold": lambda x: x.unfold(1, 2, 1) ** 2,
    "write_through_views": _write_through_view,
    "function_one_output_used": lambda x: _TwoOutputs.apply(x)[0],
}


@pytest.mark.parametrize("name", list(SECOND_ORDER))
def test_second_order_gradients_stay_on_the_device(name):
    host = torch.randn(3, 4, dtype=torch.float64, generator=torch.Generator().manual_seed(1)).requires_grad_()
    dev = host.detach().cuda().requires_grad_()
    second = []
    for x in (host, dev):
        (g,) = torch.autograd.grad(SECOND_ORDER[name](x).sum(), x, create_graph=True)
        (gg,) = torch.autograd.grad((g * g).sum(), x)
        second.append((g, gg))
    for want, got in zip(*second):
        assert got.device == torch.device("cuda", 0)
        np.testing.assert_allclose(got.detach().cpu().numpy(), want.detach().numpy(), atol=1e-10, rtol=1e-7)


def test_clip_grad_norm_on_the_device():
    norms, grads = [], []
    for device in ("cpu", "cuda"):
        w = torch.randn(3, 4, dtype=torch.float64, generator=torch.Generator().manual_seed(2), device=device)
        w.requires_grad_()
        (w * w * 3).sum().backward()
        norms.append(torch.nn.utils.clip_grad_norm_([w], 1.0))
        grads.append(w.grad)
    assert norms[1].device == grads[1].device == torch.device("cuda", 0)
    np.testing.assert_allclose(norms[1].cpu().numpy(), norms[0].numpy(), rtol=1e-12)
    np.testing.assert_allclose(grads[1].cpu().numpy(), grads[0].numpy(), rtol=1e-12)


def test_gather_and_scatter_operands_on_two_devices_raise_like_torch():
    message = r"^Expected all tensors to be on the same device, but found at least two devices, {} and {}!$"
    host, index = torch.zeros(3, 4, dtype=torch.float64), torch.tensor([[0, 1, 2, 0]])
    with pytest.raises(RuntimeError, match=message.format("cpu", "cuda:0")):  # once a silently CPU result
        host.scatter_add(0, index.cuda(), host[:1].cuda())
    with pytest.raises(RuntimeError, match=message.format("cuda:0", "cpu")):
        host.cuda().gather(0, index)
    with pytest.raises(RuntimeError, match=message.format("cuda:0", "cpu")):
        host.cuda().scatter_reduce(0, index.cuda(), host[:1], "amax")
