"""Builders of TensorBoard ``Summary`` protos (scalar, histogram, image, text, PR curve, hparams) from numpy data.

Protos and plugin metadata come from the ``tensorboard`` package itself, so its readers accept them.
"""
import io
import time

import numpy as np
from tensorboard.compat.proto.histogram_pb2 import HistogramProto
from tensorboard.compat.proto.summary_pb2 import Summary
from tensorboard.compat.proto.tensor_pb2 import TensorProto
from tensorboard.compat.proto.tensor_shape_pb2 import TensorShapeProto

from ._convert import to_numpy

__all__ = ["scalar", "histogram", "image", "text", "pr_curve", "hparams"]


def scalar(tag, value):
    value = to_numpy(value)
    if value.size != 1:
        raise ValueError(f"add_scalar expects a single number for tag {tag!r}, got an array of shape {value.shape}")
    return Summary(value=[Summary.Value(tag=tag, simple_value=float(value.reshape(())))])


def _tensorflow_bins():
    """TensorFlow's default histogram edges: +-1e-12 * 1.1**k up to 1e20, and 0."""
    pos = [1e-12]
    while pos[-1] < 1e20:
        pos.append(pos[-1] * 1.1)
    pos = np.array(pos)
    return np.concatenate((-pos[::-1], [0.0], pos))


