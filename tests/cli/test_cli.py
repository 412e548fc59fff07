"""``python -m numbatorch``: the dispatcher, ``info`` and ``warmup`` run as a user runs them (subprocess)."""
import os
import re
import subprocess
import sys

import pytest

from numbatorch.cli.info import kernel_cache_dir

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


def test_no_subcommand_prints_usage_and_fails():
    done = cli()
    assert done.returncode == 2 and "usage: python -m numbatorch" in done.stdout


@pytest.mark.parametrize("name", ["info", "warmup", "run"])
def test_subcommand_help(name):
    done = cli(name, "--help")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"usage: python -m numbatorch {name}")


def test_unknown_subcommand_is_an_argparse_error():
    done = cli("trian")
    assert done.returncode == 2 and "invalid choice: 'trian'" in done.stderr


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


def test_info_names_the_extra_of_a_missing_package():
    code = ("import importlib.metadata as md, sys\n"
            "real = md.version\n"
            "def version(name):\n"
            "    if name == 'pandas':\n"
            "        raise md.PackageNotFoundError(name)\n"
            "    return real(name)\n"
            "md.version = version\n"
            "from numbatorch.cli.main import main\n"
            "sys.exit(main(['info']))\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "pandas           not installed (pip install 'numbatorch[keras]')" in done.stdout


def test_warmup_compiles_the_chosen_families():
    done = cli("warmup", "--only", "norm", "pool", timeout=600)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert [line.split()[0] for line in lines] == ["norm", "pool", "total"]
    assert lines[-1].endswith(f"kernels cached in {kernel_cache_dir()}")


def test_warmup_rejects_an_unknown_family():
    done = cli("warmup", "--only", "lstm")
    assert done.returncode == 2 and "invalid choice: 'lstm'" in done.stderr
