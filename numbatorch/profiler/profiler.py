"""``torch.profiler``'s driver: ``profile`` (steps, schedules, trace handlers), ``schedule`` and
``tensorboard_trace_handler``.

What is measured, honestly: the wall-clock time of ``record_function`` blocks (and of each ``ProfilerStep#N`` when a
schedule is given). numbatorch has no operator-level instrumentation, so kernels appear only inside the blocks
that enclose them, and shapes, memory, stacks and FLOPs (``record_shapes``, ``profile_memory``, ``with_stack``,
``with_flops``, ``with_modules``) are accepted for compatibility and not collected.
"""
import enum
import os
import socket
import time
import warnings

from . import _record
from ._events import EventList
from ._record import record_function

__all__ = ["ProfilerAction", "ProfilerActivity", "profile", "schedule", "supported_activities",
           "tensorboard_trace_handler"]


class ProfilerActivity(enum.Enum):
    """The device activity kinds PyTorch's profiler names; numbatorch times CPU-side blocks only."""
    CPU = "CPU"
    XPU = "XPU"
    MTIA = "MTIA"
    CUDA = "CUDA"
    HPU = "HPU"
    PrivateUse1 = "PrivateUse1"


class ProfilerAction(enum.Enum):
    """What a schedule asks the profiler to do at a step."""
    NONE = 0
    WARMUP = 1
    RECORD = 2
    RECORD_AND_SAVE = 3
    DEVICE_STOPPED = 4


_RECORDING = (ProfilerAction.RECORD, ProfilerAction.RECORD_AND_SAVE)


def supported_activities():
    """The activities this profiler can time: CPU."""
    return {ProfilerActivity.CPU}


def schedule(*, wait, warmup, active, repeat=0, skip_first=0, skip_first_wait=0):
    """PyTorch's cyclic schedule: after ``skip_first`` steps, ``wait`` idle, ``warmup`` and ``active`` recorded
    steps (the last of each cycle saves a trace), ``repeat`` times (0: forever). ``skip_first_wait`` starts the
    first cycle after its wait phase."""
    if not (wait >= 0 and warmup >= 0 and active > 0 and repeat >= 0 and skip_first >= 0):
        raise AssertionError("Invalid profiler schedule arguments")
    if warmup == 0:
        warnings.warn("Profiler won't be using warmup, this can skew profiler results", stacklevel=2)
    num_steps = wait + warmup + active

    def schedule_fn(step):
        if step < 0:
            raise AssertionError(f"schedule step must be non-negative, got {step}")
        if step < skip_first:
            return ProfilerAction.NONE
        step -= skip_first
        if skip_first_wait != 0:
            step += wait
        if repeat > 0 and step / num_steps >= repeat:
            return ProfilerAction.NONE
        mod_step = step % num_steps
        if mod_step < wait:
            return ProfilerAction.NONE
        if mod_step < wait + warmup:
            return ProfilerAction.WARMUP
        return ProfilerAction.RECORD if mod_step < num_steps - 1 else ProfilerAction.RECORD_AND_SAVE

    return schedule_fn


def tensorboard_trace_handler(dir_name, worker_name=None, use_gzip=False, use_python_export=False):
    """An ``on_trace_ready`` handler writing ``<worker>.<time_ns>.pt.trace.json[.gz]`` into ``dir_name`` (the
    files TensorBoard's profile plugin reads). ``use_python_export`` is accepted: the export is always Python."""
    def handler_fn(prof):
        os.makedirs(dir_name, exist_ok=True)
        worker = worker_name or f"{socket.gethostname()}_{os.getpid()}"
        file_name = f"{worker}.{time.time_ns()}.pt.trace.json" + (".gz" if use_gzip else "")
        prof.export_chrome_trace(os.path.join(dir_name, file_name))

    return handler_fn


class profile:
    """Context manager timing ``record_function`` blocks by wall clock (see the module docstring for what is and
    is not collected). ``step()`` advances ``schedule``; each finished recording window is passed to
    ``on_trace_ready``. ``key_averages().table()`` and ``export_chrome_trace`` read the last window."""

    def __init__(self, *, activities=None, schedule=None, on_trace_ready=None, record_shapes=False,
                 profile_memory=False, with_stack=False, with_flops=False, with_modules=False,
                 experimental_config=None, execution_trace_observer=None, acc_events=False, use_cuda=None,
                 custom_trace_id_callback=None, post_processing_timeout_s=None):
        self.activities = set(activities) if activities else supported_activities()
        if use_cuda:
            self.activities.add(ProfilerActivity.CUDA)
        self.record_steps = schedule is not None
        self.schedule = schedule if schedule is not None else (lambda step: ProfilerAction.RECORD)
        self.on_trace_ready = on_trace_ready
        self.record_shapes, self.profile_memory, self.with_stack = record_shapes, profile_memory, with_stack
        self.with_flops, self.with_modules = with_flops, with_modules
        self.step_num = 0
        self.current_action = ProfilerAction.NONE
        self._window = EventList()  # blocks of the window being recorded
        self._finished = EventList()  # the last window completed
        self._step_rec = None

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc_info):
        self.stop()
        return False

    def start(self):
        """Begin at step 0 of the schedule."""
        self.current_action = self.schedule(self.step_num)
        self._apply(ProfilerAction.NONE, self.current_action)
        self._open_step()

    def stop(self):
        """End profiling; a window still recording is finished and handed to ``on_trace_ready``."""
        self._close_step()
        self._apply(self.current_action, None)

    def step(self):
        """Mark the end of a training step and move the schedule on."""
        self._close_step()
        previous = self.current_action
        self.step_num += 1
        self.current_action = self.schedule(self.step_num)
        self._apply(previous, self.current_action)
        self._open_step()

    def _open_step(self):
        if self.record_steps:
            self._step_rec = record_function(f"ProfilerStep#{self.step_num}")
            self._step_rec.__enter__()

    def _close_step(self):
        if self._step_rec is not None:
            self._step_rec.__exit__(None, None, None)
            self._step_rec = None

    def _apply(self, previous, current):
        """Move between schedule actions; ``current`` None means the profiler stops."""
        was, now = previous in _RECORDING, current in _RECORDING
        if was and (not now or previous is ProfilerAction.RECORD_AND_SAVE):
            _record.stop_recording()
            self._finished, self._window = self._window, EventList()
            if self.on_trace_ready is not None:
                self.on_trace_ready(self)
            was = False
        if now and not was:
            _record.start_recording(self._window)

    def events(self):
        """The timed blocks of the last finished window, as an :class:`EventList`."""
        return self._finished

    def key_averages(self, group_by_input_shape=False, group_by_stack_n=0, group_by_overload_name=False):
        """The last window's blocks averaged by name (no shapes or stacks are recorded to group by)."""
        return self._finished.key_averages()

    def export_chrome_trace(self, path):
        """Write the last window as a Chrome trace JSON (gzip-compressed for a ``.gz`` path)."""
        self._finished.export_chrome_trace(path)
