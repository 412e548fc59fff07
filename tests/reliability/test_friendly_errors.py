"""Errors users meet first (issue 17 item 7), compared with PyTorch's on the same calls: numpy arrays given to
layers and functionals, float class targets, misspelt devices, softmax without ``dim``."""
import warnings

import numpy as np
import pytest

import numbatorch as nt


def _error(fn):
    try:
        fn()
    except Exception as exc:  # the type and the first line are what is compared
        return type(exc), str(exc).splitlines()[0]
    return None


@pytest.mark.parametrize("spec", ["gpu", "CPU", "", "cuda:x", "cpu:-1", "cuda:01", "cpu:0:1", ("cuda", -1),
                                  ("cuda", "1"), ("cpu:1", 2), 0])
def test_device_strings_like_pytorch(spec):
    torch = pytest.importorskip("torch")
    args = spec if isinstance(spec, tuple) else (spec,)
    ours = _error(lambda: nt.device(*args))
    assert ours is not None and ours == _error(lambda: torch.device(*args))


@pytest.mark.parametrize("spec", ["cpu", "cuda", "cuda:1", "mps", "meta", ("cpu", 0), ("cuda", 2)])
def test_valid_device_strings_like_pytorch(spec):
    torch = pytest.importorskip("torch")
    args = spec if isinstance(spec, tuple) else (spec,)
    ours, theirs = nt.device(*args), torch.device(*args)
    assert (ours.type, ours.index, str(ours), repr(ours)) == (theirs.type, theirs.index, str(theirs), repr(theirs))


def test_misspelt_device_lists_the_device_types():
    torch = pytest.importorskip("torch")
    for make in (lambda lib: lib.zeros(2, device="gpu"), lambda lib: lib.ones(2).to("gpu"),
                 lambda lib: lib.nn.Linear(2, 2).to("gpu")):
        ours = _error(lambda: make(nt))
        assert ours == _error(lambda: make(torch))
        assert "cpu, cuda" in ours[1]


@pytest.mark.parametrize("target", [np.array([1.0, 2.0, 0.0], np.float32), np.array([1.0, 2.0, 0.0]),
                                    np.array([True, False, True]), np.zeros((3, 5), np.int64)])
def test_cross_entropy_target_dtype_named_like_pytorch(target):
    torch = pytest.importorskip("torch")
    logits = np.random.default_rng(0).standard_normal((3, 5)).astype(np.float32)
    for call in (lambda lib, x, t: lib.nn.functional.cross_entropy(x, t),
                 lambda lib, x, t: lib.nn.CrossEntropyLoss()(x, t)):
        ours = _error(lambda: call(nt, nt.tensor(logits), nt.tensor(target)))
        assert ours is not None and ours == _error(lambda: call(torch, torch.tensor(logits), torch.tensor(target)))


@pytest.mark.parametrize("name", ["softmax", "log_softmax", "softmin"])
@pytest.mark.parametrize("ndim", [0, 1, 2, 3, 4])
def test_softmax_without_dim_warns_like_pytorch(name, ndim):
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(ndim).standard_normal((2, 3, 4, 5)[:ndim]).astype(np.float32)
    results = []
    for lib in (nt, torch):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            out = getattr(lib.nn.functional, name)(lib.tensor(x))
        assert [w.filename for w in caught] == [__file__]  # points at the caller, as PyTorch's does
        results.append((out.numpy(), [(w.category, str(w.message)) for w in caught]))
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-6)
    assert results[0][1] == results[1][1]


def _layer_cases(lib):
    nn = lib.nn
    image, rows, labels = np.zeros((2, 3, 8, 8), np.float32), np.zeros((2, 3), np.float32), np.zeros(2, np.int64)
    return {
        "Linear": (nn.Linear(3, 2), rows), "Conv2d": (nn.Conv2d(3, 2, 3), image),
        "ConvTranspose2d": (nn.ConvTranspose2d(3, 2, 3), image), "ReLU": (nn.ReLU(), rows),
        "Sigmoid": (nn.Sigmoid(), rows), "Tanh": (nn.Tanh(), rows), "GELU": (nn.GELU(), rows),
        "LayerNorm": (nn.LayerNorm(3), rows), "GroupNorm": (nn.GroupNorm(1, 3), image),
        "MaxPool2d": (nn.MaxPool2d(2), image), "AvgPool2d": (nn.AvgPool2d(2), image),
        "AdaptiveAvgPool2d": (nn.AdaptiveAvgPool2d(1), image), "Dropout": (nn.Dropout(), rows),
        "Dropout2d": (nn.Dropout2d(), image), "Softmax": (nn.Softmax(1), rows), "Embedding": (nn.Embedding(3, 2), labels),
        "CrossEntropyLoss": (nn.CrossEntropyLoss(), rows, labels), "MSELoss": (nn.MSELoss(), rows, rows),
        "L1Loss": (nn.L1Loss(), rows, rows),
    }


# Where PyTorch's own message is an AttributeError or names no argument, ours is the clearer TypeError form.
_CLEARER_THAN_PYTORCH = {"Conv2d", "GroupNorm", "AdaptiveAvgPool2d", "Dropout2d", "Softmax", "MSELoss", "L1Loss"}


@pytest.mark.parametrize("layer", sorted(_layer_cases(nt)))
def test_layer_on_numpy_array_names_the_functional(layer):
    torch = pytest.importorskip("torch")
    module, *args = _layer_cases(nt)[layer]
    ours = _error(lambda: module(*args))
    assert ours[0] is TypeError
    assert ours[1].endswith("must be Tensor, not numpy.ndarray")
    if layer not in _CLEARER_THAN_PYTORCH:
        theirs_module, *theirs_args = _layer_cases(torch)[layer]
        assert ours == _error(lambda: theirs_module(*theirs_args))


def test_functional_on_list_names_the_argument():
    torch = pytest.importorskip("torch")
    weight = np.ones((2, 3), np.float32)
    ours = _error(lambda: nt.nn.functional.linear([[1.0, 2.0, 3.0]], nt.tensor(weight)))
    assert ours == _error(lambda: torch.nn.functional.linear([[1.0, 2.0, 3.0]], torch.tensor(weight)))
