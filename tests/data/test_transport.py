"""Worker -> main transport: batches survive the pipe intact, through both code paths."""
import multiprocessing
import threading

import numpy as np
import pytest

import numbatorch
from numbatorch.utils.data import _transport

RAW_MODES = [True, False] if _transport.RAW_FDS else [False]


def _round_trip(messages, raw_fds):
    """Send ``(idx, data)`` pairs through one pipe (writer thread here) and read them back."""
    reader, writer = multiprocessing.Pipe(duplex=False)
    receiver = _transport.ResultReceiver(reader, raw_fds=raw_fds)
    sender = _transport.ResultSender(writer, raw_fds=raw_fds)

    def produce():
        for idx, data in messages:
            sender.send(idx, data, lambda: "unpicklable")

    # A separate producer: batches larger than the pipe must not deadlock the reader.
    producer = threading.Thread(target=produce)
    producer.start()
    received = [receiver.recv() for _ in messages]
    producer.join()
    sender.close()
    receiver.close()
    return received


def _batch(dtype):
    rng = np.random.default_rng(0)
    # Larger than the pipe (forces partial writes), one out-of-band buffer, small in-band ones.
    big = numbatorch.from_numpy(rng.standard_normal((40, 3, 64, 64)).astype(dtype))
    small = numbatorch.from_numpy(rng.integers(0, 10, size=(40, 1)))
    strided = numbatorch.from_numpy(rng.standard_normal((300, 200)).astype(dtype)).t()
    return {"image": big, "label": small, "strided": strided, "array": rng.random(5000),
            "name": ["a", "b"], "weight": numbatorch.ones(3, dtype=numbatorch.float64).requires_grad_()}


@pytest.mark.parametrize("raw_fds", RAW_MODES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_batches_arrive_intact_and_in_order(raw_fds, dtype):
    sent = [(i, _batch(dtype)) for i in range(3)]
    received = _round_trip(sent, raw_fds)
    assert [idx for idx, _ in received] == [0, 1, 2]
    for (_, expected), (_, got) in zip(sent, received):
        for key in ("image", "label", "strided", "weight"):
            assert isinstance(got[key], numbatorch.Tensor)
            assert got[key].dtype == expected[key].dtype
            assert got[key].shape == expected[key].shape
            np.testing.assert_array_equal(got[key].detach().numpy(), expected[key].detach().numpy())
        assert got["weight"].requires_grad and not got["image"].requires_grad
        np.testing.assert_array_equal(got["array"], expected["array"])
        assert got["name"] == ["a", "b"]
    # The received storage is the main process's own, writable memory.
    image = received[0][1]["image"]
    image.add_(1.0)
    np.testing.assert_allclose(image.numpy(), sent[0][1]["image"].numpy() + 1.0, rtol=1e-6)


@pytest.mark.parametrize("raw_fds", RAW_MODES)
def test_unpicklable_batch_becomes_the_error_message(raw_fds):
    received = _round_trip([(7, lambda: None), (8, 1.5)], raw_fds)
    assert received == [(7, "unpicklable"), (8, 1.5)]


def test_closed_writer_reads_as_end_of_file():
    reader, writer = multiprocessing.Pipe(duplex=False)
    receiver = _transport.ResultReceiver(reader)
    writer.close()
    with pytest.raises(EOFError):
        receiver.recv()
    receiver.close()
