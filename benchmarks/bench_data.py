"""Images/s through ImageFolder + the tutorial's training augmentation, 0 vs 2 workers.

Usage: python benchmarks/bench_data.py [--root PATH] [--epochs N]
Each measurement is one full pass over the folder (worker start-up included).  Passes
with 0 and 2 workers alternate, ``--epochs`` of each, so that a burst of load from
other programs hits both settings alike; the best pass of each is reported.
"""
import argparse
import os
import resource
import time

import numbatorch
from numbatorch.utils.data import DataLoader
from numbatorch.vision import datasets, transforms

DEFAULT_ROOT = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "datasets", "cifar2", "train")


def make_loader(root, num_workers, batch_size=50):
    augment = transforms.Compose([
        transforms.RandomHorizontalFlip(),
        transforms.RandomVerticalFlip(),
        transforms.RandomRotation(45),
        transforms.ToTensor(),
    ])
    dataset = datasets.ImageFolder(root, transform=augment,
                                   target_transform=lambda y: numbatorch.tensor([y]).float())
    return DataLoader(dataset, batch_size=batch_size, shuffle=True, num_workers=num_workers)


def _cpu_seconds():
    """CPU time of this process plus its finished children (the workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def one_pass(loader):
    """Wall seconds, images, and CPU seconds (main + workers) of one pass over ``loader``."""
    cpu_start = _cpu_seconds()
    start = time.perf_counter()
    count = 0
    for features, _ in loader:
        count += features.shape[0]
    seconds = time.perf_counter() - start
    # Workers are reaped at the end of each pass, so their CPU time is counted by now.
    return seconds, count, _cpu_seconds() - cpu_start


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--root", default=DEFAULT_ROOT)
    parser.add_argument("--epochs", type=int, default=3)
    args = parser.parse_args()
    numbatorch.manual_seed(0)
    loaders = {workers: make_loader(args.root, workers) for workers in (0, 2)}
    passes = {workers: [] for workers in loaders}
    for _ in range(args.epochs):
        for workers, loader in loaders.items():
            passes[workers].append(one_pass(loader))
    rates = {}
    for workers, results in passes.items():
        seconds, count, _ = min(results)
        rates[workers] = count / seconds
        cpu_us = sum(cpu for _, _, cpu in results) / sum(n for _, n, _ in results) * 1e6
        print(f"num_workers={workers}: {rates[workers]:8.0f} images/s  ({cpu_us:.0f} CPU us/image, "
              "main + workers)")
    print(f"speed-up with 2 workers: {rates[2] / rates[0]:.2f}x (target >= 1.6x)")
    # Wall-clock rates depend on what else runs: say how busy the machine was.
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
