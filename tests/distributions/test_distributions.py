"""Normal, Uniform, Bernoulli, Categorical, Independent and kl_divergence against torch.distributions."""
import numpy as np
import pytest

import numbatorch as nt
import numbatorch.distributions as D

torch = pytest.importorskip("torch")
TD = torch.distributions

RNG = np.random.default_rng(0)
LOC, SCALE = RNG.standard_normal((2, 3)), RNG.uniform(0.5, 2.0, (2, 3))
LOW, HIGH = RNG.uniform(-2, 0, (3,)), RNG.uniform(0.5, 2, (3,))
PROBS = RNG.uniform(0.05, 0.95, (2, 3))
LOGITS = RNG.standard_normal((2, 4))
CHOL = np.tril(RNG.standard_normal((2, 3, 3)), -1) + np.eye(3) * RNG.uniform(0.5, 1.5, (2, 1, 3))

CASES = [
    ("Normal", lambda m, a, b: m.Normal(a, b), (LOC, SCALE), RNG.standard_normal((5, 2, 3))),
    ("Uniform", lambda m, a, b: m.Uniform(a, b), (LOW, HIGH), RNG.uniform(0.0, 0.5, (4, 3))),
    ("Bernoulli_probs", lambda m, p: m.Bernoulli(probs=p), (PROBS,), RNG.integers(0, 2, (2, 3)).astype(float)),
    ("Bernoulli_logits", lambda m, p: m.Bernoulli(logits=p), (LOC,), RNG.integers(0, 2, (2, 3)).astype(float)),
    ("Categorical_logits", lambda m, p: m.Categorical(logits=p), (LOGITS,), np.array([[0, 3], [2, 1], [1, 1]])),
    ("Categorical_probs", lambda m, p: m.Categorical(probs=p), (np.exp(LOGITS),), np.array([3, 0])),
    ("Independent", lambda m, a, b: m.Independent(m.Normal(a, b), 1), (LOC, SCALE), RNG.standard_normal((4, 2, 3))),
    ("Exponential", lambda m, r: m.Exponential(r), (SCALE,), RNG.uniform(0, 3, (2, 3))),
    ("Laplace", lambda m, a, b: m.Laplace(a, b), (LOC, SCALE), RNG.standard_normal((3, 2, 3))),
    ("Poisson", lambda m, r: m.Poisson(r), (SCALE * 3,), RNG.integers(0, 6, (2, 3)).astype(float)),
    ("MultivariateNormal", lambda m, a, b: m.MultivariateNormal(a, scale_tril=b), (LOC, CHOL),
     RNG.standard_normal((4, 2, 3))),
    ("MultivariateNormal_cov", lambda m, a, b: m.MultivariateNormal(a, covariance_matrix=b @ b.mT), (LOC, CHOL),
     RNG.standard_normal((2, 3))),
]


def _build(lib, module, make, params, grad=True):
    tensors = [lib.tensor(p, requires_grad=grad) for p in params]
    return make(module, *tensors), tensors


def _close(a, b, rtol=1e-10):
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=rtol, atol=1e-12)


@pytest.mark.parametrize("name,make,params,value", CASES, ids=[c[0] for c in CASES])
def test_log_prob_entropy_moments_and_gradients(name, make, params, value):
    ours, o_params = _build(nt, D, make, params)
    theirs, t_params = _build(torch, TD, make, params)
    assert tuple(ours.batch_shape) == tuple(theirs.batch_shape)
    assert tuple(ours.event_shape) == tuple(theirs.event_shape)
    value_dtype = np.int64 if "Categorical" in name else np.float64
    lp_o = ours.log_prob(nt.tensor(value.astype(value_dtype)))
    lp_t = theirs.log_prob(torch.tensor(value.astype(value_dtype)))
    _close(lp_o, lp_t)
    if name == "Poisson":  # no closed-form entropy: PyTorch and numbatorch both raise
        with pytest.raises(NotImplementedError):
            ours.entropy()
        lp_o.sum().backward()
        lp_t.sum().backward()
        _close(o_params[0].grad, t_params[0].grad, rtol=1e-9)
        return
    _close(ours.entropy(), theirs.entropy())
    if "Categorical" not in name:
        _close(ours.mean, theirs.mean)
        _close(ours.variance, theirs.variance)
        _close(ours.stddev, theirs.stddev)
    (lp_o.sum() + ours.entropy().sum()).backward()
    (lp_t.sum() + theirs.entropy().sum()).backward()
    for o, t in zip(o_params, t_params):
        _close(o.grad, t.grad, rtol=1e-9)
    sample = ours.sample((7,))
    assert tuple(sample.shape) == tuple(theirs.sample((7,)).shape) and not sample.requires_grad


