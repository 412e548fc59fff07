"""Run a small PyTorch script twice: through ``python -m numbatorch run`` and with the real PyTorch."""
import os
import subprocess
import sys
import textwrap

TIMEOUT = 240


def write_script(tmp_path, source, name="script.py"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(source))
    return path


def run_numbatorch(script, *args, cwd=None):
    """``python -m numbatorch run script args...``; the CompletedProcess (text output)."""
    return subprocess.run([sys.executable, "-m", "numbatorch", "run", str(script), *map(str, args)],
                          capture_output=True, text=True, timeout=TIMEOUT, cwd=cwd or script.parent,
                          env=_env())


def run_torch(script, *args, cwd=None):
    """``python script args...`` with the real PyTorch."""
    return subprocess.run([sys.executable, str(script), *map(str, args)], capture_output=True, text=True,
                          timeout=TIMEOUT, cwd=cwd or script.parent, env=_env())


def _env():
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)  # the scripts must find torch/numbatorch as installed, not from the test tree
    return env


def check(result):
    """``result``'s stdout, after asserting it exited successfully."""
    assert result.returncode == 0, f"exit status {result.returncode}\n{result.stdout}\n{result.stderr}"
    return result.stdout


def numbers(stdout, tag):
    """The floats printed on lines starting with ``tag``."""
    values = []
    for line in stdout.splitlines():
        if line.startswith(tag):
            values.extend(float(v) for v in line[len(tag):].split())
    return values
