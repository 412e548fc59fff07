"""Random draws for transforms, all from numbatorch's default generator (``manual_seed`` fixes them)."""
import numbatorch


def uniform(low, high):
    """A float in ``[low, high)``."""
    return float(low + (high - low) * numbatorch.rand(1).item())


def randint(low, high):
    """An int in ``[low, high)``."""
    return int(numbatorch.randint(low, high, (1,)).item())


def coin(p):
    """True with probability ``p``."""
    return numbatorch.rand(1).item() < p


def permutation(n):
    return numbatorch.randperm(n).tolist()
