"""Images/s through ImageFolder + the tutorial's training augmentation, 0 vs 2 workers.

Usage: python benchmarks/bench_data.py [--root PATH] [--epochs N]
Each measurement is one full pass over the folder (worker start-up included); the best
of ``--epochs`` passes is reported.
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


def images_per_second(loader, epochs):
    """Best wall-clock rate over ``epochs`` passes, and CPU microseconds per image."""
    best = float("inf")
    cpu_start = _cpu_seconds()
    for _ in range(epochs):
        start = time.perf_counter()
        count = 0
        for features, _ in loader:
            count += features.shape[0]
        best = min(best, time.perf_counter() - start)
    # Workers are reaped at the end of each pass, so their CPU time is counted by now.
    cpu_per_image_us = (_cpu_seconds() - cpu_start) / (epochs * count) * 1e6
    return count / best, cpu_per_image_us


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--root", default=DEFAULT_ROOT)
    parser.add_argument("--epochs", type=int, default=2)
    args = parser.parse_args()
    numbatorch.manual_seed(0)
    rates = {}
    for workers in (0, 2):
        rates[workers], cpu_us = images_per_second(make_loader(args.root, workers), args.epochs)
        print(f"num_workers={workers}: {rates[workers]:8.0f} images/s  ({cpu_us:.0f} CPU us/image, "
              "main + workers)")
    print(f"speed-up with 2 workers: {rates[2] / rates[0]:.2f}x (target >= 1.6x)")
    # Wall-clock rates depend on what else runs: say how busy the machine was.
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
