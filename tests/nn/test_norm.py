"""BatchNorm/InstanceNorm/GroupNorm/LocalResponseNorm and their functional forms, compared with PyTorch."""
import numpy as np
import pytest

import numbatorch
from numbatorch.autograd import gradcheck
from numbatorch.nn.functional import batchnorm as FB
from numbatorch.nn.functional import normalization as FG
from numbatorch.nn.modules import batchnorm as B
from numbatorch.nn.modules import normalization as G
from numbatorch.nn.modules import instancenorm as I
from ._compare import check_module, make_pair, rand

torch = pytest.importorskip("torch")


def _randomize_affine(nb):
    """Non-trivial weight/bias so their gradients and effect are tested."""
    rng = np.random.default_rng(11)
    for p in nb.parameters():
        p.data = numbatorch.tensor(rng.standard_normal(tuple(p.shape)))


BN_CASES = [
    ("BatchNorm1d", (3,), {}, (4, 3)),
    ("BatchNorm1d", (3,), dict(momentum=None), (2, 3, 5)),
    ("BatchNorm2d", (4,), dict(momentum=0.3, eps=1e-3), (2, 4, 5, 3)),
    ("BatchNorm2d", (4,), dict(affine=False), (1, 4, 3, 3)),
    ("BatchNorm2d", (4,), dict(track_running_stats=False), (3, 4, 2, 3)),
    ("BatchNorm2d", (4,), dict(bias=False), (2, 4, 3, 3)),
    ("BatchNorm3d", (2,), {}, (2, 2, 3, 2, 3)),
    ("InstanceNorm1d", (3,), dict(affine=True), (2, 3, 7)),
    ("InstanceNorm1d", (3,), dict(track_running_stats=True), (3, 6)),            # unbatched
    ("InstanceNorm2d", (4,), dict(affine=True, track_running_stats=True, momentum=0.2), (2, 4, 5, 4)),
    ("InstanceNorm3d", (2,), {}, (1, 2, 3, 3, 2)),
    ("GroupNorm", (2, 4), {}, (3, 4, 5)),
    ("GroupNorm", (3, 6), dict(affine=False), (2, 6, 3, 2)),
    ("GroupNorm", (1, 4), dict(bias=False), (2, 4, 2, 2, 2)),
    ("LocalResponseNorm", (3,), {}, (2, 5, 4)),
    ("LocalResponseNorm", (2,), dict(alpha=0.1, beta=0.5, k=2.0), (2, 4, 3, 3, 2)),
]


def _modules_for(name):
    return B if name.startswith("Batch") else I if name.startswith("Instance") else G


@pytest.mark.parametrize("name,args,kwargs,shape", BN_CASES)
def test_norm_train_steps_then_eval_match_torch(name, args, kwargs, shape):
    nb, th = make_pair(_modules_for(name), name, *args, **kwargs)
    _randomize_affine(nb)
    for step in range(3):          # running statistics accumulate over several batches
        check_module(nb, th, rand(*shape, seed=step) * (step + 1) + step, seed=step)
    nb.eval()
    th.eval()
    check_module(nb, th, rand(*shape, seed=7), seed=7)


def test_num_batches_tracked_and_cumulative_average():
    bn = B.BatchNorm1d(2, momentum=None, dtype=numbatorch.float64)   # float64 batches need float64 parameters
    batches = [rand(5, 2, seed=s) + s for s in range(3)]
    for x in batches:
        bn(numbatorch.tensor(x))
    assert bn.num_batches_tracked.item() == 3 and bn.num_batches_tracked.dtype == numbatorch.int64
    # cumulative average of per-batch means and unbiased variances
    np.testing.assert_allclose(bn.running_mean.numpy(), np.mean([x.mean(0) for x in batches], 0), rtol=1e-5)
    np.testing.assert_allclose(bn.running_var.numpy(), np.mean([x.var(0, ddof=1) for x in batches], 0), rtol=1e-5)


def test_state_dict_keys_and_old_checkpoint_without_num_batches_tracked():
    bn = B.BatchNorm2d(3)
    assert list(bn.state_dict()) == list(torch.nn.BatchNorm2d(3).state_dict())
    state = {k: v for k, v in bn.state_dict().items() if k != "num_batches_tracked"}
    state = type(bn.state_dict())(state)
    state._metadata = {"": {"version": 1}}
    bn.load_state_dict(state)
    assert B.BatchNorm2d(3, track_running_stats=False).state_dict().keys() == {"weight", "bias"}


