"""Peak resident memory the cifar2 training step adds, numbatorch beside PyTorch (issue 13).

Usage: python benchmarks/rss.py [--batch 50 256] [--steps 5]

Each (framework, batch) runs in a fresh process: it builds the network, the batch and the optimizer, runs one
step (numba compilation, first-touch of the parameters' gradients and of Adam's state), then resets the
kernel's peak-RSS mark (``/proc/self/clear_refs``) and runs ``--steps`` more. Printed: the RSS before the
steps, the peak growth over it during the first step and during the following ones (the steady state, the
number issue 13 compares), their ratio numbatorch / PyTorch, and how the RSS held after the steps grew in
file-backed pages (shared libraries paged in: clean, shared with other processes) and anonymous memory.
Linux only.
"""
import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

_CHILD = """
import json, sys
sys.path.insert(0, {here!r}); sys.path.insert(0, {root!r})
import numba
import {lib} as lib
from bench_conv import cifar2_train_step
if {lib!r} == "torch":
    lib.set_num_threads(numba.get_num_threads())

def status(key):
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith(key))

def reset_peak():
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")

step = cifar2_train_step(lib, batch={batch})
base, base_file = status("VmRSS:"), status("RssFile:")
reset_peak()
step()
first = status("VmHWM:") - base
reset_peak()
for _ in range({steps}):
    step()
file = status("RssFile:") - base_file
print(json.dumps(dict(base=base, first=first, steady=status("VmHWM:") - base, file=file,
                      anon=status("VmRSS:") - base - file)))
"""


def measure(lib, batch, steps):
    """{base, first, steady, file, anon} in KiB for ``lib`` ('numbatorch' or 'torch') in a fresh process."""
    code = _CHILD.format(here=HERE, root=os.path.dirname(HERE), lib=lib, batch=batch, steps=steps)
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batch", type=int, nargs="+", default=[50, 256])
    parser.add_argument("--steps", type=int, default=5)
    args = parser.parse_args(argv)
    print(f"{'batch':>5s} {'framework':>10s} {'RSS before':>11s} {'1st step +':>11s} {'steady +':>9s} "
          f"{'file +':>8s} {'anon +':>8s}")
    for batch in args.batch:
        result = {lib: measure(lib, batch, args.steps) for lib in ("numbatorch", "torch")}
        for lib, r in result.items():
            print(f"{batch:5d} {lib:>10s} {r['base'] / 1024:9.1f} M {r['first'] / 1024:9.1f} M "
                  f"{r['steady'] / 1024:7.1f} M {r['file'] / 1024:6.1f} M {r['anon'] / 1024:6.1f} M")
        ours, theirs = result["numbatorch"]["steady"], result["torch"]["steady"]
        print(f"{'':5s} {'ratio':>10s} {'':11s} {'':11s} {ours / max(theirs, 1):8.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
