"""RNN/LSTM/GRU, their cells and nn.utils.rnn against PyTorch (copied weights) and finite differences."""
import numpy as np
import pytest

import numbatorch
from numbatorch.autograd import gradcheck, gradgradcheck
from numbatorch.nn.modules.rnn import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNCell
from numbatorch.nn.utils import rnn as rnn_utils

torch = pytest.importorskip("torch")

_CLASSES = {"RNN": RNN, "LSTM": LSTM, "GRU": GRU, "RNNCell": RNNCell, "LSTMCell": LSTMCell, "GRUCell": GRUCell}


def _pair(name, dtype, *args, **kwargs):
    """The same layer in both frameworks, with the numbatorch weights copied into torch."""
    nb = _CLASSES[name](*args, **kwargs)
    th = getattr(torch.nn, name)(*args, **kwargs)
    th = th.double() if dtype == np.float64 else th
    nb = nb.double() if dtype == np.float64 else nb
    with torch.no_grad():
        for (n1, p1), (n2, p2) in zip(nb.named_parameters(), th.named_parameters()):
            assert n1 == n2
            p2.copy_(torch.from_numpy(p1.detach().numpy().copy()))
    return nb, th


def _leaf(a, lib):
    return lib.tensor(a.copy(), requires_grad=True)


def _outputs(result):
    out, state = result
    states = list(state) if isinstance(state, tuple) else [state]
    return [out] + states


def _compare(nb_out, th_out, rtol, atol):
    rng = np.random.default_rng(3)
    loss_nb, loss_th = 0, 0
    for a, b in zip(nb_out, th_out):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=rtol, atol=atol)
        w = rng.standard_normal(tuple(b.shape)).astype(b.detach().numpy().dtype)
        loss_nb = loss_nb + (a * numbatorch.tensor(w)).sum()
        loss_th = loss_th + (b * torch.tensor(w)).sum()
    loss_nb.backward()
    loss_th.backward()


def _assert_grads(nb_tensors, th_tensors, rtol, atol):
    for a, b in zip(nb_tensors, th_tensors):
        if b.grad is None:
            assert a.grad is None
        else:
            np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=rtol, atol=atol)


CASES = [
    # name, kwargs, T, B, with_state, dtype
    ("LSTM", dict(num_layers=1), 5, 3, False, np.float32),
    ("LSTM", dict(num_layers=2, bidirectional=True, batch_first=True), 4, 2, True, np.float64),
    ("LSTM", dict(num_layers=2, proj_size=3, bidirectional=True), 3, 2, True, np.float64),
    ("LSTM", dict(bias=False, proj_size=2), 1, 1, True, np.float64),
    ("GRU", dict(num_layers=2, bidirectional=True), 4, 3, True, np.float64),
    ("GRU", dict(batch_first=True), 6, 2, False, np.float32),
    ("GRU", dict(bias=False), 1, 1, True, np.float64),
    ("RNN", dict(num_layers=2, nonlinearity="relu", batch_first=True), 4, 2, True, np.float64),
    ("RNN", dict(bidirectional=True), 3, 1, False, np.float64),
]


@pytest.mark.parametrize("name,kwargs,T,B,with_state,dtype", CASES)
def test_layer_matches_torch(name, kwargs, T, B, with_state, dtype):
    I, H = 4, 5
    nb, th = _pair(name, dtype, I, H, **kwargs)
    rng = np.random.default_rng(0)
    shape = (B, T, I) if kwargs.get("batch_first") else (T, B, I)
    x = rng.standard_normal(shape).astype(dtype)
    D = 2 if kwargs.get("bidirectional") else 1
    L = kwargs.get("num_layers", 1)
    H_out = kwargs.get("proj_size", 0) or H
    state_arrays = []
    if with_state:
        state_arrays.append(rng.standard_normal((D * L, B, H_out)).astype(dtype))
        if name == "LSTM":
            state_arrays.append(rng.standard_normal((D * L, B, H)).astype(dtype))
    tol = dict(rtol=1e-4, atol=1e-5) if dtype == np.float32 else dict(rtol=1e-9, atol=1e-10)
    ins_nb = [_leaf(a, numbatorch) for a in [x] + state_arrays]
    ins_th = [_leaf(a, torch) for a in [x] + state_arrays]

    def call(module, ins):
        if not with_state:
            return module(ins[0])
        return module(ins[0], tuple(ins[1:]) if name == "LSTM" else ins[1])

    out_nb, out_th = _outputs(call(nb, ins_nb)), _outputs(call(th, ins_th))
    assert [tuple(o.shape) for o in out_nb] == [tuple(o.shape) for o in out_th]
    _compare(out_nb, out_th, **tol)
    _assert_grads(ins_nb, ins_th, **tol)
    _assert_grads(list(nb.parameters()), list(th.parameters()), **tol)


