"""``python -m numbatorch``: the dispatcher, ``info`` and ``warmup`` as a user runs them (subprocess), the
argument handling in-process."""
import importlib.metadata
import os
import re
import subprocess
import sys

import pytest

from numbatorch.cli.info import kernel_cache_dir
from numbatorch.cli.main import main

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def cli(*args, timeout=300):
    return subprocess.run([sys.executable, "-m", "numbatorch", *args], cwd=REPO_ROOT, capture_output=True,
                          text=True, timeout=timeout)


def test_help_lists_the_subcommands():
    done = cli("--help")
    assert done.returncode == 0
    assert done.stdout.startswith("usage: python -m numbatorch")
    for name in ("info", "warmup", "run"):
        assert f"    {name} " in done.stdout


def in_process(capsys, *args):
    """(exit status, stdout, stderr) of ``main(args)`` in this process (argparse exits are caught)."""
    try:
        status = main(list(args))
    except SystemExit as exit_:
        status = exit_.code
    out, err = capsys.readouterr()
    return status, out, err


def test_no_subcommand_prints_usage_and_fails(capsys):
    status, out, _ = in_process(capsys)
    assert status == 2 and "usage: python -m numbatorch" in out


@pytest.mark.parametrize("name", ["info", "warmup", "run"])
def test_subcommand_help(capsys, name):
    status, out, _ = in_process(capsys, name, "--help")
    assert status == 0
    assert out.startswith(f"usage: python -m numbatorch {name}")


def test_unknown_subcommand_is_an_argparse_error(capsys):
    status, _, err = in_process(capsys, "trian")
    assert status == 2 and "invalid choice: 'trian'" in err


def test_info_reports_versions_threads_cuda_and_cache():
    import numba
    import numpy

    import numbatorch
    done = cli("info")
    assert done.returncode == 0, done.stderr
    rows = dict(re.split(r"\s{2,}", line, maxsplit=1) for line in done.stdout.splitlines())  # label  value
    assert rows["numbatorch"] == numbatorch.__version__
    assert rows["numpy"] == numpy.__version__ and rows["numba"] == numba.__version__
    assert rows["threading layer"].split()[0] in ("tbb", "omp", "workqueue", "safe", "threadsafe", "forksafe")
    assert rows["threads"].startswith(f"{numba.config.NUMBA_NUM_THREADS} of")
    assert rows["CUDA available"] == str(numbatorch.cuda.is_available())
    assert rows["kernel cache"] == kernel_cache_dir()


def test_info_names_the_extra_of_a_missing_package(capsys, monkeypatch):
    real = importlib.metadata.version

    def version(name):
        if name == "pandas":
            raise importlib.metadata.PackageNotFoundError(name)
        return real(name)

    monkeypatch.setattr(importlib.metadata, "version", version)
    status, out, _ = in_process(capsys, "info")
    assert status == 0
    assert re.search(r"^pandas +not installed \(pip install 'numbatorch\[keras\]'\)$", out, re.M)


def test_warmup_compiles_the_chosen_families():
    done = cli("warmup", "--only", "norm", "pool", timeout=600)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert [line.split()[0] for line in lines] == ["norm", "pool", "total"]
    assert lines[-1].endswith(f"kernels cached in {kernel_cache_dir()}")


def test_warmup_rejects_an_unknown_family(capsys):
    status, _, err = in_process(capsys, "warmup", "--only", "lstm")
    assert status == 2 and "invalid choice: 'lstm'" in err
