"""SummaryWriter: every kind of record is read back with tensorboard's own EventAccumulator."""
import io
import os

import numpy as np
import pytest

pytest.importorskip("tensorboard")

import numbatorch  # noqa: E402
from numbatorch.utils.tensorboard import SummaryWriter  # noqa: E402

from tests.keras._helpers import ring_net  # noqa: E402


def _accumulator(path):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    ea = EventAccumulator(str(path), size_guidance={"scalars": 0, "histograms": 0, "images": 0, "tensors": 0,
                                                    "graph": 0})
    ea.Reload()
    return ea


def _decode_png(encoded):
    from PIL import Image
    return np.asarray(Image.open(io.BytesIO(encoded)))


def test_scalars_steps_and_values(tmp_path):
    values = np.random.default_rng(0).normal(size=5)
    with SummaryWriter(tmp_path) as w:
        for step, v in enumerate(values):
            w.add_scalar("loss/train", numbatorch.tensor(float(v)), step * 10)
    events = _accumulator(tmp_path).Scalars("loss/train")
    assert [e.step for e in events] == [0, 10, 20, 30, 40]
    np.testing.assert_allclose([e.value for e in events], values, rtol=1e-6)


def test_add_scalars_writes_one_run_per_key(tmp_path):
    with SummaryWriter(tmp_path) as w:
        for epoch in (1, 2):
            w.add_scalars("loss", {"train_loss": 1.0 / epoch, "val_loss": 2.0 / epoch}, epoch)
    for key, scale in (("train_loss", 1.0), ("val_loss", 2.0)):
        events = _accumulator(tmp_path / f"loss_{key}").Scalars("loss")
        assert [e.step for e in events] == [1, 2]
        np.testing.assert_allclose([e.value for e in events], [scale, scale / 2])


def test_histogram_statistics(tmp_path):
    values = numbatorch.tensor(np.random.default_rng(1).normal(size=1000).astype(np.float32))
    with SummaryWriter(tmp_path) as w:
        w.add_histogram("fc1.weight", values, 3)
    (event,) = _accumulator(tmp_path).Histograms("fc1.weight")
    h, v = event.histogram_value, values.numpy().astype(np.float64)
    assert event.step == 3
    assert (h.min, h.max, h.num) == (pytest.approx(v.min()), pytest.approx(v.max()), 1000)
    assert h.sum == pytest.approx(v.sum(), rel=1e-6) and h.sum_squares == pytest.approx((v * v).sum(), rel=1e-6)
    assert sum(h.bucket) == 1000 and h.bucket_limit[-1] >= v.max()


@pytest.mark.parametrize("dataformats", ["CHW", "HWC"])
def test_image_pixels(tmp_path, dataformats):
    rng = np.random.default_rng(2)
    hwc = rng.integers(0, 256, size=(6, 9, 3), dtype=np.uint8)
    img = hwc if dataformats == "HWC" else hwc.transpose(2, 0, 1)
    with SummaryWriter(tmp_path) as w:
        w.add_image("img", numbatorch.tensor(img), 1, dataformats=dataformats)
    (event,) = _accumulator(tmp_path).Images("img")
    assert (event.height, event.width) == (6, 9)
    np.testing.assert_array_equal(_decode_png(event.encoded_image_string), hwc)


def test_float_image_scaled_from_unit_range(tmp_path):
    chw = np.random.default_rng(3).random((1, 4, 5)).astype(np.float32)
    with SummaryWriter(tmp_path) as w:
        w.add_image("grey", chw)
    (event,) = _accumulator(tmp_path).Images("grey")
    decoded = _decode_png(event.encoded_image_string)
    np.testing.assert_array_equal(decoded.reshape(4, 5), np.round(chw[0] * 255).astype(np.uint8))


def test_images_grid(tmp_path):
    batch = np.random.default_rng(4).integers(0, 256, size=(10, 3, 4, 5), dtype=np.uint8)
    with SummaryWriter(tmp_path) as w:
        w.add_images("batch", batch, 0, dataformats="NCHW")
    (event,) = _accumulator(tmp_path).Images("batch")
    grid = _decode_png(event.encoded_image_string)
    assert grid.shape == (2 * 4, 8 * 5, 3)  # 8 images a row
    np.testing.assert_array_equal(grid[4:8, 5:10], batch[9].transpose(1, 2, 0))


def test_figure(tmp_path):
    from matplotlib.figure import Figure
    fig = Figure(figsize=(3, 2), dpi=50)
    fig.add_subplot(1, 1, 1).plot([0, 1], [1, 0])
    with SummaryWriter(tmp_path) as w:
        w.add_figure("fig", fig, 2)
    (event,) = _accumulator(tmp_path).Images("fig")
    assert (event.width, event.height, event.step) == (150, 100, 2)


def test_text(tmp_path):
    with SummaryWriter(tmp_path) as w:
        w.add_text("note", "hello **world**", 4)
    (event,) = _accumulator(tmp_path).Tensors("note/text_summary")
    assert event.step == 4
    assert event.tensor_proto.string_val[0].decode() == "hello **world**"