def test_rsample_is_reparameterized_and_distributed_right():
    loc = nt.tensor([1.0, -2.0], requires_grad=True)
    scale = nt.tensor([0.5, 2.0], requires_grad=True)
    nt.manual_seed(0)
    draws = D.Normal(loc, scale).rsample((20000,))
    np.testing.assert_allclose(draws.detach().numpy().mean(0), [1.0, -2.0], atol=0.05)
    np.testing.assert_allclose(draws.detach().numpy().std(0), [0.5, 2.0], rtol=0.03)
    draws.sum().backward()
    np.testing.assert_allclose(loc.grad.numpy(), [20000.0, 20000.0])
    u = D.Uniform(nt.tensor(-1.0), nt.tensor(3.0)).sample((5000,)).numpy()
    assert u.min() >= -1 and u.max() < 3 and abs(u.mean() - 1) < 0.1
    counts = np.bincount(D.Categorical(probs=nt.tensor([0.1, 0.6, 0.3])).sample((6000,)).numpy(), minlength=3)
    np.testing.assert_allclose(counts / 6000, [0.1, 0.6, 0.3], atol=0.03)
    b = D.Bernoulli(probs=nt.tensor([0.2, 0.8])).sample((4000,)).numpy()
    np.testing.assert_allclose(b.mean(0), [0.2, 0.8], atol=0.03)
    e = D.Exponential(nt.tensor([0.5, 4.0])).rsample((20000,)).numpy()
    np.testing.assert_allclose(e.mean(0), [2.0, 0.25], rtol=0.05)
    lap = D.Laplace(nt.tensor(1.0), nt.tensor(2.0)).sample((20000,)).numpy()
    assert abs(np.median(lap) - 1) < 0.1 and abs(lap.var() - 8) < 0.6
    p = D.Poisson(nt.tensor([3.0])).sample((5000,)).numpy()
    assert abs(p.mean() - 3) < 0.15 and np.all(p == np.round(p))
    cov = CHOL[0] @ CHOL[0].T
    mvn = D.MultivariateNormal(nt.zeros(3, dtype=nt.float64), covariance_matrix=nt.tensor(cov)).sample((20000,))
    np.testing.assert_allclose(np.cov(mvn.numpy().T), cov, atol=0.1)


@pytest.mark.parametrize("pair", ["Normal", "Bernoulli", "Categorical", "Uniform", "Independent"])
def test_kl_divergence_matches_torch(pair):
    builders = {
        "Normal": lambda m, lib: (m.Normal(lib.tensor(LOC), lib.tensor(SCALE)),
                                  m.Normal(lib.tensor(LOC[::-1].copy()), lib.tensor(SCALE[::-1].copy()))),
        "Bernoulli": lambda m, lib: (m.Bernoulli(probs=lib.tensor(PROBS)), m.Bernoulli(logits=lib.tensor(LOC))),
        "Categorical": lambda m, lib: (m.Categorical(logits=lib.tensor(LOGITS)),
                                       m.Categorical(probs=lib.tensor(np.exp(LOGITS[::-1].copy())))),
        "Uniform": lambda m, lib: (m.Uniform(lib.tensor(LOW), lib.tensor(HIGH)),
                                   m.Uniform(lib.tensor(LOW - [0.5, -0.1, 0.2]), lib.tensor(HIGH + 1))),
        "Independent": lambda m, lib: tuple(m.Independent(d, 1) for d in builders["Normal"](m, lib)),
    }
    _close(D.kl_divergence(*builders[pair](D, nt)), TD.kl_divergence(*builders[pair](TD, torch)))
    with pytest.raises(NotImplementedError):
        D.kl_divergence(D.Normal(0.0, 1.0), D.Bernoulli(probs=nt.tensor(0.5)))


def test_argument_validation_and_repr():
    assert repr(D.Normal(nt.zeros(2), nt.ones(2))) == repr(TD.Normal(torch.zeros(2), torch.ones(2))).replace(
        "torch.", "numbatorch.")
    assert repr(D.Normal(0.0, 1.0)) == repr(TD.Normal(0.0, 1.0))
    for make in (lambda m, lib: m.Normal(lib.zeros(2), -lib.ones(2)), lambda m, lib: m.Bernoulli(probs=lib.ones(2) * 2),
                 lambda m, lib: m.Bernoulli(probs=lib.ones(1), logits=lib.ones(1))):
        with pytest.raises(ValueError):
            make(TD, torch)
        with pytest.raises(ValueError):
            make(D, nt)
    with pytest.raises(ValueError):
        D.Bernoulli(probs=nt.tensor([0.5])).log_prob(nt.tensor([2.0]))
    with pytest.raises(ValueError):
        D.Categorical(logits=nt.zeros(3)).log_prob(nt.tensor(3))
    with pytest.raises(ValueError):
        D.Uniform(0.0, 1.0).log_prob(nt.tensor(1.5))
    assert D.Uniform(0.0, 1.0, validate_args=False).log_prob(nt.tensor(1.5)).item() == -np.inf
