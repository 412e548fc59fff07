"""Quickstart: fit a logistic-regression classifier to iris with numbatorch tensors and autograd.

Run ``python tutorials/quickstart.py`` (``--help`` for options). Prints the loss as it trains and the
final validation accuracy as ``val_acc=<value>``.
"""
import argparse

from sklearn.datasets import load_iris

import numbatorch as torch


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--epochs", type=int, default=300)
    parser.add_argument("--lr", type=float, default=0.5)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    iris = load_iris()
    x = torch.tensor(iris.data, dtype=torch.float32)
    y = torch.tensor(iris.target)
    x = (x - x.mean(dim=0)) / x.std(dim=0)

    order = torch.randperm(len(x))
    train, val = order[:120], order[120:]
    w = torch.zeros(4, 3, requires_grad=True)
    b = torch.zeros(3, requires_grad=True)

    for epoch in range(1, args.epochs + 1):
        logits = x[train] @ w + b
        log_probs = torch.log_softmax(logits, dim=1)
        loss = -log_probs.gather(1, y[train].unsqueeze(1)).mean()
        loss.backward()
        with torch.no_grad():
            for p in (w, b):
                p -= args.lr * p.grad
                p.grad.zero_()
        if epoch % 50 == 0:
            print(f"epoch {epoch:4d}  train_loss={loss.item():.4f}")

    with torch.no_grad():
        predictions = (x[val] @ w + b).argmax(dim=1)
    accuracy = (predictions == y[val]).float().mean().item()
    print(f"val_acc={accuracy:.4f}")
    return accuracy


if __name__ == "__main__":
    main()