@pytest.mark.parametrize("fn,shape,kwargs", [
    ("batch_norm", (3, 2, 4), dict(training=True)),
    ("batch_norm", (3, 2, 4), dict(training=False)),
    ("instance_norm", (2, 2, 5), {}),
    ("group_norm", (2, 4, 3), dict(num_groups=2)),
])
def test_functional_gradcheck(fn, shape, kwargs):
    rng = np.random.default_rng(4)
    x = numbatorch.tensor(rng.standard_normal(shape), requires_grad=True)
    C = shape[1]
    w = numbatorch.tensor(rng.standard_normal(C), requires_grad=True)
    b = numbatorch.tensor(rng.standard_normal(C), requires_grad=True)
    if fn == "batch_norm":
        rm, rv = numbatorch.tensor(rng.standard_normal(C)), numbatorch.tensor(rng.random(C) + 0.5)

        def f(x, w, b):
            # fresh copies: the training update must not change what the next evaluation sees
            return FB.batch_norm(x, rm.clone(), rv.clone(), w, b, **kwargs)
    elif fn == "instance_norm":
        def f(x, w, b):
            return FB.instance_norm(x, weight=w, bias=b)
    else:
        def f(x, w, b):
            return FG.group_norm(x, kwargs["num_groups"], w, b)
    assert gradcheck(f, (x, w, b))


def test_batch_norm_bias_without_weight_and_local_response_norm_gradcheck():
    rng = np.random.default_rng(5)
    x = numbatorch.tensor(rng.standard_normal((3, 2, 2)), requires_grad=True)
    b = numbatorch.tensor(rng.standard_normal(2), requires_grad=True)
    assert gradcheck(lambda x, b: FB.batch_norm(x, None, None, None, b, training=True), (x, b))
    assert gradcheck(lambda x: FG.local_response_norm(x, 3, alpha=0.5), (x,))


def test_seed_batchnorm_example_matches_torch():
    t = numbatorch.arange(0, 32 * 16 * 128 * 128).view(32, 16, 128, 128).float()
    bn = B.BatchNorm2d(num_features=16, affine=False)
    out = bn(t)
    th = torch.nn.BatchNorm2d(num_features=16, affine=False)
    out_t = th(torch.arange(0, 32 * 16 * 128 * 128).view(32, 16, 128, 128).float())
    assert abs(out[:, 0, :, :].mean().item() - out_t[:, 0, :, :].mean().item()) < 1e-5
    assert abs(out[:, 0, :, :].std().item() - out_t[:, 0, :, :].std().item()) < 1e-5
    np.testing.assert_allclose(bn.running_mean.numpy(), th.running_mean.numpy(), rtol=1e-5)
    np.testing.assert_allclose(bn.running_var.numpy(), th.running_var.numpy(), rtol=1e-5)


@pytest.mark.parametrize("name,args,kwargs", [
    ("BatchNorm2d", (3,), {}), ("BatchNorm1d", (3,), dict(momentum=None, affine=False)),
    ("BatchNorm3d", (2,), dict(eps=1e-3, track_running_stats=False, bias=False)),
    ("InstanceNorm2d", (3,), {}), ("InstanceNorm1d", (3,), dict(affine=True, track_running_stats=True)),
    ("GroupNorm", (2, 4), {}), ("GroupNorm", (2, 4), dict(affine=False)), ("LocalResponseNorm", (2,), {}),
])
def test_repr_matches_torch(name, args, kwargs):
    assert repr(getattr(_modules_for(name), name)(*args, **kwargs)) == repr(getattr(torch.nn, name)(*args, **kwargs))


def _both_raise(nb_call, th_call):
    with pytest.raises(Exception) as e_th:
        th_call()
    with pytest.raises(type(e_th.value)) as e_nb:
        nb_call()
    return str(e_nb.value), str(e_th.value)


@pytest.mark.parametrize("name,args,shape", [
    ("BatchNorm2d", (3,), (2, 3, 4)),                 # wrong rank
    ("BatchNorm1d", (3,), (1, 3)),                    # one value per channel in training
    ("BatchNorm1d", (3,), (4, 5)),                    # wrong channel count
    ("InstanceNorm2d", (3,), (2, 3, 1, 1)),           # one spatial element
    ("InstanceNorm1d", (3,), (2, 3, 4, 5)),
    ("GroupNorm", (2, 4), (2, 6, 3)),
    ("LayerNorm", (4,), (2, 3)),                      # trailing dims differ from normalized_shape
    ("LocalResponseNorm", (2,), (2, 3)),
])
def test_forward_errors_match_torch(name, args, shape):
    nb = getattr(_modules_for(name), name)(*args)
    th = getattr(torch.nn, name)(*args)
    x = np.zeros(shape, np.float32)
    nb_msg, th_msg = _both_raise(lambda: nb(numbatorch.tensor(x)), lambda: th(torch.tensor(x)))
    assert nb_msg == th_msg


def test_constructor_and_affine_instance_norm_errors():
    nb_msg, th_msg = _both_raise(lambda: G.GroupNorm(3, 4), lambda: torch.nn.GroupNorm(3, 4))
    assert nb_msg == th_msg
    x = np.zeros((2, 5, 4), np.float32)
    nb_msg, th_msg = _both_raise(lambda: I.InstanceNorm1d(3, affine=True)(numbatorch.tensor(x)),
                                 lambda: torch.nn.InstanceNorm1d(3, affine=True)(torch.tensor(x)))
    assert nb_msg == th_msg
