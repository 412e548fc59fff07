"""Anomaly detection (detect_anomaly, set_detect_anomaly), compared with PyTorch: process-wide switches, NaN in a
backward step raises naming the node, and the warning shows the forward line that made it."""
import threading
import warnings

import numpy as np
import pytest

import numbatorch as nt


def _nan_backward(lib, check_nan=True):
    """sqrt at 0 times 0: the backward of sqrt returns NaN (0 * inf)."""
    x = lib.tensor([0.0, 4.0], requires_grad=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with lib.autograd.detect_anomaly(check_nan=check_nan):
            y = (x.sqrt() * 0).sum()  # the forward line the warning must show
            try:
                y.backward()
                error = None
            except RuntimeError as exc:
                error = str(exc)
    messages = [str(w.message) for w in caught if "Error detected" in str(w.message)]
    return error, messages, None if x.grad is None else x.grad.numpy()


def test_nan_in_backward_raises_and_shows_the_forward_line():
    torch = pytest.importorskip("torch")
    error, messages, _ = _nan_backward(nt)
    assert error == _nan_backward(torch)[0] == "Function 'SqrtBackward0' returned nan values in its 0th output."
    assert len(messages) == 1 and messages[0].startswith("Error detected in SqrtBackward0.")
    assert "y = (x.sqrt() * 0).sum()" in messages[0] and __file__ in messages[0]
    assert not nt.is_anomaly_enabled()


def test_check_nan_false_lets_nan_through():
    torch = pytest.importorskip("torch")
    with np.errstate(all="ignore"):
        ours = _nan_backward(nt, check_nan=False)
    theirs = _nan_backward(torch, check_nan=False)
    assert ours[0] is None and theirs[0] is None and ours[1] == []
    np.testing.assert_array_equal(ours[2], theirs[2])


def _switches(lib):
    seen = [lib.is_anomaly_enabled()]
    with lib.autograd.detect_anomaly(check_nan=False):
        seen.append((lib.is_anomaly_enabled(), lib.is_anomaly_check_nan_enabled()))
        other = []
        t = threading.Thread(target=lambda: other.append(lib.is_anomaly_enabled()))
        t.start()
        t.join()
        seen.append(other)  # process-wide, unlike grad mode
    seen.append(lib.is_anomaly_enabled())
    lib.autograd.set_detect_anomaly(True)
    seen.append((lib.is_anomaly_enabled(), lib.is_anomaly_check_nan_enabled()))
    with lib.autograd.set_detect_anomaly(False):
        seen.append(lib.is_anomaly_enabled())
    seen.append(lib.is_anomaly_enabled())
    lib.autograd.set_detect_anomaly(False)
    return seen


def test_switches_like_pytorch():
    torch = pytest.importorskip("torch")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert _switches(nt) == _switches(torch)


def test_backward_without_anomalies_matches_plain_backward():
    x = nt.tensor([1.0, 4.0], requires_grad=True)
    (x.sqrt() * x).sum().backward()
    plain = x.grad.numpy().copy()
    x.grad = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with nt.autograd.detect_anomaly():
            (x.sqrt() * x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), plain)
