"""A rank that fails while the others wait in a collective (run under mpiexec -n 2).

``raise``: rank 1 raises after init_process_group; ``raise-early``: rank 1 raises before MPI starts;
``exit``: rank 1 calls sys.exit(3) (``exit-builtin``: the builtin ``exit(3)``; ``raise-exit``:
``raise SystemExit(3)``); ``kill``: rank 1 is killed by SIGKILL. Rank 0 meanwhile waits in
all_reduce, so only the fault handling can end the job. ``exit-caught``: rank 1 catches its own sys.exit(2) and
goes on, so the job ends normally.
"""
import os
import signal
import sys

import numbatorch as torch
import numbatorch.distributed as dist


def main(mode):
    rank = int(os.environ.get("PMI_RANK", "0"))
    if mode == "raise-early" and rank == 1:
        raise RuntimeError("rank 1 failed before init_process_group")
    dist.init_process_group("mpi")
    if rank == 1:
        if mode in ("raise", "raise-early"):
            raise RuntimeError("rank 1 failed")
        if mode == "exit":
            sys.exit(3)
        if mode == "exit-builtin":
            exit(3)
        if mode == "raise-exit":
            raise SystemExit(3)
        if mode == "kill":
            os.kill(os.getpid(), signal.SIGKILL)
        if mode == "exit-caught":
            try:
                sys.exit(2)
            except SystemExit:
                pass
    dist.all_reduce(torch.ones(3))
    print("rank 0 finished although rank 1 failed")


if __name__ == "__main__":
    main(sys.argv[1])
