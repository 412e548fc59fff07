"""What each rank runs under ``numbatorch.distributed.run``: torchrun's variables, then the user's script.

RANK, WORLD_SIZE, LOCAL_RANK and LOCAL_WORLD_SIZE come from the MPI launcher's own variables (PMI_RANK,
PMI_SIZE, MPI_LOCALRANKID, MPI_LOCALNRANKS), so scripts written for torchrun find them without MPI being
started. An uncaught exception or a non-zero ``sys.exit`` ends the whole job: once MPI is running, a rank
that leaves while the others wait in a collective would otherwise leave them waiting forever.
"""
import os
import runpy
import signal
import sys
import traceback

_FROM_MPI = (("RANK", ("PMI_RANK", "OMPI_COMM_WORLD_RANK")), ("WORLD_SIZE", ("PMI_SIZE", "OMPI_COMM_WORLD_SIZE")),
             ("LOCAL_RANK", ("MPI_LOCALRANKID", "OMPI_COMM_WORLD_LOCAL_RANK")),
             ("LOCAL_WORLD_SIZE", ("MPI_LOCALNRANKS", "OMPI_COMM_WORLD_LOCAL_SIZE")))


def set_torchrun_variables(env=os.environ):
    """Fill RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE from the MPI launcher's variables."""
    for name, sources in _FROM_MPI:
        for source in sources:
            if source in env:
                env.setdefault(name, env[source])
                break


def end_job(status):
    """End this rank with ``status`` and take every other rank down with it.

    With MPI running, ``MPI_Abort``. Before MPI started (or after it finished) the MPI launcher does not end a
    job whose rank merely exits with an error, but it does end one whose rank is killed by a signal: so the
    rank ends itself with SIGTERM (its default action, whatever handler the script installed).
    """
    sys.stdout.flush()
    sys.stderr.flush()
    mpi = sys.modules.get("mpi4py.MPI")
    if mpi is not None and mpi.Is_initialized() and not mpi.Is_finalized():
        mpi.COMM_WORLD.Abort(status)
    print(f"numbatorch.distributed.run: rank {os.environ.get('RANK', '?')} failed (exit status {status}) while "
          f"MPI was not running; ending the job", file=sys.stderr, flush=True)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    os.kill(os.getpid(), signal.SIGTERM)
    os._exit(status)


def main():
    argv = sys.argv[1:]
    as_module = bool(argv) and argv[0] == "-m"
    if as_module:
        argv = argv[1:]
    if not argv:
        sys.exit("usage: python -m numbatorch.distributed._rank_main [-m] target [args]")
    set_torchrun_variables()
    sys.argv = argv
    try:
        if as_module:
            runpy.run_module(argv[0], run_name="__main__", alter_sys=True)
        else:
            sys.path.insert(0, os.path.dirname(os.path.abspath(argv[0])))
            runpy.run_path(argv[0], run_name="__main__")
    except SystemExit as exit_:
        code = exit_.code
        if code not in (None, 0):
            if not isinstance(code, int):
                print(code, file=sys.stderr)
                code = 1
            end_job(code)
        raise
    except BaseException:
        traceback.print_exc()
        end_job(1)


if __name__ == "__main__":
    main()
