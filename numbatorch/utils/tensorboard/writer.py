"""``SummaryWriter``: PyTorch's TensorBoard logger, writing event files with tensorboard's own ``EventFileWriter``."""
import datetime
import os
import socket
import time

from tensorboard.compat.proto.event_pb2 import Event, SessionLog
from tensorboard.summary.writer.event_file_writer import EventFileWriter

from . import summary as S
from ._convert import figure_to_hwc, image_to_hwc, images_to_grid

__all__ = ["SummaryWriter", "FileWriter"]


class FileWriter:
    """Wraps an ``EventFileWriter``: turns summaries and graphs into timestamped events."""

    def __init__(self, log_dir, max_queue=10, flush_secs=120, filename_suffix=""):
        self.event_writer = EventFileWriter(str(log_dir), max_queue, flush_secs, filename_suffix)

    def get_logdir(self):
        return self.event_writer.get_logdir()

    def add_event(self, event, step=None, walltime=None):
        event.wall_time = time.time() if walltime is None else walltime
        if step is not None:
            event.step = int(step)
        self.event_writer.add_event(event)

    def add_summary(self, summary, global_step=None, walltime=None):
        self.add_event(Event(summary=summary), global_step, walltime)

    def add_graph(self, graph_def, walltime=None):
        self.add_event(Event(graph_def=graph_def.SerializeToString()), None, walltime)

    def flush(self):
        self.event_writer.flush()

    def close(self):
        self.event_writer.close()


