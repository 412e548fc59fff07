"""``segment_reduce`` against PyTorch: every reduction, with and without ``initial``, lengths or offsets,
empty segments, trailing dimensions, gradients and errors."""
import re

import numpy as np
import pytest

import numbatorch as nt
from tests.helpers import compare_with_torch

torch = pytest.importorskip("torch")

_DATA = np.array([1.0, 2.0, 3.5, 4.0, 5.0, 6.0])
_LENGTHS = [2, 0, 3, 1]


@pytest.mark.parametrize("reduce", ["sum", "mean", "max", "min", "prod"])
@pytest.mark.parametrize("initial", [None, 10.0])
def test_segment_reduce_matches_pytorch(reduce, initial):
    compare_with_torch(lambda lib, d: lib.segment_reduce(d, reduce, lengths=lib.tensor(_LENGTHS), initial=initial),
                       _DATA, names=False, tol=1e-12)
    data = np.arange(12.0).reshape(6, 2) / 3 + 0.5
    compare_with_torch(lambda lib, d: lib.segment_reduce(d, reduce, offsets=lib.tensor([0, 2, 2, 5, 6]),
                                                         initial=initial), data, names=False, tol=1e-12)


@pytest.mark.parametrize("kwargs", [{"reduce": "foo", "lengths": _LENGTHS}, {"reduce": "sum"},
                                    {"reduce": "sum", "lengths": _LENGTHS, "axis": 1}])
def test_segment_reduce_errors_match_pytorch(kwargs):
    data = np.arange(12.0).reshape(6, 2)
    args = {k: v for k, v in kwargs.items() if k != "lengths"}

    def call(lib):
        lengths = {"lengths": lib.tensor(kwargs["lengths"])} if "lengths" in kwargs else {}
        return lib.segment_reduce(lib.tensor(data), **args, **lengths)
    with pytest.raises(RuntimeError) as expected:
        call(torch)
    with pytest.raises(RuntimeError, match=re.escape(str(expected.value))):
        call(nt)
