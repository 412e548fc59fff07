"""numbatorch.profiler: schedules step for step like PyTorch's, windows reach on_trace_ready with the same
record_function blocks, timings are wall-clock and nest, traces are Chrome JSON."""
import gzip
import json
import threading
import time

import pytest

import numbatorch as nt
from numbatorch import profiler


def _torch():
    return pytest.importorskip("torch")


SCHEDULES = [dict(wait=1, warmup=1, active=2), dict(wait=0, warmup=2, active=1, repeat=2),
             dict(wait=2, warmup=1, active=3, repeat=1, skip_first=3),
             dict(wait=3, warmup=1, active=1, skip_first_wait=1)]


@pytest.mark.parametrize("kwargs", SCHEDULES)
def test_schedule_matches_torch(kwargs):
    torch = _torch()
    ours, theirs = profiler.schedule(**kwargs), torch.profiler.schedule(**kwargs)
    assert [ours(i).name for i in range(30)] == [theirs(i).name for i in range(30)]


def test_schedule_errors_and_warning_match_torch():
    torch = _torch()
    for lib in (profiler, torch.profiler):
        with pytest.raises(AssertionError):
            lib.schedule(wait=0, warmup=1, active=0)
    with pytest.warns(UserWarning, match="won't be using warmup") as record:
        profiler.schedule(wait=1, warmup=0, active=1)
    assert record[0].filename == __file__


def _trace_windows(lib):
    windows = []
    sched = lib.profiler.schedule(wait=1, warmup=1, active=2, repeat=2)

    def ready(prof):
        windows.append([e.key for e in prof.key_averages() if e.key in ("work", "extra") or "ProfilerStep" in e.key])

    with lib.profiler.profile(activities=[lib.profiler.ProfilerActivity.CPU], schedule=sched,
                              on_trace_ready=ready) as prof:
        for step in range(10):
            with lib.profiler.record_function("work"):
                if step % 2:
                    with lib.profiler.record_function("extra"):
                        pass
            prof.step()
    return [sorted(w) for w in windows]


def test_scheduled_windows_match_torch():
    torch = _torch()
    assert _trace_windows(nt) == _trace_windows(torch)


def test_times_nest_and_cover_the_block():
    with profiler.profile() as prof:
        with profiler.record_function("outer"):
            time.sleep(0.02)
            with profiler.record_function("inner"):
                time.sleep(0.03)
    averages = {e.key: e for e in prof.key_averages()}
    outer, inner = averages["outer"], averages["inner"]
    assert inner.cpu_time_total >= 30_000 and outer.cpu_time_total >= 50_000
    assert outer.self_cpu_time_total == pytest.approx(outer.cpu_time_total - inner.cpu_time_total)
    table = prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=1)
    assert "Self CPU %" in table and "# of Calls" in table and "inner" in table and "outer" not in table
    with pytest.raises(AttributeError, match="no_such_column"):
        prof.key_averages().table(sort_by="no_such_column")


def test_nothing_recorded_outside_a_profile_and_threads_are_collected():
    with profiler.record_function("before"):
        pass
    with profiler.profile() as prof:
        workers = [threading.Thread(target=profiler.record_function("in_thread")(lambda: None)) for _ in range(3)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
    averages = {e.key: e for e in prof.key_averages()}
    assert "before" not in averages and averages["in_thread"].count == 3


@pytest.mark.parametrize("use_gzip", [False, True])
def test_tensorboard_trace_handler_writes_chrome_trace(tmp_path, use_gzip):
    handler = profiler.tensorboard_trace_handler(str(tmp_path), worker_name="w0", use_gzip=use_gzip)
    with profiler.profile(schedule=profiler.schedule(wait=0, warmup=1, active=1, repeat=1),
                          on_trace_ready=handler) as prof:
        for _ in range(3):
            with profiler.record_function("block", args="x"):
                pass
            prof.step()
    (path,) = tmp_path.iterdir()
    assert path.name.startswith("w0.") and path.name.endswith(".pt.trace.json" + (".gz" if use_gzip else ""))
    with (gzip.open if use_gzip else open)(path, "rt") as f:
        events = json.load(f)["traceEvents"]
    assert {e["name"] for e in events} == {"block", "ProfilerStep#1"}
    assert all(e["ph"] == "X" and e["dur"] >= 0 for e in events)


def test_lazy_submodule_and_torch_names():
    torch = _torch()
    assert nt.profiler is profiler
    assert set(torch.profiler.ProfilerActivity.__members__) == set(profiler.ProfilerActivity.__members__)
    assert set(torch.profiler.ProfilerAction.__members__) == set(profiler.ProfilerAction.__members__)
    assert profiler.ProfilerActivity.CPU in profiler.supported_activities()
