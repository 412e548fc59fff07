"""split/chunk/unbind/tensor_split giving a single piece: its gradient lands in the input as PyTorch's does
(backward, create_graph and anomaly-mode paths)."""
import numpy as np
import pytest

import numbatorch as nt

torch = pytest.importorskip("torch")

_H = np.arange(6.0).reshape(1, 2, 3)
_PIECES = {"unbind": lambda t: t.unbind(0)[0], "split": lambda t: t.split(1, 0)[0],
           "chunk": lambda t: t.chunk(1, 1)[0], "tensor_split": lambda t: t.tensor_split(1, 2)[0]}


@pytest.mark.parametrize("name", sorted(_PIECES))
@pytest.mark.parametrize("mode", ["backward", "create_graph", "anomaly"])
def test_single_piece_gradient_matches_pytorch(name, mode):
    grads = []
    for lib in (nt, torch):
        h = lib.tensor(_H, requires_grad=True)
        piece = _PIECES[name](h)
        loss = (piece * piece * lib.tensor(np.linspace(1, 2, piece.numel()).reshape(tuple(piece.shape)))).sum()
        if mode == "create_graph":
            g, = lib.autograd.grad(loss, h, create_graph=True)
            g.sum().backward()
            grads.append([g.detach().numpy(), h.grad.numpy()])
        else:
            with lib.autograd.set_detect_anomaly(mode == "anomaly"):
                loss.backward()
            grads.append([h.grad.numpy()])
    for ours, theirs in zip(*grads):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)
