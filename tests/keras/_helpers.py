"""Small networks and data for the keras tests."""

import numpy as np

import numbatorch
import numbatorch.nn.functional as F
from numbatorch import nn
from numbatorch.utils.data import DataLoader, TensorDataset


def ring_net():
    """The tutorial's 2 -> 4 -> 8 -> 1 network."""
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(2, 4)
            self.fc2 = nn.Linear(4, 8)
            self.fc3 = nn.Linear(8, 1)

        def forward(self, x):
            x = F.relu(self.fc1(x))
            x = F.relu(self.fc2(x))
            return self.fc3(x)

    return Net()


def ring_arrays(n_pos=150, n_neg=250, seed=0):
    """Two noisy rings (radius 5 positive, 8 negative), as numpy float32 features (N, 2) and labels (N, 1)."""
    rng = np.random.default_rng(seed)
    r = np.concatenate([5.0 + rng.normal(size=n_pos), 8.0 + rng.normal(size=n_neg)])
    theta = 2 * np.pi * rng.random(n_pos + n_neg)
    x = np.stack([r * np.cos(theta), r * np.sin(theta)], axis=1).astype(np.float32)
    y = np.concatenate([np.ones(n_pos), np.zeros(n_neg)]).astype(np.float32)[:, None]
    order = rng.permutation(n_pos + n_neg)
    return x[order], y[order]


def loaders(batch_size=50, n_pos=150, n_neg=250, seed=0):
    x, y = ring_arrays(n_pos, n_neg, seed)
    n_train = int(len(x) * 0.7)
    ds_train = TensorDataset(numbatorch.tensor(x[:n_train]), numbatorch.tensor(y[:n_train]))
    ds_val = TensorDataset(numbatorch.tensor(x[n_train:]), numbatorch.tensor(y[n_train:]))
    return DataLoader(ds_train, batch_size=batch_size, shuffle=False), DataLoader(ds_val, batch_size=batch_size)


def bce_with_logits():
    return lambda preds, labels: F.binary_cross_entropy_with_logits(preds, labels)
