"""AdaptiveLogSoftmaxWithLoss against PyTorch with copied weights: output, loss, gradients, log_prob, predict."""
import numpy as np
import pytest

import numbatorch as nt

torch = pytest.importorskip("torch")


def _pair(in_features=8, n_classes=20, cutoffs=(4, 10), **kwargs):
    theirs = torch.nn.AdaptiveLogSoftmaxWithLoss(in_features, n_classes, list(cutoffs), **kwargs).double()
    ours = nt.nn.AdaptiveLogSoftmaxWithLoss(in_features, n_classes, list(cutoffs), **kwargs)
    ours.load_state_dict({k: nt.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()})
    assert list(ours.state_dict()) == list(theirs.state_dict())
    return ours.double(), theirs


@pytest.mark.parametrize("head_bias", [False, True])
def test_forward_backward_log_prob_predict(head_bias):
    ours, theirs = _pair(head_bias=head_bias, div_value=2.0)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((6, 8)) * 3
    target = np.array([0, 5, 19, 3, 12, 9])
    xo, xt = nt.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out_o, out_t = ours(xo, nt.tensor(target)), theirs(xt, torch.tensor(target))
    np.testing.assert_allclose(out_o.output.detach().numpy(), out_t.output.detach().numpy(), rtol=1e-10)
    np.testing.assert_allclose(out_o.loss.item(), out_t.loss.item(), rtol=1e-10)
    out_o.loss.backward()
    out_t.loss.backward()
    np.testing.assert_allclose(xo.grad.numpy(), xt.grad.numpy(), rtol=1e-9)
    for (name, p), q in zip(ours.named_parameters(), theirs.parameters()):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-9, err_msg=name)
    np.testing.assert_allclose(ours.log_prob(nt.tensor(x)).detach().numpy(),
                               theirs.log_prob(torch.tensor(x)).detach().numpy(), rtol=1e-10)
    assert ours.predict(nt.tensor(x)).tolist() == theirs.predict(torch.tensor(x)).tolist()
    single = ours(nt.tensor(x[0]), nt.tensor(target[0]))
    assert single.output.dim() == 0


@pytest.mark.filterwarnings("ignore:Initializing zero-element tensors")
def test_cluster_with_zero_width_projection_trains_like_torch():
    # 4 // 4**2 == 0: the second tail cluster projects to 0 features, a zero-width Linear in backward
    ours, theirs = _pair(in_features=4, n_classes=6, cutoffs=(2, 4))
    x = np.random.default_rng(1).standard_normal((5, 4))
    target = np.array([0, 1, 2, 3, 5])
    xo, xt = nt.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out_o, out_t = ours(xo, nt.tensor(target)), theirs(xt, torch.tensor(target))
    np.testing.assert_allclose(out_o.loss.item(), out_t.loss.item(), rtol=1e-10)
    out_o.loss.backward()
    out_t.loss.backward()
    np.testing.assert_allclose(xo.grad.numpy(), xt.grad.numpy(), rtol=1e-9)
    for (name, p), q in zip(ours.named_parameters(), theirs.parameters()):
        assert p.grad.shape == tuple(q.grad.shape), name
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-9, err_msg=name)


def test_errors_match_torch():
    for lib in (torch, nt):
        with pytest.raises(ValueError, match="cutoffs"):
            lib.nn.AdaptiveLogSoftmaxWithLoss(8, 20, [10, 4])
        m = lib.nn.AdaptiveLogSoftmaxWithLoss(8, 20, [4])
        with pytest.raises(RuntimeError, match="Target values should be in"):
            m(lib.zeros(2, 8), lib.tensor([1, 25]))
        with pytest.raises(RuntimeError, match="same size in the batch dimension"):
            m(lib.zeros(3, 8), lib.tensor([1, 2]))

