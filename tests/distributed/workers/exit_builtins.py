"""Prints whether init_process_group replaced the builtins exit and quit and destroy_process_group restored them
(run under mpiexec -n 2)."""
import builtins
import sys

import numbatorch.distributed as dist


def main():
    before = (builtins.exit, builtins.quit, sys.exit)
    dist.init_process_group("mpi")
    replaced = builtins.exit is not before[0] and builtins.quit is not before[1] and repr(builtins.exit) == \
        repr(before[0])
    dist.destroy_process_group()
    restored = (builtins.exit, builtins.quit, sys.exit) == before
    print(f"replaced={replaced} restored={restored}")


if __name__ == "__main__":
    main()
