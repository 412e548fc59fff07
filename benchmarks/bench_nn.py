"""nn-level workloads: one epoch of the tutorial's ring network (section 6.3.4)."""
import math

from _common import Workload


def ring_epoch(lib, n_train=4900, batch=100):
    """Linear 2->4->8->1 with ReLU, BCEWithLogitsLoss and Adam: 49 steps of batch 100, as the tutorial trains."""
    nn = lib.nn
    gen = lib.Generator().manual_seed(0)
    radius = lib.rand(n_train, 1, generator=gen) * 10
    theta = lib.rand(n_train, 1, generator=gen) * 2 * math.pi
    x = lib.cat([radius * lib.cos(theta), radius * lib.sin(theta)], dim=1)
    y = (radius > 5).float()
    net = nn.Sequential(nn.Linear(2, 4), nn.ReLU(), nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
    loss_fn = nn.BCEWithLogitsLoss()
    optimizer = lib.optim.Adam(net.parameters(), lr=0.01)
    batches = [(x[i:i + batch], y[i:i + batch]) for i in range(0, n_train, batch)]

    def epoch():
        for features, labels in batches:
            loss = loss_fn(net(features), labels)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return epoch


WORKLOADS = [
    Workload("ring_epoch", ring_epoch, "ring net 2->4->8->1, BCEWithLogits, Adam, 49 steps of batch 100",
             target_ratio=1.5),
]