@pytest.mark.parametrize("name", ["LSTM", "GRU", "RNN"])
def test_unbatched_input(name):
    nb, th = _pair(name, np.float64, 3, 4, num_layers=2)
    x = np.random.default_rng(1).standard_normal((5, 3))
    h = np.random.default_rng(2).standard_normal((2, 4))
    hx_nb = (numbatorch.tensor(h), numbatorch.tensor(h * 0.5)) if name == "LSTM" else numbatorch.tensor(h)
    hx_th = (torch.tensor(h), torch.tensor(h * 0.5)) if name == "LSTM" else torch.tensor(h)
    xs_nb, xs_th = _leaf(x, numbatorch), _leaf(x, torch)
    out_nb, out_th = _outputs(nb(xs_nb, hx_nb)), _outputs(th(xs_th, hx_th))
    assert [tuple(o.shape) for o in out_nb] == [tuple(o.shape) for o in out_th]
    _compare(out_nb, out_th, rtol=1e-9, atol=1e-10)
    _assert_grads([xs_nb], [xs_th], rtol=1e-9, atol=1e-10)


@pytest.mark.parametrize("name,enforce_sorted", [("LSTM", False), ("GRU", True)])
def test_packed_sequence_matches_torch(name, enforce_sorted):
    nb, th = _pair(name, np.float64, 3, 4, num_layers=2, bidirectional=True, batch_first=True)
    lengths = [5, 3, 2] if enforce_sorted else [2, 5, 1]
    x = np.random.default_rng(4).standard_normal((3, 5, 3))
    xs_nb, xs_th = _leaf(x, numbatorch), _leaf(x, torch)
    p_nb = rnn_utils.pack_padded_sequence(xs_nb, lengths, batch_first=True, enforce_sorted=enforce_sorted)
    p_th = torch.nn.utils.rnn.pack_padded_sequence(xs_th, lengths, batch_first=True, enforce_sorted=enforce_sorted)
    np.testing.assert_array_equal(p_nb.batch_sizes.numpy(), p_th.batch_sizes.numpy())
    np.testing.assert_allclose(p_nb.data.detach().numpy(), p_th.data.detach().numpy())
    h = np.random.default_rng(5).standard_normal((4, 3, 4))
    hx_nb = (numbatorch.tensor(h), numbatorch.tensor(-h)) if name == "LSTM" else numbatorch.tensor(h)
    hx_th = (torch.tensor(h), torch.tensor(-h)) if name == "LSTM" else torch.tensor(h)
    r_nb, r_th = nb(p_nb, hx_nb), th(p_th, hx_th)
    assert isinstance(r_nb[0], rnn_utils.PackedSequence)
    pad_nb, len_nb = rnn_utils.pad_packed_sequence(r_nb[0], batch_first=True, total_length=6)
    pad_th, len_th = torch.nn.utils.rnn.pad_packed_sequence(r_th[0], batch_first=True, total_length=6)
    np.testing.assert_array_equal(len_nb.numpy(), len_th.numpy())
    out_nb = [pad_nb] + _outputs(r_nb)[1:]
    out_th = [pad_th] + _outputs(r_th)[1:]
    _compare(out_nb, out_th, rtol=1e-9, atol=1e-10)
    _assert_grads([xs_nb], [xs_th], rtol=1e-9, atol=1e-10)
    _assert_grads(list(nb.parameters()), list(th.parameters()), rtol=1e-9, atol=1e-10)


