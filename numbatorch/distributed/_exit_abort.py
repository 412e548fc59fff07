"""A rank's uncaught non-zero ``sys.exit`` after ``init_process_group`` ends the whole MPI job.

Under plain ``mpiexec -n N python script.py`` a rank that exits while the others wait in a collective leaves them
waiting forever: MPI's launcher ends a job for a rank killed by a signal, not for one that exits. mpi4py's answer
is ``python -m mpi4py script.py``, which aborts on an uncaught exit; this does the same for ``sys.exit`` in a
script started any way. The SystemExit it raises tells, when freed, whether it was caught: the interpreter frees
an uncaught one after the script's last frame is gone, just before it exits, and then
``mpi4py.run.set_abort_status`` makes MPI's finalisation call ``MPI_Abort`` with the status. A caught one is freed
inside the frame that caught it and changes nothing.
"""
import sys

_state = {"exit": None}


class _RankExit(SystemExit):
    """``SystemExit`` that, freed uncaught, makes MPI's finalisation abort the job with its status."""

    def __del__(self):
        try:
            sys._getframe(1)
        except ValueError:  # no Python frame left: the interpreter is ending with this exit
            from mpi4py.run import set_abort_status
            set_abort_status(self)


def _exit(status=None):
    """``sys.exit`` for a rank of a running process group (see the module's docstring)."""
    raise _RankExit(status)


def install():
    """Replace ``sys.exit`` until ``uninstall``."""
    if _state["exit"] is None:
        _state["exit"], sys.exit = sys.exit, _exit


def uninstall():
    """Restore the ``sys.exit`` that ``install`` replaced."""
    if _state["exit"] is not None:
        sys.exit, _state["exit"] = _state["exit"], None
