"""F.pad's reflect/replicate/circular modes: negative (cropping) padding and the errors, against PyTorch."""
import numpy as np
import pytest

import numbatorch
import numbatorch.nn.functional as F
from numbatorch.autograd import gradcheck

from ._compare import assert_same

rng = np.random.default_rng(0)

MODES = ["reflect", "replicate", "circular"]

# (input shape, pad) pairs each mode accepts or rejects, with an error PyTorch raises for at least one mode.
ERROR_CASES = [
    ((2, 3, 4), (5, 0)), ((3, 4), (4, 4)), ((2, 3, 4), (0, 0, 5, 0)), ((1, 2, 3, 4), (6, 6, 0, 0)),
    ((1, 2, 3, 4), (0, 0, 0, 0, 5, 0)), ((1, 1, 2, 3, 4), (0, 0, 3, 0, 0, 0)), ((1, 1, 2, 3, 4), (0, 4, 0, 0, 0, 0)),
    ((2, 3, 4), (-3, -3)), ((2, 3, 4), (-2, -2)), ((2, 3, 4), (-3, -3, -3, -3)),
    ((1, 2, 3, 4), (-2,) * 6), ((2, 3, 4), (0, 0, -3, 0)), ((1, 2, 0), (1, 1)), ((0, 2, 3), (1, 1, 1, 1)),
    ((1, 0, 3, 4), (1,) * 6), ((2,), (1, 1)), ((3, 4), (1, 1, 1, 1)), ((2, 3, 4, 5, 6), (1, 1, 1, 1)),
    ((2, 3, 4, 5, 6, 7), (1,) * 6),
]


def _outcome(framework, shape, pad, mode, **kwargs):
    try:
        return tuple(framework.nn.functional.pad(framework.zeros(shape), pad, mode=mode, **kwargs).shape)
    except (RuntimeError, NotImplementedError, TypeError) as e:
        return type(e).__name__, str(e)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("shape,pad", ERROR_CASES)
def test_pad_errors_match_torch(shape, pad, mode):
    torch = pytest.importorskip("torch")
    assert _outcome(numbatorch, shape, pad, mode) == _outcome(torch, shape, pad, mode)


# One output dimension negative, another positive: PyTorch fails while allocating the output (its message
# varies by mode), so only the error type is compared.
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("shape,pad", [((2, 3, 4), (-5, 0, 4, 0)), ((2, 3, 4), (-3, -3, 0, 0))])
def test_pad_partly_negative_output_raises_like_torch(shape, pad, mode):
    torch = pytest.importorskip("torch")
    assert _outcome(numbatorch, shape, pad, mode)[0] == _outcome(torch, shape, pad, mode)[0]


def test_pad_value_with_non_constant_mode_matches_torch():
    torch = pytest.importorskip("torch")
    assert _outcome(numbatorch, (1, 2, 3), (1, 1), "reflect", value=1.0) == \
        _outcome(torch, (1, 2, 3), (1, 1), "reflect", value=1.0)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("shape,pad", [((2, 3, 5), (-1, 2)), ((2, 3, 4, 5), (-1, 0, 2, -2)),
                                       ((1, 2, 3, 4, 5), (1, -2, -1, 0, 0, -1))])
def test_negative_pad_crops_like_torch(shape, pad, mode):
    torch = pytest.importorskip("torch")
    x = rng.standard_normal(shape)
    assert_same(lambda t: F.pad(t, pad, mode), lambda t: torch.nn.functional.pad(t, pad, mode), [x], torch)
    assert gradcheck(lambda t: F.pad(t, pad, mode), (numbatorch.tensor(x, requires_grad=True),))


@pytest.mark.parametrize("pad", [(-1, 3), (3, -1), (-2, 2), (-1, 3, -1, 1), (-2, 3)])
def test_circular_pad_wraps_the_cropped_input_like_torch(pad):
    torch = pytest.importorskip("torch")
    x = rng.standard_normal((1, 2, 3, 4))
    expected = _outcome(torch, x.shape, pad, "circular")
    if isinstance(expected[0], str):
        assert _outcome(numbatorch, x.shape, pad, "circular") == expected
    else:
        assert_same(lambda t: F.pad(t, pad, "circular"), lambda t: torch.nn.functional.pad(t, pad, "circular"), [x],
                    torch)


@pytest.mark.parametrize("dims", [1, 2, 3])
@pytest.mark.parametrize("rank", [1, 2, 3, 4, 5, 6])
def test_circular_pad_layers_check_the_rank_like_torch(dims, rank):
    torch = pytest.importorskip("torch")
    outcomes = []
    for framework in (numbatorch, torch):
        layer = getattr(framework.nn, f"CircularPad{dims}d")(1)
        try:
            outcomes.append(tuple(layer(framework.ones((1,) * (rank - 1) + (3,))).shape))
        except (ValueError, RuntimeError, NotImplementedError) as e:
            outcomes.append((type(e).__name__, str(e)))
    assert outcomes[0] == outcomes[1]


@pytest.mark.parametrize("pad", [(1.5, 1), (True, 1), ("a", 1), (1, 1.0), (1, 1, None, 1), [1.0, 1], 3, (1, True)])
def test_pad_argument_types_like_torch(pad):
    torch = pytest.importorskip("torch")
    assert _outcome(numbatorch, (2, 3), pad, "constant") == _outcome(torch, (2, 3), pad, "constant")


@pytest.mark.parametrize("shape,pad", [((3,), (-4, 2)), ((3,), (2, -4)), ((3,), (-3, 0)), ((2, 3), (-2, -2)),
                                       ((2, 3), (0, 0, -3, 1)), ((2, 3), (1, 1, -2, -1))])
def test_negative_constant_pad_crops_like_torch(shape, pad):
    torch = pytest.importorskip("torch")
    assert _outcome(numbatorch, shape, pad, "constant") == _outcome(torch, shape, pad, "constant")
