"""KerasModel.fit_ddp/evaluate_ddp on 2 MPI ranks against one process on the same global batches."""
import importlib.util

import numpy as np
import pytest

import numbatorch

from .mpi_launch import WORKERS, run_ranks


def load_worker():
    spec = importlib.util.spec_from_file_location("keras_fit_worker", WORKERS / "keras_fit.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_keras_fit_ddp_matches_one_process(tmp_path):
    pd = pytest.importorskip("pandas")
    out, results, single = tmp_path / "out", tmp_path / "results", tmp_path / "single"
    for folder in (out, results, single):
        folder.mkdir()
    proc = run_ranks("keras_fit.py", out, results)
    assert proc.stdout.count("keras fit OK") == 2, proc.stdout
    assert proc.stdout.count("Epoch 1 / 3") == 1, proc.stdout  # progress from rank 0 only
    assert sorted(p.name for p in out.iterdir()) == ["checkpoint.pt", "history.csv"]
    assert {p.name for p in results.iterdir()} >= {"callback_rank0", "saved_by_rank0"}
    assert not any(p.name.endswith("rank1") for p in results.iterdir())

    worker = load_worker()
    model, train, val, kwargs = worker.setup(2 * worker.BATCH, str(single))
    expected = model.fit(train, val, **kwargs)
    got = pd.read_csv(results / "fit_history.csv")
    assert list(got.columns) == list(expected.columns)
    np.testing.assert_allclose(got.to_numpy(dtype=float), expected.to_numpy(dtype=float), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(pd.read_csv(out / "history.csv").to_numpy(dtype=float),
                               expected.to_numpy(dtype=float), rtol=1e-9, atol=1e-12)
    weights = np.load(results / "weights.npz")
    for key, value in model.net.state_dict().items():
        np.testing.assert_allclose(weights[key], value.numpy(), rtol=1e-5, atol=1e-5)
    best = numbatorch.load(results / "best.pt")  # ModelCheckpoint on rank 0: the unwrapped module's keys
    assert sorted(best) == sorted(weights.files)
    for key in weights.files:
        np.testing.assert_array_equal(best[key].numpy(), weights[key])
    evaluated = np.load(results / "evaluated.npz")
    for key, value in model.evaluate(val, quiet=True).items():
        np.testing.assert_allclose(evaluated[key], value, rtol=1e-9)


def test_fit_ddp_outside_mpi_says_how_to_launch(tmp_path):
    worker = load_worker()
    model, train, val, kwargs = worker.setup(worker.BATCH, str(tmp_path))
    with pytest.raises(RuntimeError, match=r"python -m numbatorch.distributed.run -n 2 script.py"):
        model.fit_ddp(2, train, val, **kwargs)
    with pytest.raises(RuntimeError, match=r"evaluate_ddp\(num_processes=2\)"):
        model.evaluate_ddp(2, val)
