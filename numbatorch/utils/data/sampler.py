"""Samplers: which dataset indices to load, and in which order."""
import numbatorch

__all__ = [
    "Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler",
    "WeightedRandomSampler", "BatchSampler",
]

# RandomSampler draws indices with replacement in chunks of this size (one call each).
_REPLACEMENT_CHUNK = 32


def _check_num_samples(num_samples):
    if not isinstance(num_samples, int) or isinstance(num_samples, bool) or num_samples <= 0:
        raise ValueError(f"num_samples should be a positive integer value, but got num_samples={num_samples}")


def _check_replacement(replacement):
    if not isinstance(replacement, bool):
        raise TypeError(f"replacement should be a boolean value, but got replacement={replacement}")


def _fresh_generator():
    """A generator seeded from the default one, so ``manual_seed`` fixes the order."""
    seed = int(numbatorch.empty((), dtype=numbatorch.int64).random_().item())
    generator = numbatorch.Generator()
    generator.manual_seed(seed)
    return generator


class Sampler:
    """Base class: an iterable over indices (or lists of indices for batch samplers)."""

    def __init__(self, data_source=None):
        pass

    def __iter__(self):
        raise NotImplementedError


class SequentialSampler(Sampler):
    """The indices ``0, 1, ..., len(data_source) - 1`` in order.

    Args:
        data_source: the dataset to sample from.
    """

    def __init__(self, data_source):
        self.data_source = data_source

    def __iter__(self):
        return iter(range(len(self.data_source)))

    def __len__(self):
        return len(self.data_source)


class RandomSampler(Sampler):
    """A random permutation of the indices, or ``num_samples`` uniform draws when ``replacement=True``.

    Args:
        data_source: the dataset to sample from.
        replacement: draw with replacement. Default: ``False``.
        num_samples: the number of indices per epoch. Default: ``len(data_source)``.
        generator: the ``numbatorch.Generator`` to draw from. Default: a fresh seed from the global generator.
    """

    def __init__(self, data_source, replacement=False, num_samples=None, generator=None):
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        _check_replacement(replacement)
        _check_num_samples(self.num_samples)

    @property
    def num_samples(self):
        # The dataset may change size between epochs: read it lazily.
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self):
        n = len(self.data_source)
        generator = self.generator if self.generator is not None else _fresh_generator()
        if self.replacement:
            for _ in range(self.num_samples // _REPLACEMENT_CHUNK):
                yield from numbatorch.randint(0, n, (_REPLACEMENT_CHUNK,), generator=generator).tolist()
            rest = self.num_samples % _REPLACEMENT_CHUNK
            if rest:
                yield from numbatorch.randint(0, n, (rest,), generator=generator).tolist()
        else:
            for _ in range(self.num_samples // n):
                yield from numbatorch.randperm(n, generator=generator).tolist()
            rest = self.num_samples % n
            if rest:
                yield from numbatorch.randperm(n, generator=generator).tolist()[:rest]

    def __len__(self):
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given indices in random order, without replacement.

    Args:
        indices: the indices to permute.
        generator: the ``numbatorch.Generator`` to draw from. Default: a fresh seed from the global generator.
    """

    def __init__(self, indices, generator=None):
        self.indices = indices
        self.generator = generator

    def __iter__(self):
        for i in numbatorch.randperm(len(self.indices), generator=self.generator).tolist():
            yield self.indices[i]

    def __len__(self):
        return len(self.indices)


class WeightedRandomSampler(Sampler):
    """Indices ``0..len(weights)-1`` drawn with probability proportional to ``weights``.

    Args:
        weights: the (not necessarily normalised) weight of each index.
        num_samples: the number of indices per epoch.
        replacement: draw with replacement; without it an index is drawn at most once. Default: ``True``.
        generator: the ``numbatorch.Generator`` to draw from. Default: a fresh seed from the global generator.
    """

    def __init__(self, weights, num_samples, replacement=True, generator=None):
        _check_num_samples(num_samples)
        _check_replacement(replacement)
        weights_tensor = numbatorch.as_tensor(weights, dtype=numbatorch.float64)
        if len(weights_tensor.shape) != 1:
            raise ValueError(
                "weights should be a 1d sequence but given weights have shape "
                f"{tuple(weights_tensor.shape)}"
            )
        self.weights = weights_tensor
        self.num_samples = num_samples
        self.replacement = replacement
        self.generator = generator

    def __iter__(self):
        draws = numbatorch.multinomial(self.weights, self.num_samples, self.replacement,
                                       generator=self.generator)
        yield from draws.tolist()

    def __len__(self):
        return self.num_samples


class BatchSampler(Sampler):
    """Groups another sampler's indices into lists of ``batch_size``.

    Args:
        sampler: a sampler or any iterable of indices.
        batch_size: the size of each list.
        drop_last: drop the last list if it is shorter than ``batch_size``.

    Examples::

        >>> list(BatchSampler(SequentialSampler(range(10)), batch_size=3, drop_last=False))
        [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]
    """

    def __init__(self, sampler, batch_size, drop_last):
        if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size <= 0:
            raise ValueError(f"batch_size should be a positive integer value, but got batch_size={batch_size}")
        if not isinstance(drop_last, bool):
            raise ValueError(f"drop_last should be a boolean value, but got drop_last={drop_last}")
        self.sampler = sampler
        self.batch_size = batch_size
        self.drop_last = drop_last

    def __iter__(self):
        batch = []
        for idx in self.sampler:
            batch.append(idx)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self):
        if self.drop_last:
            return len(self.sampler) // self.batch_size
        return (len(self.sampler) + self.batch_size - 1) // self.batch_size
