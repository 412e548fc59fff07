"""CTC loss against PyTorch: values and gradients for padded and concatenated targets, every reduction."""
import numpy as np
import pytest

import numbatorch as nt
import numbatorch.nn.functional as F

torch = pytest.importorskip("torch")


def _case(rng, T=12, N=3, C=5, S=4):
    logits = rng.standard_normal((T, N, C))
    targets = rng.integers(1, C, size=(N, S))
    targets[0, 1] = targets[0, 2]  # a repeated label needs a blank between its copies
    input_lengths = [T, T - 2, T - 5]
    target_lengths = [S, S - 1, 2]
    return logits, targets, input_lengths, target_lengths


def _run(lib, fn, logits, *args, **kwargs):
    x = lib.tensor(logits, requires_grad=True)
    loss = fn(x.log_softmax(2), *args, **kwargs)
    w = np.random.default_rng(5).standard_normal(tuple(loss.shape))
    (loss * lib.tensor(w)).sum().backward()
    return loss.detach().numpy(), x.grad.numpy()


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("concatenated", [False, True])
def test_ctc_loss_matches_torch(reduction, concatenated):
    rng = np.random.default_rng(0)
    logits, targets, in_lens, tg_lens = _case(rng)
    if concatenated:
        targets = np.concatenate([t[:n] for t, n in zip(targets, tg_lens)])
    ours = _run(nt, F.ctc_loss, logits, nt.tensor(targets), nt.tensor(in_lens), nt.tensor(tg_lens),
                reduction=reduction)
    theirs = _run(torch, torch.nn.functional.ctc_loss, logits, torch.tensor(targets), torch.tensor(in_lens),
                  torch.tensor(tg_lens), reduction=reduction)
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-10)
    np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-8, atol=1e-12)


def test_ctc_module_blank_and_zero_infinity():
    rng = np.random.default_rng(1)
    logits = rng.standard_normal((3, 2, 4))
    targets = np.array([[1, 2, 3, 1], [2, 2, 0, 0]])  # sample 0 cannot fit 4 labels in 3 steps: infinite loss
    for zero_infinity in (False, True):
        ours = _run(nt, nt.nn.CTCLoss(blank=0, reduction="sum", zero_infinity=zero_infinity), logits,
                    nt.tensor(targets), (3, 3), (4, 2))
        theirs = _run(torch, torch.nn.CTCLoss(blank=0, reduction="sum", zero_infinity=zero_infinity), logits,
                      torch.tensor(targets), (3, 3), (4, 2))
        np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-10)
        if zero_infinity:
            np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-8, atol=1e-12)
    logits = rng.standard_normal((6, 1, 4))
    ours = _run(nt, nt.nn.CTCLoss(blank=3), logits, nt.tensor([[0, 1, 1]]), [6], [3])
    theirs = _run(torch, torch.nn.CTCLoss(blank=3), logits, torch.tensor([[0, 1, 1]]), [6], [3])
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-10)
    np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-8, atol=1e-12)


def test_unbatched_input():
    rng = np.random.default_rng(2)
    logits = rng.standard_normal((7, 5))
    ours = _run(nt, F.ctc_loss, logits[:, None], nt.tensor([[1, 2]]), [7], [2], reduction="none")
    lp = nt.tensor(logits).log_softmax(1)
    np.testing.assert_allclose(F.ctc_loss(lp, nt.tensor([1, 2]), 7, 2, reduction="none").numpy(), ours[0][0])
