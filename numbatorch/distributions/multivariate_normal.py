"""MultivariateNormal: a Gaussian over vectors, parameterised by a covariance, precision or Cholesky factor."""
import math

import numpy as np

from .._creation import eye, randn
from .._ops.decompositions import cholesky
from .._ops.solvers import solve_triangular
from .._size import Size
from .distribution import Distribution

__all__ = ["MultivariateNormal"]


class MultivariateNormal(Distribution):
    """``N(loc, covariance_matrix)``; give exactly one of ``covariance_matrix``, ``precision_matrix`` and
    ``scale_tril`` (the lower Cholesky factor, used internally). ``loc`` is (*, D); matrices are (*, D, D)."""

    arg_constraints = {}
    has_rsample = True

    def __init__(self, loc, covariance_matrix=None, precision_matrix=None, scale_tril=None, validate_args=None):
        if loc.dim() < 1:
            raise ValueError("loc must be at least one-dimensional.")
        given = [m for m in (covariance_matrix, precision_matrix, scale_tril) if m is not None]
        if len(given) != 1:
            raise ValueError("Exactly one of covariance_matrix or precision_matrix or scale_tril may be specified.")
        matrix = given[0]
        if matrix.dim() < 2:
            raise ValueError("scale_tril matrix must be at least two-dimensional, with optional leading batch "
                             "dimensions" if scale_tril is not None else "covariance_matrix must be at least "
                             "two-dimensional, with optional leading batch dimensions")
        if scale_tril is not None:
            self._unbroadcasted_scale_tril = scale_tril
        elif covariance_matrix is not None:
            self._unbroadcasted_scale_tril = cholesky(covariance_matrix)
        else:
            # Cholesky of the inverse of the precision matrix P: L = flip(cholesky(flip(P)))^-T (PyTorch's way).
            flipped = precision_matrix.flip((-2, -1))
            lf = cholesky(flipped).flip((-2, -1)).transpose(-2, -1)
            identity = eye(lf.shape[-1], dtype=lf.dtype).expand(lf.shape)
            self._unbroadcasted_scale_tril = solve_triangular(lf, identity, upper=False)
        batch = np.broadcast_shapes(tuple(matrix.shape[:-2]), tuple(loc.shape[:-1]))
        self.loc = loc.expand(batch + (loc.shape[-1],))
        super().__init__(Size(batch), Size(loc.shape[-1:]), validate_args=validate_args)

    @property
    def scale_tril(self):
        return self._unbroadcasted_scale_tril.expand(tuple(self._batch_shape) + tuple(self._event_shape) * 2)

    @property
    def covariance_matrix(self):
        L = self._unbroadcasted_scale_tril
        return (L @ L.transpose(-2, -1)).expand(tuple(self._batch_shape) + tuple(self._event_shape) * 2)

    @property
    def precision_matrix(self):
        from .._ops.decompositions import inv
        return inv(self.covariance_matrix)

    @property
    def mean(self):
        return self.loc

    @property
    def mode(self):
        return self.loc

    @property
    def variance(self):
        L = self._unbroadcasted_scale_tril
        return L.pow(2).sum(-1).expand(tuple(self._batch_shape) + tuple(self._event_shape))

    def rsample(self, sample_shape=Size()):
        """``loc + L eps`` with ``eps ~ N(0, I)``: differentiable in ``loc`` and the matrix."""
        eps = randn(self._extended_shape(sample_shape), dtype=self.loc.dtype)
        return self.loc + (self._unbroadcasted_scale_tril @ eps.unsqueeze(-1)).squeeze(-1)

    def _half_log_det(self):
        return self._unbroadcasted_scale_tril.diagonal(dim1=-2, dim2=-1).log().sum(-1)

    def log_prob(self, value):
        diff = value - self.loc
        L = self._unbroadcasted_scale_tril
        shape = tuple(diff.shape[:-1])
        L_b = L.expand(shape + tuple(L.shape[-2:]))
        z = solve_triangular(L_b, diff.unsqueeze(-1), upper=False).squeeze(-1)
        M = z.pow(2).sum(-1)
        d = self._event_shape[0]
        return -0.5 * (d * math.log(2 * math.pi) + M) - self._half_log_det()

    def entropy(self):
        d = self._event_shape[0]
        h = 0.5 * d * (1.0 + math.log(2 * math.pi)) + self._half_log_det()
        return h.expand(tuple(self._batch_shape)) if len(self._batch_shape) else h