def test_pad_and_pack_sequence():
    rng = np.random.default_rng(6)
    seqs = [rng.standard_normal((n, 2)) for n in (4, 2, 3)]
    nb_seqs, th_seqs = [_leaf(s, numbatorch) for s in seqs], [_leaf(s, torch) for s in seqs]
    for kwargs in (dict(), dict(batch_first=True, padding_value=-1.0), dict(padding_side="left")):
        a, b = rnn_utils.pad_sequence(nb_seqs, **kwargs), torch.nn.utils.rnn.pad_sequence(th_seqs, **kwargs)
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy())
        w = rng.standard_normal(tuple(b.shape))
        (a * numbatorch.tensor(w)).sum().backward()
        (b * torch.tensor(w)).sum().backward()
    _assert_grads(nb_seqs, th_seqs, rtol=1e-12, atol=1e-12)
    p_nb = rnn_utils.pack_sequence(nb_seqs, enforce_sorted=False)
    p_th = torch.nn.utils.rnn.pack_sequence(th_seqs, enforce_sorted=False)
    np.testing.assert_allclose(p_nb.data.detach().numpy(), p_th.data.detach().numpy())
    np.testing.assert_array_equal(p_nb.sorted_indices.numpy(), p_th.sorted_indices.numpy())
    np.testing.assert_array_equal(p_nb.unsorted_indices.numpy(), p_th.unsorted_indices.numpy())
    back = rnn_utils.unpack_sequence(p_nb)
    for a, s in zip(back, seqs):
        np.testing.assert_allclose(a.detach().numpy(), s)
    with pytest.raises(RuntimeError, match="must be sorted in decreasing order"):
        rnn_utils.pack_sequence(nb_seqs)


@pytest.mark.parametrize("name", ["RNNCell", "LSTMCell", "GRUCell"])
@pytest.mark.parametrize("batched", [True, False])
def test_cells_match_torch(name, batched):
    nb, th = _pair(name, np.float64, 3, 4)
    rng = np.random.default_rng(7)
    lead = (2,) if batched else ()
    x = rng.standard_normal(lead + (3,))
    h = rng.standard_normal(lead + (4,))
    ins = [x, h, -h] if name == "LSTMCell" else [x, h]
    ins_nb, ins_th = [_leaf(a, numbatorch) for a in ins], [_leaf(a, torch) for a in ins]
    state_nb = tuple(ins_nb[1:]) if name == "LSTMCell" else ins_nb[1]
    state_th = tuple(ins_th[1:]) if name == "LSTMCell" else ins_th[1]
    r_nb, r_th = nb(ins_nb[0], state_nb), th(ins_th[0], state_th)
    out_nb = list(r_nb) if isinstance(r_nb, tuple) else [r_nb]
    out_th = list(r_th) if isinstance(r_th, tuple) else [r_th]
    assert [tuple(o.shape) for o in out_nb] == [tuple(o.shape) for o in out_th]
    _compare(out_nb, out_th, rtol=1e-9, atol=1e-10)
    _assert_grads(ins_nb, ins_th, rtol=1e-9, atol=1e-10)
    _assert_grads(list(nb.parameters()), list(th.parameters()), rtol=1e-9, atol=1e-10)
    # no state given: zeros
    a, b = nb(ins_nb[0]), th(ins_th[0])
    a, b = (a[0], b[0]) if name == "LSTMCell" else (a, b)
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-9, atol=1e-10)


@pytest.mark.parametrize("name,kwargs", [("GRUCell", {}), ("GRUCell", dict(bias=False)), ("RNNCell", {}),
                                         ("RNNCell", dict(nonlinearity="relu", bias=False))])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("batched,with_state", [(True, True), (True, False), (False, True), (False, False)])
def test_fused_cells_match_torch(name, kwargs, dtype, batched, with_state):
    nb, th = _pair(name, dtype, 5, 6, **kwargs)
    rng = np.random.default_rng(11)
    lead = (3,) if batched else ()
    ins = [rng.standard_normal(lead + (5,)).astype(dtype)]
    if with_state:
        ins.append(rng.standard_normal(lead + (6,)).astype(dtype))
    ins_nb, ins_th = [_leaf(a, numbatorch) for a in ins], [_leaf(a, torch) for a in ins]
    out_nb, out_th = nb(*ins_nb), th(*ins_th)
    assert out_nb.detach().numpy().dtype == dtype
    assert tuple(out_nb.shape) == tuple(out_th.shape)
    tol = dict(rtol=1e-5, atol=1e-6) if dtype == np.float32 else dict(rtol=1e-9, atol=1e-10)
    _compare([out_nb], [out_th], **tol)
    _assert_grads(ins_nb, ins_th, **tol)
    _assert_grads(list(nb.parameters()), list(th.parameters()), **tol)


