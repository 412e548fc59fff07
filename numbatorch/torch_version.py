"""``torch.torch_version``: ``TorchVersion``, a version string that compares with strings and tuples in version
order (``TorchVersion("2.1.0") >= (2, 0)``), and ``internal_version``, numbatorch's own."""
import re

from . import __version__ as internal_version

__all__ = ["TorchVersion", "internal_version"]


def _release(value):
    """A sort key of a version given as a string, a TorchVersion or a tuple of ints: the release numbers
    (trailing zeros dropped), then pre-releases (a, b, rc, dev) before the release, local versions (+...) after."""
    if isinstance(value, tuple):
        numbers, rest = [int(part) for part in value], ""
    elif isinstance(value, str):
        match = re.match(r"\s*v?(\d+(?:\.\d+)*)(.*)", value)
        if match is None:
            raise ValueError(f"Invalid version: '{value}'")
        numbers, rest = [int(part) for part in match.group(1).split(".")], match.group(2)
    else:
        raise TypeError(f"'{type(value).__name__}' is not a version string or tuple")
    while len(numbers) > 1 and numbers[-1] == 0:
        numbers.pop()
    pre_release = -1 if re.match(r"[.-]?(a|b|rc|dev|alpha|beta|c|pre|preview)", rest) else 0
    return tuple(numbers), pre_release, "+" in rest


class TorchVersion(str):
    """A version string whose comparisons (``<``, ``<=``, ``==``, ``>=``, ``>``) with version strings and tuples of
    ints go by version order (pre-releases of one release are not ordered among themselves)."""

    def _compare(self, other, method):
        try:
            theirs = _release(other)
        except TypeError:
            return NotImplemented
        return getattr(_release(str(self)), method)(theirs)

    def __lt__(self, other):
        return self._compare(other, "__lt__")

    def __le__(self, other):
        return self._compare(other, "__le__")

    def __eq__(self, other):
        return self._compare(other, "__eq__")

    def __ge__(self, other):
        return self._compare(other, "__ge__")

    def __gt__(self, other):
        return self._compare(other, "__gt__")

    __hash__ = str.__hash__