def histogram(tag, values, bins="tensorflow", max_bins=None):
    values = to_numpy(values).astype(np.float64).reshape(-1)
    if values.size == 0:
        raise ValueError(f"add_histogram: the values for tag {tag!r} are empty")
    if not np.all(np.isfinite(values)):
        raise ValueError(f"add_histogram: the values for tag {tag!r} contain NaN or infinity")
    edges = _tensorflow_bins() if isinstance(bins, str) and bins == "tensorflow" else bins
    counts, limits = np.histogram(values, bins=edges)
    if max_bins is not None and counts.size > max_bins:
        # Merge neighbouring buckets so that at most max_bins remain.
        factor = -(-counts.size // max_bins)
        pad = (-counts.size) % factor
        counts = np.pad(counts, (0, pad)).reshape(-1, factor).sum(axis=1)
        limits = np.concatenate((limits[:1], np.pad(limits[1:], (0, pad), mode="edge")[factor - 1::factor]))
    # Drop the empty buckets at both ends (TensorBoard needs only the occupied range).
    nonzero = np.flatnonzero(counts)
    first, last = (nonzero[0], nonzero[-1] + 1) if nonzero.size else (0, 1)
    proto = HistogramProto(min=float(values.min()), max=float(values.max()), num=int(values.size),
                           sum=float(values.sum()), sum_squares=float(np.dot(values, values)),
                           bucket_limit=limits[first + 1:last + 1].tolist(), bucket=counts[first:last].tolist())
    return Summary(value=[Summary.Value(tag=tag, histo=proto)])


def _encode_png(hwc_uint8):
    from PIL import Image
    channels = hwc_uint8.shape[2]
    mode = {1: "L", 3: "RGB", 4: "RGBA"}[channels]
    img = Image.fromarray(hwc_uint8[:, :, 0] if channels == 1 else hwc_uint8, mode=mode)
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()


def image(tag, hwc_uint8):
    height, width, channels = hwc_uint8.shape
    proto = Summary.Image(height=height, width=width, colorspace=channels,
                          encoded_image_string=_encode_png(hwc_uint8))
    return Summary(value=[Summary.Value(tag=tag, image=proto)])


def text(tag, text_string):
    from tensorboard.plugins.text.metadata import create_summary_metadata
    metadata = create_summary_metadata(display_name=None, description=None)
    tensor = TensorProto(dtype="DT_STRING", string_val=[text_string.encode("utf-8")],
                         tensor_shape=TensorShapeProto(dim=[TensorShapeProto.Dim(size=1)]))
    return Summary(value=[Summary.Value(tag=tag + "/text_summary", metadata=metadata, tensor=tensor)])


def pr_curve_data(labels, predictions, num_thresholds=127, weights=None):
    """(6, num_thresholds) array: TP, FP, TN, FN, precision, recall at thresholds ``i / (num_thresholds - 1)``."""
    labels = to_numpy(labels).reshape(-1).astype(bool)
    predictions = to_numpy(predictions).astype(np.float64).reshape(-1)
    if labels.size != predictions.size:
        raise ValueError(f"add_pr_curve: labels ({labels.size}) and predictions ({predictions.size}) must have "
                         f"the same number of elements")
    if predictions.size and (predictions.min() < 0 or predictions.max() > 1):
        raise ValueError("add_pr_curve: predictions must be probabilities in [0, 1]")
    weights = np.ones_like(predictions) if weights is None else to_numpy(weights).astype(np.float64).reshape(-1)
    # Bucket b counts the predictions in [b / (n-1), (b+1) / (n-1)); a threshold t_i keeps buckets >= i.
    buckets = np.floor(predictions * (num_thresholds - 1)).astype(np.int64)
    tp_hist = np.bincount(buckets, weights=weights * labels, minlength=num_thresholds)
    fp_hist = np.bincount(buckets, weights=weights * ~labels, minlength=num_thresholds)
    tp = np.cumsum(tp_hist[::-1])[::-1]
    fp = np.cumsum(fp_hist[::-1])[::-1]
    tn = fp[0] - fp
    fn = tp[0] - tp
    precision = tp / np.maximum(1e-7, tp + fp)
    recall = tp / np.maximum(1e-7, tp + fn)
    return np.stack((tp, fp, tn, fn, precision, recall))


def pr_curve(tag, labels, predictions, num_thresholds=127, weights=None):
    from tensorboard.plugins.pr_curve.metadata import create_summary_metadata
    num_thresholds = min(num_thresholds, 127)  # TensorBoard's own limit
    data = pr_curve_data(labels, predictions, num_thresholds, weights).astype(np.float32)
    metadata = create_summary_metadata(display_name=tag, description="", num_thresholds=num_thresholds)
    tensor = TensorProto(dtype="DT_FLOAT", float_val=data.reshape(-1).tolist(),
                         tensor_shape=TensorShapeProto(dim=[TensorShapeProto.Dim(size=s) for s in data.shape]))
    return Summary(value=[Summary.Value(tag=tag, metadata=metadata, tensor=tensor)])


def _hparam_value(name, value):
    from google.protobuf.struct_pb2 import Value
    if isinstance(value, bool):
        return Value(bool_value=value)
    if isinstance(value, (int, float, np.integer, np.floating)):
        return Value(number_value=float(value))
    if isinstance(value, str):
        return Value(string_value=value)
    if hasattr(value, "numel") and value.numel() == 1:
        return Value(number_value=float(value.item()))
    raise ValueError(f"add_hparams: value of {name!r} must be bool, int, float, str or a one-element tensor, "
                     f"got {type(value).__name__}")


def _plugin_summary(tag, plugin_data):
    from tensorboard.plugins.hparams.metadata import create_summary_metadata
    metadata = create_summary_metadata(plugin_data)
    return Summary(value=[Summary.Value(tag=tag, metadata=metadata)])


def hparams(hparam_dict, metric_dict, hparam_domain_discrete=None):
    """The three hparams-plugin summaries (experiment, session start, session end) for one run."""
    from google.protobuf.struct_pb2 import ListValue
    from tensorboard.plugins.hparams import api_pb2, metadata, plugin_data_pb2

    if not isinstance(hparam_dict, dict) or not isinstance(metric_dict, dict):
        raise TypeError("add_hparams: hparam_dict and metric_dict must be dicts")
    hparam_domain_discrete = hparam_domain_discrete or {}
    for name, domain in hparam_domain_discrete.items():
        if name not in hparam_dict or not isinstance(domain, (list, tuple)):
            raise TypeError(f"add_hparams: hparam_domain_discrete[{name!r}] must list the values of a key of "
                            f"hparam_dict")
    ssi = plugin_data_pb2.SessionStartInfo(start_time_secs=time.time())
    infos = []
    for name, value in hparam_dict.items():
        if value is None:
            continue
        ssi.hparams[name].CopyFrom(_hparam_value(name, value))
        v = ssi.hparams[name]
        kind = v.WhichOneof("kind")
        dtype = {"bool_value": "DATA_TYPE_BOOL", "number_value": "DATA_TYPE_FLOAT64",
                 "string_value": "DATA_TYPE_STRING"}[kind]
        info = api_pb2.HParamInfo(name=name, type=api_pb2.DataType.Value(dtype))
        if name in hparam_domain_discrete:
            info.domain_discrete.CopyFrom(ListValue(values=[_hparam_value(name, d) for d in
                                                             hparam_domain_discrete[name]]))
        infos.append(info)
    metric_infos = [api_pb2.MetricInfo(name=api_pb2.MetricName(tag=k)) for k in metric_dict]
    experiment = api_pb2.Experiment(hparam_infos=infos, metric_infos=metric_infos)
    version = metadata.PLUGIN_DATA_VERSION
    exp = _plugin_summary(metadata.EXPERIMENT_TAG,
                          plugin_data_pb2.HParamsPluginData(version=version, experiment=experiment))
    start = _plugin_summary(metadata.SESSION_START_INFO_TAG,
                            plugin_data_pb2.HParamsPluginData(version=version, session_start_info=ssi))
    sei = plugin_data_pb2.SessionEndInfo(status=api_pb2.Status.Value("STATUS_SUCCESS"))
    end = _plugin_summary(metadata.SESSION_END_INFO_TAG,
                          plugin_data_pb2.HParamsPluginData(version=version, session_end_info=sei))
    return exp, start, end

