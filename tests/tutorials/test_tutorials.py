"""Every tutorial in ``--quick`` mode, as a user runs it (``python tutorials/<name>.py`` from the repository
root, in a subprocess), checked on the metric line it prints last. The full-length numbers are measured and
recorded in tutorials/README.md, not asserted here."""
import os
import re
import subprocess
import sys

import pytest

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TUTORIALS = ("dataset_dataloader", "layers", "losses", "ring", "tensorboard", "cifar2", "iris")
TIMEOUT_S = 600  # a first run compiles the Numba kernels (cached afterwards)


def run_tutorial(name, *args, timeout=TIMEOUT_S):
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONUNBUFFERED="1")
    done = subprocess.run([sys.executable, os.path.join("tutorials", f"{name}.py"), *args], cwd=REPO_ROOT,
                          env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{name} {' '.join(args)} exited with {done.returncode}:\n{done.stdout[-3000:]}" \
                                 f"\n{done.stderr[-3000:]}"
    return done.stdout


def run_quick(name, out_dir, *args):
    return run_tutorial(name, "--quick", "--out-dir", str(out_dir), *args)


def last_line(stdout):
    return stdout.strip().splitlines()[-1]


def metric(stdout, name):
    """The value of ``<name>=<number>`` on the last line."""
    found = re.match(rf"^{re.escape(name)}=([0-9.]+)", last_line(stdout))
    assert found, f"last line {last_line(stdout)!r} does not start with {name}=<number>"
    return float(found.group(1))


def options_without_help(help_text):
    """Options of an argparse --help listing with no description (on their line or the next)."""
    lines = help_text.split("options:", 1)[1].splitlines()
    missing = []
    for i, line in enumerate(lines):
        found = re.match(r"^  (-\w[ ,\w]*?, )?(--[\w-]+)( [A-Z_{},.\w-]+)?(\s{2,}\S.*)?$", line)
        if not found:
            continue
        described = found.group(4) or (i + 1 < len(lines) and re.match(r"^ {10,}\S", lines[i + 1]))
        if not described:
            missing.append(found.group(2))
    return missing


@pytest.mark.parametrize("name", TUTORIALS)
def test_help(name):
    stdout = run_tutorial(name, "--help", timeout=120)
    assert f"usage: python tutorials/{name}.py" in stdout
    assert "--quick" in stdout and "--backend" in stdout
    assert options_without_help(stdout) == []


def test_unwritable_out_dir_is_a_one_line_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    env = dict(os.environ, MPLBACKEND="Agg")
    done = subprocess.run([sys.executable, os.path.join("tutorials", "iris.py"), "--quick", "--out-dir",
                           str(blocker / "out")], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [f"python tutorials/iris.py: error: argument --out-dir: cannot write to "
                                        f"'{blocker / 'out'}': Not a directory (see --help)"]


def test_tensorboard_tutorial_fails_clearly_without_tensorboard(tmp_path):
    code = ("import runpy, sys\n"
            "sys.modules['tensorboard'] = None\n"
            "sys.path.insert(0, 'tutorials')\n"
            f"sys.argv = ['tutorials/tensorboard.py', '--quick', '--out-dir', {str(tmp_path)!r}]\n"
            "runpy.run_path('tutorials/tensorboard.py', run_name='__main__')\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, timeout=300,
                          env=dict(os.environ, MPLBACKEND="Agg"))
    assert done.returncode == 1
    assert len(done.stderr.splitlines()) == 1 and "Traceback" not in done.stderr
    assert "needs the tensorboard package" in done.stderr and "pip install 'numbatorch[tutorials]'" in done.stderr


def test_ring(tmp_path):
    stdout = run_quick("ring", tmp_path)
    # 5 epochs on the rings: a network that learns gets well above chance (0.5); the full run gives >= 0.95
    assert 0.8 <= metric(stdout, "best val_auc") <= 1.0
    for png in ("ring_data.png", "history.png", "ring_prediction.png"):
        assert os.path.getsize(tmp_path / png) > 0


def test_tensorboard(tmp_path):
    stdout = run_quick("tensorboard", tmp_path)
    assert 0.8 <= metric(stdout, "best val_acc") <= 1.0
    events = [f for _, _, files in os.walk(tmp_path / "runs") for f in files if f.startswith("events.out.tfevents")]
    assert len(events) >= 2  # the SummaryWriter examples and the KerasModel callback


def test_cifar2(tmp_path):
    stdout = run_quick("cifar2", tmp_path)
    assert "{'0_airplane': 0, '1_automobile': 1}" in stdout
    # the tiny generated image folder separates easily: chance is 0.5
    assert 0.8 <= metric(stdout, "best val_acc") <= 1.0


def test_iris(tmp_path):
    stdout = run_quick("iris", tmp_path)
    assert 0.8 <= metric(stdout, "val_acc") <= 1.0


def test_losses(tmp_path):
    stdout = run_quick("losses", tmp_path)
    passed, total = re.match(r"^checks passed=(\d+)/(\d+)$", last_line(stdout)).groups()
    assert int(total) >= 8 and passed == total, stdout


def test_layers(tmp_path):
    stdout = run_quick("layers", tmp_path)
    ok, total = re.match(r"^layer sections ok=(\d+)/(\d+)$", last_line(stdout)).groups()
    assert int(total) == 6 and ok == total, stdout


def test_dataset_dataloader(tmp_path):
    stdout = run_quick("dataset_dataloader", tmp_path)
    assert "len(ds_train+ds_valid) =  150" in stdout
    # the tiny image folder holds 100 + 100 train and 50 + 50 test images; 49 items in batches of 10
    # with drop_last make 4 batches
    assert last_line(stdout) == "images: train=200 val=100; drop_last batches=4"
