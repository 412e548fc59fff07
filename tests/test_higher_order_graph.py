"""``create_graph=True`` against PyTorch: the graph a backward builds and keeps, what it skips, the errors of
nodes without double backward and of inputs modified in place, a WGAN-GP gradient penalty trained."""
import numpy as np
import pytest

import numbatorch as nt

torch = pytest.importorskip("torch")


def _arrays(shapes, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s) for s in shapes]


@pytest.mark.filterwarnings("ignore:Using backward\\(\\) with create_graph=True")  # PyTorch's reference-cycle note
def test_backward_create_graph_accumulates_a_differentiable_grad():
    a = _arrays([(4,)])[0]
    grads = []
    for lib in (nt, torch):
        x = lib.tensor(a, requires_grad=True)
        (x ** 3).sum().backward(create_graph=True)
        first = x.grad
        assert first.requires_grad and first.grad_fn is not None
        (x.sin() * x).sum().backward(create_graph=True)  # accumulates out of place, keeping the graph
        g = x.grad
        x.grad = None
        g.sum().backward()
        grads.append((first.detach().numpy(), g.detach().numpy(), x.grad.numpy()))
    for a_, b_ in zip(*grads):
        np.testing.assert_allclose(a_, b_, rtol=1e-12)


def test_create_graph_retains_the_graph_by_default():
    x = nt.tensor([1.0, 2.0], requires_grad=True)
    y = (x ** 3).sum()
    nt.autograd.grad(y, x, create_graph=True)
    g, = nt.autograd.grad(y, x)  # a second backward through the same graph
    np.testing.assert_allclose(g.numpy(), 3 * x.detach().numpy() ** 2)


def test_node_without_differentiable_backward_raises(monkeypatch):
    from numbatorch._ops.cumulative import CumprodBackward0
    monkeypatch.delattr(CumprodBackward0, "backward_graph")
    x = nt.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x.cumprod(0).sum()
    name = y.grad_fn.next_functions[0][0].name()
    with pytest.raises(NotImplementedError, match=f"create_graph=True is not supported yet for {name}"):
        nt.autograd.grad(y, x, create_graph=True)
    # Without create_graph the same graph still backpropagates.
    g, = nt.autograd.grad(x.cumprod(0).sum(), x)
    xt = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    gt, = torch.autograd.grad(xt.cumprod(0).sum(), xt)
    np.testing.assert_allclose(g.numpy(), gt.numpy())


def test_input_modified_in_place_after_use_raises():
    """exp's array backward reads its output; its differentiable backward recomputes it from the input, which
    must still hold the value forward saw."""
    x = nt.tensor([0.5, 1.0], requires_grad=True)
    z = x * 1
    y = z.exp()
    z.add_(1.0)
    with pytest.raises(NotImplementedError, match="modified in place after the op used it"):
        nt.autograd.grad(y.sum(), x, create_graph=True)
    g, = nt.autograd.grad(y.sum(), x)  # the array backward is still right
    np.testing.assert_allclose(g.numpy(), np.exp([0.5, 1.0]))


def test_inplace_through_view_overwritten_input_raises():
    x = nt.tensor([[0.5, 1.0], [2.0, 3.0]], requires_grad=True)
    b = nt.tensor([1.5], requires_grad=True)
    c = x * 1
    c[1].mul_(b)  # mul's first operand, the view, now holds the product
    with pytest.raises(NotImplementedError, match="in-place form of MulBackward0"):
        nt.autograd.grad(c.sum(), b, create_graph=True)


def test_inplace_overwritten_input_raises():
    x = nt.tensor([0.5, 1.0], requires_grad=True)
    y = x * 1
    y.exp_()
    with pytest.raises(NotImplementedError, match="in-place form of ExpBackward0"):
        nt.autograd.grad(y.sum(), x, create_graph=True)


def test_create_graph_skips_history_not_leading_to_inputs(monkeypatch):
    """The history of a non-leaf input is not differentiated again, even where it has no double backward."""
    from numbatorch._ops.cumulative import CumprodBackward0
    monkeypatch.delattr(CumprodBackward0, "backward_graph")
    for lib in (nt, torch):
        z = lib.tensor([0.5, 1.0, 2.0], requires_grad=True)
        x = z.cumprod(0)  # no differentiable backward here, but only upstream of x
        y = (x ** 3).sum()
        g, = lib.autograd.grad(y, x, create_graph=True)
        h, = lib.autograd.grad(g.sum(), z)
        if lib is nt:
            got = (g.detach().numpy(), h.numpy())
        else:
            np.testing.assert_allclose(got[0], g.detach().numpy())
            np.testing.assert_allclose(got[1], h.numpy())


class _Critic:
    """An MLP critic (Linear + LeakyReLU) built the same way in either library."""

    def __init__(self, lib, weights):
        nn = lib.nn
        self.net = nn.Sequential(nn.Linear(3, 8), nn.LeakyReLU(0.2), nn.Linear(8, 8), nn.LeakyReLU(0.2),
                                 nn.Linear(8, 1)).double()
        with lib.no_grad():
            for p, w in zip(self.net.parameters(), weights):
                p.copy_(lib.tensor(w))


def _gradient_penalty(lib, critic, real, fake, alpha):
    x = (alpha * real + (1 - alpha) * fake).requires_grad_(True)
    out = critic(x)
    g, = lib.autograd.grad(out, x, lib.ones_like(out), create_graph=True)
    return ((g.view(g.shape[0], -1).norm(2, dim=1) - 1) ** 2).mean()


def test_wgan_gp_gradient_penalty_training_matches_torch():
    rng = np.random.default_rng(4)
    shapes = [(8, 3), (8,), (8, 8), (8,), (1, 8), (1,)]
    weights = [rng.standard_normal(s) * 0.5 for s in shapes]
    batches = [(rng.standard_normal((6, 3)) + 1, rng.standard_normal((6, 3)), rng.uniform(size=(6, 1)))
               for _ in range(6)]
    trained = []
    for lib in (nt, torch):
        critic = _Critic(lib, weights).net
        opt = lib.optim.Adam(critic.parameters(), lr=1e-2, betas=(0.0, 0.9))
        losses = []
        for step, (real, fake, alpha) in enumerate(batches):
            real, fake, alpha = lib.tensor(real), lib.tensor(fake), lib.tensor(alpha)
            opt.zero_grad()
            loss = 10 * _gradient_penalty(lib, critic, real, fake, alpha)
            if step % 3 != 2:  # every third step the penalty alone (lazy regularization): no grad for the last bias
                loss = loss + critic(fake).mean() - critic(real).mean()
            loss.backward()
            opt.step()
            losses.append(loss.item())
        trained.append((losses, [p.detach().numpy().copy() for p in critic.parameters()]))
    (l1, p1), (l2, p2) = trained
    np.testing.assert_allclose(l1, l2, rtol=1e-9)
    for a, b in zip(p1, p2):
        np.testing.assert_allclose(a, b, rtol=1e-8, atol=1e-10)