class SummaryWriter:
    """Writes TensorBoard event files under ``log_dir`` (default ``runs/<date>_<host><comment>``).

    Same methods and arguments as ``torch.utils.tensorboard.SummaryWriter``; tensors may be numbatorch tensors,
    numpy arrays or numbers.
    """

    def __init__(self, log_dir=None, comment="", purge_step=None, max_queue=10, flush_secs=120, filename_suffix=""):
        if not log_dir:
            current_time = datetime.datetime.now().strftime("%b%d_%H-%M-%S")
            log_dir = os.path.join("runs", current_time + "_" + socket.gethostname() + comment)
        self.log_dir = str(log_dir)
        self.purge_step = purge_step
        self.max_queue = max_queue
        self.flush_secs = flush_secs
        self.filename_suffix = filename_suffix
        self.file_writer = FileWriter(self.log_dir, max_queue, flush_secs, filename_suffix)
        self.all_writers = {self.log_dir: self.file_writer}
        if purge_step is not None:
            # TensorBoard drops the events at or after purge_step that were written before this restart.
            self.file_writer.add_event(Event(file_version="brain.Event:2"), purge_step)
            self.file_writer.add_event(Event(session_log=SessionLog(status=SessionLog.START)), purge_step)

    def get_logdir(self):
        return self.log_dir

    def _get_file_writer(self):
        if self.file_writer is None:
            raise RuntimeError("this SummaryWriter is closed")
        return self.file_writer

    # ---- scalars ------------------------------------------------------------------------------------------
    def add_scalar(self, tag, scalar_value, global_step=None, walltime=None, new_style=False,
                   double_precision=False):
        """One number for ``tag`` at ``global_step``."""
        self._get_file_writer().add_summary(S.scalar(tag, scalar_value), global_step, walltime)

    def add_scalars(self, main_tag, tag_scalar_dict, global_step=None, walltime=None):
        """Several curves in one chart: each key goes to its own run ``<log_dir>/<main_tag>_<key>``,
        all under the tag ``main_tag``."""
        walltime = time.time() if walltime is None else walltime
        for tag, value in tag_scalar_dict.items():
            run_dir = os.path.join(self._get_file_writer().get_logdir(), main_tag.replace("/", "_") + "_" + tag)
            writer = self.all_writers.get(run_dir)
            if writer is None:
                writer = FileWriter(run_dir, self.max_queue, self.flush_secs, self.filename_suffix)
                self.all_writers[run_dir] = writer
            writer.add_summary(S.scalar(main_tag, value), global_step, walltime)

    # ---- distributions and media --------------------------------------------------------------------------
    def add_histogram(self, tag, values, global_step=None, bins="tensorflow", walltime=None, max_bins=None):
        self._get_file_writer().add_summary(S.histogram(tag, values, bins, max_bins), global_step, walltime)

    def add_image(self, tag, img_tensor, global_step=None, walltime=None, dataformats="CHW"):
        """One image; float pixels in [0, 1], integer pixels in [0, 255]."""
        self._get_file_writer().add_summary(S.image(tag, image_to_hwc(img_tensor, dataformats)), global_step,
                                            walltime)

    def add_images(self, tag, img_tensor, global_step=None, walltime=None, dataformats="NCHW"):
        """A batch of images, shown tiled in one grid (8 a row)."""
        self._get_file_writer().add_summary(S.image(tag, images_to_grid(img_tensor, dataformats)), global_step,
                                            walltime)

    def add_figure(self, tag, figure, global_step=None, close=True, walltime=None):
        """A matplotlib figure (or a list of figures, shown as a grid), rendered headless."""
        if isinstance(figure, (list, tuple)):
            import numpy as np
            pixels = [figure_to_hwc(f, close) for f in figure]
            self.add_images(tag, np.stack(pixels), global_step, walltime, dataformats="NHWC")
        else:
            self.add_image(tag, figure_to_hwc(figure, close), global_step, walltime, dataformats="HWC")

    def add_text(self, tag, text_string, global_step=None, walltime=None):
        self._get_file_writer().add_summary(S.text(tag, text_string), global_step, walltime)

    def add_pr_curve(self, tag, labels, predictions, global_step=None, num_thresholds=127, weights=None,
                     walltime=None):
        """Precision-recall curve of probabilities ``predictions`` against boolean ``labels``."""
        self._get_file_writer().add_summary(S.pr_curve(tag, labels, predictions, num_thresholds, weights),
                                            global_step, walltime)

    # ---- structure, hyperparameters, embeddings -----------------------------------------------------------
    def add_graph(self, model, input_to_model=None, verbose=False, use_strict_trace=True):
        """The module structure of ``model`` (traced on ``input_to_model``) for TensorBoard's Graphs tab."""
        from ._graph import module_graph
        graph_def = module_graph(model, input_to_model)
        if verbose:
            print(graph_def)
        self._get_file_writer().add_graph(graph_def)

    def add_hparams(self, hparam_dict, metric_dict, hparam_domain_discrete=None, run_name=None, global_step=None):
        """One hyperparameter-tuning session in the run ``<log_dir>/<run_name>`` (default: the time)."""
        exp, ssi, sei = S.hparams(hparam_dict, metric_dict, hparam_domain_discrete)
        run_name = run_name if run_name else str(time.time())
        log_dir = os.path.join(self._get_file_writer().get_logdir(), run_name)
        with SummaryWriter(log_dir=log_dir) as run_writer:
            fw = run_writer._get_file_writer()
            fw.add_summary(exp, global_step)
            fw.add_summary(ssi, global_step)
            fw.add_summary(sei, global_step)
            for key, value in metric_dict.items():
                run_writer.add_scalar(key, value, global_step)

    def add_embedding(self, mat, metadata=None, label_img=None, global_step=None, tag="default",
                      metadata_header=None):
        """Points ``mat`` (N, D) with optional labels and thumbnails for TensorBoard's projector."""
        from ._embedding import write_embedding
        write_embedding(self._get_file_writer().get_logdir(), mat, metadata, label_img, global_step, tag,
                        metadata_header)

    # ---- lifecycle ----------------------------------------------------------------------------------------
    def flush(self):
        for writer in self.all_writers.values():
            writer.flush()

    def close(self):
        if self.file_writer is None:
            return
        for writer in self.all_writers.values():
            writer.flush()
            writer.close()
        self.file_writer = None
        self.all_writers = {}

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_val, exc_tb):
        self.close()