@pytest.mark.parametrize("name", ["RNNCell", "LSTMCell", "GRUCell"])
@pytest.mark.parametrize("grad_x,grad_h", [(False, True), (True, False), (False, False)])
def test_cells_with_inputs_that_need_no_grad_match_torch(name, grad_x, grad_h):
    # one input feature (the projection as an outer product); the backward leaves out what no input needs
    nb, th = _pair(name, np.float64, 1, 4)
    rng = np.random.default_rng(5)
    ins = [rng.standard_normal((3, 1)), rng.standard_normal((3, 4)), rng.standard_normal((3, 4))]
    ins[0][0, 0] = -0.0
    needs = [grad_x, grad_h, grad_h]
    ins_nb = [numbatorch.tensor(a.copy(), requires_grad=n) for a, n in zip(ins, needs)]
    ins_th = [torch.tensor(a.copy(), requires_grad=n) for a, n in zip(ins, needs)]
    state_nb, state_th = (tuple(ins_nb[1:]), tuple(ins_th[1:])) if name == "LSTMCell" else (ins_nb[1], ins_th[1])
    r_nb, r_th = nb(ins_nb[0], state_nb), th(ins_th[0], state_th)
    out_nb = list(r_nb) if isinstance(r_nb, tuple) else [r_nb]
    out_th = list(r_th) if isinstance(r_th, tuple) else [r_th]
    _compare(out_nb, out_th, rtol=1e-9, atol=1e-10)
    _assert_grads(ins_nb, ins_th, rtol=1e-9, atol=1e-10)
    _assert_grads(list(nb.parameters()), list(th.parameters()), rtol=1e-9, atol=1e-10)


@pytest.mark.parametrize("name,node", [("LSTMCell", "ThnnFusedLstmCellBackward0"),
                                       ("GRUCell", "ThnnFusedGruCellBackward0"), ("RNNCell", "RnnCellBackward0")])
def test_cell_is_one_node(name, node):
    out = _CLASSES[name](2, 3)(numbatorch.randn(4, 2))
    out = out[0] if isinstance(out, tuple) else out
    assert out.grad_fn.name() == node
    assert {type(f).__name__ for f, _ in out.grad_fn.next_functions if f is not None} == {"AccumulateGrad"}


@pytest.mark.parametrize("name", ["LSTM", "GRU", "RNN"])
def test_gradcheck(name):
    kwargs = dict(proj_size=2) if name == "LSTM" else {}
    nb = _CLASSES[name](2, 3, bidirectional=True, **kwargs).double()
    x = numbatorch.randn(3, 2, 2, dtype=numbatorch.float64, requires_grad=True)
    params = list(nb.parameters())

    def f(x, *ps):
        out = nb(x)
        states = out[1] if isinstance(out[1], tuple) else (out[1],)
        return (out[0],) + states

    assert gradcheck(f, (x, *params), eps=1e-6, atol=1e-6)


@pytest.mark.parametrize("name,kwargs", [("LSTMCell", {}), ("GRUCell", {}), ("GRUCell", dict(bias=False)),
                                         ("RNNCell", {}), ("RNNCell", dict(nonlinearity="relu"))])
def test_cell_gradcheck_and_gradgradcheck(name, kwargs):
    nb = _CLASSES[name](2, 3, **kwargs).double()
    x = numbatorch.randn(4, 2, dtype=numbatorch.float64, requires_grad=True)
    h = numbatorch.randn(4, 3, dtype=numbatorch.float64, requires_grad=True)
    c = numbatorch.randn(4, 3, dtype=numbatorch.float64, requires_grad=True)
    params = list(nb.parameters())

    def f(x, h, c, *ps):
        out = nb(x, (h, c)) if name == "LSTMCell" else nb(x, h) * c
        return out if isinstance(out, tuple) else (out,)

    assert gradcheck(f, (x, h, c, *params), eps=1e-6, atol=1e-6)
    assert gradgradcheck(f, (x, h, c, *params), eps=1e-6, atol=1e-5)


