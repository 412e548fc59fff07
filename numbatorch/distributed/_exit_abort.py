"""A rank's uncaught non-zero ``sys.exit``, ``exit`` or ``quit`` after ``init_process_group`` ends the MPI job.

Under plain ``mpiexec -n N python script.py`` a rank that exits while the others wait in a collective leaves them
waiting forever: MPI's launcher ends a job for a rank killed by a signal, not for one that exits. mpi4py's answer
is ``python -m mpi4py script.py``, which aborts on an uncaught exit; this does the same for ``sys.exit`` and the
builtins ``exit`` and ``quit`` in a script started any way. The SystemExit they raise tells, when freed, whether it
was caught: the interpreter frees an uncaught one after the script's last frame is gone, just before it exits, and
then ``mpi4py.run.set_abort_status`` makes MPI's finalisation call ``MPI_Abort`` with the status. A caught one is
freed inside the frame that caught it and changes nothing.

A ``raise SystemExit(n)`` written in the script makes a plain SystemExit, which has no such hook, and CPython
reports an uncaught one to no Python code (no excepthook, no audit event): only tracing every call (or, from 3.12,
monitoring every raise) would see it. Under ``python -m numbatorch.distributed.run`` (or ``python -m mpi4py``) it
ends the job too: the launcher runs the script inside its own ``try``.
"""
import builtins
import sys

_state = {"exit": None, "builtins": {}}


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


class _Quitter:
    """The builtin ``exit`` or ``quit`` for a rank of a running process group: site's, raising ``_RankExit``."""

    def __init__(self, original):
        self._original = original

    def __repr__(self):
        return repr(self._original)

    def __call__(self, code=None):
        try:    # as site's: shells that catch the SystemExit still see their stdin closed
            sys.stdin.close()
        except Exception:
            pass
        raise _RankExit(code)


def install():
    """Replace ``sys.exit`` and the builtins ``exit`` and ``quit`` (where ``site`` made them) until ``uninstall``."""
    if _state["exit"] is None:
        _state["exit"], sys.exit = sys.exit, _exit
        for name in ("exit", "quit"):
            original = getattr(builtins, name, None)
            if original is not None:
                _state["builtins"][name] = original
                setattr(builtins, name, _Quitter(original))


def uninstall():
    """Restore what ``install`` replaced."""
    if _state["exit"] is not None:
        sys.exit, _state["exit"] = _state["exit"], None
        for name, original in _state["builtins"].items():
            setattr(builtins, name, original)
        _state["builtins"] = {}