def test_graph_has_module_structure_and_data_edges(tmp_path):
    net = ring_net()
    with SummaryWriter(tmp_path) as w:
        w.add_graph(net, numbatorch.randn(3, 2))
    graph = _accumulator(tmp_path).Graph()
    nodes = {n.name: n for n in graph.node}
    assert {"Net/Linear[fc1]", "Net/Linear[fc2]", "Net/Linear[fc3]"} <= set(nodes)
    assert nodes["Net/Linear[fc1]"].op == "Linear"
    assert list(nodes["Net/Linear[fc1]"].input) == ["Net/input.0"]
    assert list(nodes["Net/Linear[fc2]"].input) == ["Net/Linear[fc1]"]  # across F.relu
    assert list(nodes["Net/Linear[fc3]"].input) == ["Net/Linear[fc2]"]
    assert list(nodes["Net/output.0"].input) == ["Net/Linear[fc3]"]
    assert nodes["Net/Linear[fc2]"].attr["extra_repr"].s.decode() == net.fc2.extra_repr()
    dims = [d.size for d in nodes["Net/Linear[fc2]"].attr["_output_shapes"].list.shape[0].dim]
    assert dims == [3, 8]


def test_hparams(tmp_path):
    from tensorboard.plugins.hparams import metadata
    with SummaryWriter(tmp_path) as w:
        w.add_hparams({"lr": 0.01, "optimizer": "adam", "bn": True}, {"hparam/auc": 0.93}, run_name="run1")
    ea = _accumulator(tmp_path / "run1")
    content = ea.PluginTagToContent(metadata.PLUGIN_NAME)
    experiment = metadata.parse_experiment_plugin_data(content[metadata.EXPERIMENT_TAG])
    assert [h.name for h in experiment.hparam_infos] == ["lr", "optimizer", "bn"]
    assert [m.name.tag for m in experiment.metric_infos] == ["hparam/auc"]
    start = metadata.parse_session_start_info_plugin_data(content[metadata.SESSION_START_INFO_TAG])
    assert start.hparams["lr"].number_value == 0.01
    assert start.hparams["optimizer"].string_value == "adam"
    assert start.hparams["bn"].bool_value is True
    assert ea.Scalars("hparam/auc")[0].value == pytest.approx(0.93)


def test_pr_curve(tmp_path):
    from tensorboard.util import tensor_util
    rng = np.random.default_rng(5)
    labels = rng.random(400) < 0.4
    predictions = np.clip(0.3 * labels + 0.7 * rng.random(400), 0, 1)
    with SummaryWriter(tmp_path) as w:
        w.add_pr_curve("pr", numbatorch.tensor(labels), numbatorch.tensor(predictions), 7, num_thresholds=11)
    (event,) = _accumulator(tmp_path).Tensors("pr")
    data = tensor_util.make_ndarray(event.tensor_proto)
    assert data.shape == (6, 11) and event.step == 7
    thresholds = np.arange(11) / 10
    tp = np.array([np.sum(labels & (predictions >= t)) for t in thresholds])
    fp = np.array([np.sum(~labels & (predictions >= t)) for t in thresholds])
    np.testing.assert_array_equal(data[0], tp)
    np.testing.assert_array_equal(data[1], fp)
    np.testing.assert_array_equal(data[2], np.sum(~labels) - fp)
    np.testing.assert_array_equal(data[3], np.sum(labels) - tp)
    np.testing.assert_allclose(data[4], tp / np.maximum(tp + fp, 1e-7), rtol=1e-6)
    np.testing.assert_allclose(data[5], tp / labels.sum(), rtol=1e-6)


def test_embedding_files_and_projector_config(tmp_path):
    from google.protobuf import text_format
    from tensorboard.plugins.projector.projector_config_pb2 import ProjectorConfig
    mat = np.random.default_rng(6).normal(size=(5, 3)).astype(np.float32)
    with SummaryWriter(tmp_path) as w:
        w.add_embedding(numbatorch.tensor(mat), metadata=list("abcde"), label_img=numbatorch.rand(5, 3, 4, 4),
                        global_step=2, tag="points")
    config = text_format.Parse((tmp_path / "projector_config.pbtxt").read_text(), ProjectorConfig())
    (info,) = config.embeddings
    assert info.tensor_name == "points:00002"
    np.testing.assert_allclose(np.loadtxt(tmp_path / info.tensor_path, delimiter="\t"), mat, rtol=1e-6)
    assert (tmp_path / info.metadata_path).read_text().split() == list("abcde")
    assert os.path.exists(tmp_path / info.sprite.image_path)
    assert list(info.sprite.single_image_dim) == [4, 4]


def test_purge_step_and_closed_writer(tmp_path):
    w = SummaryWriter(tmp_path, purge_step=5)
    w.add_scalar("x", 1.0, 5)
    w.close()
    w.close()  # closing twice is harmless
    with pytest.raises(RuntimeError, match="closed"):
        w.add_scalar("x", 1.0, 6)
    assert [e.step for e in _accumulator(tmp_path).Scalars("x")] == [5]


def test_default_log_dir_uses_runs_and_comment(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with SummaryWriter(comment="_exp") as w:
        logdir = w.get_logdir()
    assert logdir.startswith("runs" + os.sep) and logdir.endswith("_exp") and os.path.isdir(logdir)
