"""The torch.* forms of layer functions take PyTorch's torch.* argument order and give nn.functional's results."""
import warnings

import numpy as np
import pytest

import numbatorch as nt

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(0)
ARRAYS = {"x": RNG.standard_normal((2, 3, 6)), "img": RNG.standard_normal((1, 4, 4, 4)), "w3": np.ones(3),
          "b3": np.zeros(3), "k": RNG.standard_normal((2, 3, 3)), "k2": RNG.standard_normal((2, 4, 3, 3)),
          "table": RNG.standard_normal((5, 2)), "bw": RNG.standard_normal((2, 6, 6))}
ARRAYS.update({name: RNG.standard_normal(shape) for name, shape in [
    ("inp", (3, 4)), ("h", (3, 5)), ("c", (3, 5)), ("w_r", (5, 4)), ("u_r", (5, 5)), ("b_r", (5,)), ("w_l", (20, 4)),
    ("u_l", (20, 5)), ("b_l", (20,)), ("w_g", (15, 4)), ("u_g", (15, 5)), ("b_g", (15,))]})

CASES = [
    "m.conv1d(x, k, None, 1, 1)", "m.conv2d(img, k2, padding=1)", "m.conv_transpose1d(x, k.transpose(0, 1))",
    "m.pixel_shuffle(img, 2)", "m.pixel_unshuffle(img, 2)", "m.cosine_similarity(x, x + 1, 1)",
    "m.pairwise_distance(x[0], x[1])", "m.pdist(x[0])", "m.cdist(x, x)", "m.cdist(x[0], x[1], p=1.5)",
    "m.prelu(x, m.tensor([0.25], dtype=m.float64))", "m.rrelu(x, 0.1, 0.3, False)", "m.threshold(x, 0.1, 20.0)",
    "m.hardshrink(x, 0.5)", "m.celu(x, 2.0)", "m.selu(x)", "m.bilinear(x, x, bw, None)", "m.max_pool1d(x, 2)",
    "m.max_pool2d(img, 2)", "m.max_pool1d_with_indices(x, 2)", "m.avg_pool1d(x, 3)", "m.adaptive_avg_pool1d(x, 4)",
    "m.adaptive_max_pool1d(x, 2)", "m.rms_norm(x, (6,))", "m.channel_shuffle(img, 2)",
    "m.dropout(x, 0.5, False)", "m.dropout(x, p=0.0, train=True)", "m.alpha_dropout(x, 0.5, False)",
    "m.feature_dropout(x, 0.5, False)", "m.feature_alpha_dropout(x, 0.3, False)",
    "m.layer_norm(x, [6], None, None, 1e-5, True)", "m.group_norm(x, 3, w3, b3, 1e-5, True)",
    "m.batch_norm(x, w3, b3, m.zeros(3, dtype=m.float64), m.ones(3, dtype=m.float64), False, 0.1, 1e-5, True)",
    "m.instance_norm(x, w3, b3, None, None, True, 0.1, 1e-5, True)",
    "m.embedding(table, m.tensor([1, 4, 1]))", "m.embedding(table, m.tensor([1, 4]), padding_idx=1)",
    "m.kl_div(x.log_softmax(2), x.softmax(2))", "m.kl_div(x, x.softmax(2), 1)", "m.kl_div(x, x, 2, log_target=True)",
    "m.margin_ranking_loss(x, x.flip(0), x.sign())", "m.margin_ranking_loss(x, x.flip(0), x.sign(), 0.2, 1)",
    "m.hinge_embedding_loss(x, x.sign(), 0.5, 2)", "m.poisson_nll_loss(x, x.abs(), True, False, 1e-8, 1)",
    "m.cosine_embedding_loss(x[0], x[1], m.tensor([1.0, -1.0, 1.0], dtype=m.float64), 0.1, 1)",
    "m.triplet_margin_loss(x[0], x[1], x[0] + 1)",
    "m.binary_cross_entropy_with_logits(x, x.sigmoid(), None, w3[:1], 2)",
    "m.rnn_tanh_cell(inp, h, w_r, u_r, b_r, None)", "m.rnn_relu_cell(inp, h, w_r, u_r)",
    "m.lstm_cell(inp, (h, c), w_l, u_l, b_l, b_l.flip(0))", "m.gru_cell(inp, h, w_g, u_g, b_g, b_g * 2)",
]


def _eval(lib, expr):
    env = {k: lib.tensor(v) for k, v in ARRAYS.items()}
    env["m"] = lib
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return eval(expr, env)


@pytest.mark.parametrize("expr", CASES)
def test_torch_namespace_form_matches_torch(expr):
    ours, theirs = _eval(nt, expr), _eval(torch, expr)
    ours = ours if isinstance(ours, tuple) else (ours,)
    theirs = theirs if isinstance(theirs, tuple) else (theirs,)
    for o, t in zip(ours, theirs):
        assert tuple(o.shape) == tuple(t.shape)
        np.testing.assert_allclose(o.numpy(), t.numpy(), rtol=1e-7, atol=1e-12)


def test_feature_dropout_drops_whole_channels():
    out = nt.feature_dropout(nt.ones(200, 3, 4), 0.5, True)
    data = out.numpy()
    assert np.all(data.min(-1) == data.max(-1)) and 0.3 < (data[..., 0] == 0).mean() < 0.7
