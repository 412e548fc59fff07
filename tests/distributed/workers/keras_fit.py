"""KerasModel.fit/evaluate on each rank (run under mpiexec -n 2 with an output folder and a results folder).

The data, network and fit arguments are in ``setup()`` so the test can run the same fit in one process on
the global batches (two ranks' batches side by side) and compare. Rank 0 writes the results; every rank
records where it ran a callback or saved a file, so the test can check that only rank 0 did.
"""
import os
import sys

import numpy as np

import numbatorch as torch
import numbatorch.distributed as dist
from numbatorch import keras, serialization
from numbatorch.keras.callbacks import Callback, CSVLogger, EarlyStopping, ModelCheckpoint
from numbatorch.utils.data import DataLoader, TensorDataset

BATCH = 4  # per rank


def setup(batch_size, out):
    """(model, train loader, val loader, fit keyword arguments) for ``batch_size`` samples per step."""
    rng = np.random.default_rng(0)
    x = torch.from_numpy(rng.normal(size=(48, 3)))
    y = torch.from_numpy((x.numpy() @ np.array([[1.0], [-2.0], [0.5]]) > 0).astype(np.float64))
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(3, 6), torch.nn.Tanh(), torch.nn.Linear(6, 1)).double()
    model = keras.KerasModel(net, torch.nn.BCEWithLogitsLoss(),
                             metrics_dict={"acc": keras.metrics.Accuracy()},
                             optimizer=torch.optim.Adam(net.parameters(), lr=0.05))
    train = DataLoader(TensorDataset(x[:32], y[:32]), batch_size=batch_size)
    val = DataLoader(TensorDataset(x[32:], y[32:]), batch_size=batch_size)
    fit_kwargs = dict(epochs=3, ckpt_path=os.path.join(out, "checkpoint.pt"), plot=False, quiet=False,
                      callbacks=[CSVLogger(os.path.join(out, "history.csv"))])
    return model, train, val, fit_kwargs


class RankRecorder(Callback):
    """Notes in ``folder`` that a callback ran on this rank."""

    def __init__(self, folder):
        self.folder = folder

    def on_validation_epoch_end(self, model):
        open(os.path.join(self.folder, f"callback_rank{dist.get_rank()}"), "a").close()


def record_saves(folder):
    """Wrap numbatorch.save so that each call leaves a mark naming this rank in ``folder``."""
    original = serialization.save

    def save(obj, f, *args, **kwargs):
        open(os.path.join(folder, f"saved_by_rank{dist.get_rank()}"), "a").close()
        return original(obj, f, *args, **kwargs)

    serialization.save = save


def main(out, results):
    dist.init_process_group("mpi")
    rank = dist.get_rank()
    record_saves(results)
    model, train, val, kwargs = setup(BATCH, out)
    kwargs["callbacks"] += [RankRecorder(results), ModelCheckpoint(os.path.join(results, "best.pt"))]
    history = model.fit_ddp(dist.get_world_size(), train, val, **kwargs)
    evaluated = model.evaluate_ddp(dist.get_world_size(), val)
    weights = {k: v.numpy() for k, v in model.net.state_dict().items()}
    everyone = [None] * dist.get_world_size()
    dist.all_gather_object(everyone, weights)
    for other in everyone[1:]:
        for key in weights:
            np.testing.assert_array_equal(other[key], weights[key])
    if rank == 0:
        history.to_csv(os.path.join(results, "fit_history.csv"), index=False)
        np.savez(os.path.join(results, "weights.npz"), **weights)
        np.savez(os.path.join(results, "evaluated.npz"), **evaluated)

    # early stopping asked for by a callback (which runs on rank 0 only) stops every rank after epoch 2
    model, train, val, kwargs = setup(BATCH, os.path.join(results, "stop"))
    kwargs.update(epochs=10, callbacks=[EarlyStopping(monitor="epoch", patience=1)])
    assert len(model.fit(train, val, **kwargs)) == 2

    # a NaN in rank 1's first batch stops both ranks at that step (rank 0's loss is finite)
    model, train, val, kwargs = setup(BATCH, os.path.join(results, "nan"))
    train.dataset.tensors[0][BATCH] = float("nan")
    kwargs.update(callbacks=[], quiet=True)
    assert len(model.fit(train, val, **kwargs)) == 0
    assert "train loss is nan at epoch 1, step 1" in model.stop_reason, model.stop_reason
    print(f"rank {rank} keras fit OK", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
