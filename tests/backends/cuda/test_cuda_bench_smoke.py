"""benchmarks/bench_cuda.py --smoke: every workload builds on 'cuda' and its results stay there (a workload that
fell back to the CPU fails); tiny sizes, so it also runs in the simulator."""
import importlib.util
import os

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


def test_every_workload_runs_on_cuda(capsys):
    path = os.path.join(REPO_ROOT, "benchmarks", "bench_cuda.py")
    spec = importlib.util.spec_from_file_location("bench_cuda", path)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    assert bench.main(["--smoke"]) == 0
    printed = capsys.readouterr().out
    for name, *_ in bench.WORKLOADS_CUDA:
        assert f"\n{name} " in printed
