"""default_collate / default_convert for every supported type, against PyTorch when installed."""
import collections

import numpy as np
import pytest

import numbatorch
from numbatorch.utils.data import default_collate, default_convert

Point = collections.namedtuple("Point", ["x", "y"])


def _np(value):
    return value.numpy()


def test_tensors_are_stacked():
    a = numbatorch.from_numpy(np.arange(6, dtype=np.float32).reshape(2, 3))
    b = numbatorch.from_numpy(np.ones((2, 3), dtype=np.float32))
    out = default_collate([a, b])
    assert isinstance(out, numbatorch.Tensor) and tuple(out.shape) == (2, 2, 3)
    np.testing.assert_array_equal(_np(out), np.stack([a.numpy(), b.numpy()]))


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64, np.uint8])
def test_numpy_arrays_and_scalars(dtype):
    arrays = [np.arange(4, dtype=dtype) + k for k in range(3)]
    out = default_collate(arrays)
    assert _np(out).dtype == dtype
    np.testing.assert_array_equal(_np(out), np.stack(arrays))
    scalars = [dtype(k) for k in range(3)]
    out = default_collate(scalars)
    assert _np(out).dtype == dtype and _np(out).tolist() == [0, 1, 2]


def test_python_numbers_bools_strings():
    floats = default_collate([0.5, 1.5])
    assert _np(floats).dtype == np.float64 and _np(floats).tolist() == [0.5, 1.5]
    ints = default_collate([3, 4])
    assert _np(ints).dtype == np.int64 and _np(ints).tolist() == [3, 4]
    bools = default_collate([True, False])
    assert _np(bools).dtype == np.bool_ and _np(bools).tolist() == [True, False]
    assert default_collate(["a", "b"]) == ["a", "b"]
    assert default_collate([b"a", b"b"]) == [b"a", b"b"]


def test_containers_are_recursed():
    batch = [
        {"img": np.zeros(2), "label": 1, "meta": {"name": "a", "tags": [1.0, 2.0]}},
        {"img": np.ones(2), "label": 0, "meta": {"name": "b", "tags": [3.0, 4.0]}},
    ]
    out = default_collate(batch)
    np.testing.assert_array_equal(_np(out["img"]), [[0, 0], [1, 1]])
    assert _np(out["label"]).tolist() == [1, 0]
    assert out["meta"]["name"] == ["a", "b"]
    # A list of per-position batches: tags[0] collects the first tag of every sample.
    assert [_np(t).tolist() for t in out["meta"]["tags"]] == [[1.0, 3.0], [2.0, 4.0]]

    points = default_collate([Point(1, 2.0), Point(3, 4.0)])
    assert isinstance(points, Point)
    assert _np(points.x).tolist() == [1, 3] and _np(points.y).tolist() == [2.0, 4.0]

    pairs = default_collate([(1, "x"), (2, "y")])
    assert isinstance(pairs, list)  # tuples become lists, as in PyTorch
    assert _np(pairs[0]).tolist() == [1, 2] and pairs[1] == ("x", "y")  # zip keeps strings in a tuple


def test_errors():
    with pytest.raises(RuntimeError, match="each element in list of batch should be of equal size"):
        default_collate([[1, 2], [3]])
    with pytest.raises(TypeError, match="default_collate: batch must contain"):
        default_collate([object(), object()])
    with pytest.raises(TypeError, match="default_collate: batch must contain"):
        default_collate([np.array(["a"]), np.array(["b"])])


def test_default_convert():
    out = default_convert({"a": np.arange(3), "b": (np.float32(2.0), "s"), "c": 5})
    assert isinstance(out["a"], numbatorch.Tensor) and _np(out["a"]).tolist() == [0, 1, 2]
    assert isinstance(out["b"], list) and _np(out["b"][0]).item() == 2.0 and out["b"][1] == "s"
    assert out["c"] == 5  # Python numbers are left alone
    strings = np.array(["x"])
    assert default_convert(strings) is strings


def _to_numpy_tree(value):
    """Nested structure with tensors (either framework) replaced by numpy arrays."""
    if hasattr(value, "numpy") and not isinstance(value, np.ndarray):
        return value.numpy()
    if isinstance(value, dict):
        return {k: _to_numpy_tree(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_to_numpy_tree(v) for v in value) if not hasattr(value, "_fields") \
            else type(value)(*(_to_numpy_tree(v) for v in value))
    return value


def _assert_same_tree(ours, theirs):
    assert type(ours) is type(theirs) or (isinstance(ours, np.ndarray) and isinstance(theirs, np.ndarray))
    if isinstance(ours, np.ndarray):
        assert ours.dtype == theirs.dtype and ours.shape == theirs.shape
        np.testing.assert_array_equal(ours, theirs)
    elif isinstance(ours, dict):
        assert ours.keys() == theirs.keys()
        for k in ours:
            _assert_same_tree(ours[k], theirs[k])
    elif isinstance(ours, (list, tuple)):
        assert len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            _assert_same_tree(a, b)
    else:
        assert ours == theirs


def test_matches_pytorch_default_collate():
    torch = pytest.importorskip("torch")
    from torch.utils.data import default_collate as torch_collate
    rng = np.random.default_rng(0)
    samples = [
        {"x": rng.normal(size=(2, 3)).astype(np.float32), "n": k, "f": k * 0.5, "ok": k % 2 == 0,
         "s": f"id{k}", "p": Point(np.int64(k), [k, k + 1]), "t": (np.float64(k), np.arange(2))}
        for k in range(4)
    ]
    ours = _to_numpy_tree(default_collate(samples))
    theirs = _to_numpy_tree(torch_collate(samples))
    _assert_same_tree(ours, theirs)
    assert torch is not None
