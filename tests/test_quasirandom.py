"""quasirandom.SobolEngine against torch.quasirandom: unscrambled points equal PyTorch's exactly; scrambling uses
PyTorch's construction (checked on the same random matrices) with numbatorch's random bits."""
import numpy as np
import pytest

import numbatorch

torch = pytest.importorskip("torch")
pytest.importorskip("scipy")


def _session(lib, dim):
    engine = lib.quasirandom.SobolEngine(dim)
    points = [engine.draw(), engine.draw(7)]
    engine.fast_forward(3)
    points.append(engine.draw(5, dtype=lib.float64))
    engine.reset().fast_forward(5)
    points.append(engine.draw(11))
    engine.reset()
    points.append(engine.draw_base2(3))
    out = lib.empty(0)
    engine.reset().draw(20, out=out)
    points.append(out)
    return points, engine.num_generated, repr(engine)


@pytest.mark.parametrize("dim", [1, 5, 300])
def test_unscrambled_points_equal_torch(dim):
    got, want = _session(numbatorch, dim), _session(torch, dim)
    assert got[1:] == want[1:]
    for g, w in zip(got[0], want[0]):
        assert str(g.dtype).split(".")[-1] == str(w.dtype).split(".")[-1]
        np.testing.assert_array_equal(g.numpy(), w.numpy())


def test_direction_numbers_and_scrambling_equal_torch():
    from numbatorch.quasirandom import direction_numbers, scramble_direction_numbers
    dim = 21201
    state = torch.zeros(dim, 30, dtype=torch.long)
    torch._sobol_engine_initialize_state_(state, dim)
    np.testing.assert_array_equal(direction_numbers(dim, 30), state.numpy())
    state = state[:6].clone()
    ltm = torch.randint(2, (6, 30, 30), generator=torch.Generator().manual_seed(0)).tril()
    ours = scramble_direction_numbers(state.numpy(), ltm.numpy())
    torch._sobol_engine_scramble_(state, ltm, 6)
    np.testing.assert_array_equal(ours, state.numpy())


def test_scrambled_points_are_seeded_and_stratified():
    first = numbatorch.quasirandom.SobolEngine(4, scramble=True, seed=3)
    points = first.draw_base2(5).numpy()
    np.testing.assert_array_equal(points, numbatorch.quasirandom.SobolEngine(4, scramble=True, seed=3).draw(32).numpy())
    assert repr(first) == repr(torch.quasirandom.SobolEngine(4, scramble=True, seed=3))
    # Every coordinate of the first 2**m points puts one point in each interval [k/2**m, (k+1)/2**m).
    for column in points.T:
        np.testing.assert_array_equal(np.sort(np.floor(column * 32)), np.arange(32))


@pytest.mark.parametrize("make", [lambda lib: lib.quasirandom.SobolEngine(0),
                                  lambda lib: lib.quasirandom.SobolEngine(21202),
                                  lambda lib: _drawn(lib).draw_base2(2)])
def test_errors_match_torch(make):
    messages = []
    for lib in (numbatorch, torch):
        with pytest.raises(ValueError) as info:
            make(lib)
        messages.append(str(info.value))
    assert messages[0] == messages[1]


def _drawn(lib):
    engine = lib.quasirandom.SobolEngine(2)
    engine.draw(3)
    return engine