def test_parameters_names_init_and_repr():
    lstm = LSTM(4, 6, num_layers=2, proj_size=3, bidirectional=True)
    th = torch.nn.LSTM(4, 6, num_layers=2, proj_size=3, bidirectional=True)
    nb_shapes = [(n, tuple(p.shape)) for n, p in lstm.named_parameters()]
    th_shapes = [(n, tuple(p.shape)) for n, p in th.named_parameters()]
    assert nb_shapes == th_shapes
    assert repr(lstm) == repr(th)
    assert repr(RNN(3, 4, 2, "relu", bias=False)) == repr(torch.nn.RNN(3, 4, 2, "relu", bias=False))
    bound = 1 / np.sqrt(6)
    for p in lstm.parameters():
        a = p.detach().numpy()
        assert np.abs(a).max() <= bound and np.abs(a).max() > 0.5 * bound
    lstm.flatten_parameters()
    assert sum(p.numel() for p in GRU(64, 32, batch_first=True).parameters()) == 9408
    assert sum(p.numel() for p in LSTM(64, 32, batch_first=True).parameters()) == 12544


def test_errors():
    with pytest.raises(ValueError, match="proj_size argument is only supported for LSTM"):
        GRU(3, 4, proj_size=2)
    with pytest.raises(ValueError, match="proj_size has to be smaller than hidden_size"):
        LSTM(3, 4, proj_size=4)
    with pytest.raises(ValueError, match="Unknown nonlinearity 'gelu'"):
        RNN(3, 4, nonlinearity="gelu")
    with pytest.warns(UserWarning, match="non-zero dropout expects num_layers greater than 1"):
        GRU(3, 4, dropout=0.5)
    gru = GRU(3, 4)
    with pytest.raises(RuntimeError, match="input.size\\(-1\\) must be equal to input_size. Expected 3, got 5"):
        gru(numbatorch.randn(2, 2, 5))
    with pytest.raises(RuntimeError, match="Expected hidden size \\(1, 2, 4\\), got \\[1, 3, 4\\]"):
        gru(numbatorch.randn(2, 2, 3), numbatorch.randn(1, 3, 4))
    with pytest.raises(RuntimeError, match="For batched 3-D input, hx should also be 3-D"):
        gru(numbatorch.randn(2, 2, 3), numbatorch.randn(2, 4))


def test_layer_op_checks_its_arguments_once_above_the_kernels():
    """``F.rnn.rnn_layer`` (the family module) refuses inconsistent arrays; the kernels trust what it passes."""
    from numbatorch.nn.functional.rnn import rnn_layer
    t = numbatorch.zeros
    x, w_ih, w_hh, h0, c0 = t(4, 2, 3), t(8, 3), t(8, 2), t(2, 2), t(2, 2)
    with pytest.raises(ValueError, match="mode"):
        rnn_layer("lstmx", x, h0, c0, w_ih, w_hh)
    with pytest.raises(ValueError, match="hidden\\[0\\]"):
        rnn_layer("lstm", x, t(3, 2), c0, w_ih, w_hh)
    with pytest.raises(ValueError, match="hidden\\[1\\]"):
        rnn_layer("lstm", x, h0, t(2, 3), w_ih, w_hh)
    with pytest.raises(ValueError, match="weight_hh"):
        rnn_layer("lstm", x, h0, c0, w_ih, t(8, 3))
    with pytest.raises(ValueError, match="bias_hh"):
        rnn_layer("lstm", x, h0, c0, w_ih, w_hh, t(8), t(7))
    with pytest.raises(ValueError, match="lengths"):
        rnn_layer("lstm", x, h0, c0, w_ih, w_hh, lengths=[5, 1])


def test_dropout_between_layers_uses_generator():
    lstm = LSTM(3, 4, num_layers=2, dropout=0.5)
    x = numbatorch.randn(5, 2, 3)
    numbatorch.manual_seed(1)
    a = lstm(x)[0]
    numbatorch.manual_seed(1)
    b = lstm(x)[0]
    c = lstm(x)[0]
    np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())
    assert not np.allclose(b.detach().numpy(), c.detach().numpy())
    lstm.eval()
    np.testing.assert_array_equal(lstm(x)[0].detach().numpy(), lstm(x)[0].detach().numpy())
