"""``numbatorch.profiler`` (``torch.profiler``): wall-clock timing of ``record_function`` blocks; see
``profiler.py`` for what is collected."""
from ._events import EventList, FunctionEvent, FunctionEventAvg
from ._record import record_function
from .profiler import (ProfilerAction, ProfilerActivity, profile, schedule, supported_activities,
                       tensorboard_trace_handler)

__all__ = ["EventList", "FunctionEvent", "FunctionEventAvg", "ProfilerAction", "ProfilerActivity", "profile",
           "record_function", "schedule", "supported_activities", "tensorboard_trace_handler"]
