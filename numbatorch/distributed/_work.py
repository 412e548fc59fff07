"""``Work``: the handle an ``async_op=True`` collective returns."""

__all__ = ["Work"]


class Work:
    """A collective in flight: ``wait()`` blocks until it finished (and its result is in the tensors)."""

    def __init__(self, requests, finish=None, result=None):
        self._requests = list(requests)
        self._finish = finish
        self._result = result
        self._done = False

    def _complete(self):
        self._done = True
        if self._finish is not None:
            finish, self._finish = self._finish, None
            finish()

    def wait(self, timeout=None):
        """Block until the operation completed; returns True. (MPI requests have no timeout.)"""
        if not self._done:
            from ._mpi import mpi
            mpi().Request.Waitall(self._requests)
            self._complete()
        return True

    def is_completed(self):
        """True once the operation finished (tests the MPI requests without blocking)."""
        if not self._done:
            from ._mpi import mpi
            if mpi().Request.Testall(self._requests):
                self._complete()
        return self._done

    def is_success(self):
        """True when the operation completed (MPI reports failures by aborting the job)."""
        return self.is_completed()

    def result(self):
        """The output tensors of the operation, once it completed."""
        self.wait()
        return self._result

    def __repr__(self):
        return f"<Work completed={self._done}>"
