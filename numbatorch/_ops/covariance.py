"""Covariance and correlation of the rows of a matrix: cov and corrcoef, from differentiable ops."""
import warnings

from .._tensor import tensor_method
from ._dtype_args import floating_or_default
from .keyword_aliases import accept_aliases

__all__ = ["cov", "corrcoef"]


@tensor_method()
def cov(input, *, correction=1, fweights=None, aweights=None):
    """Covariance of the variables (rows) of ``input`` over its observations (columns), optionally weighted."""
    if input.dim() > 2:
        raise RuntimeError(f"cov(): expected input to have two or fewer dimensions but got an input with "
                           f"{input.dim()} dimensions")
    x = floating_or_default(input)
    x = x.reshape(1, -1) if x.dim() < 2 else x
    n_obs = x.shape[1]
    w = None
    if fweights is not None:
        w = fweights.to(x.dtype)
    if aweights is not None:
        w = aweights.to(x.dtype) if w is None else w * aweights.to(x.dtype)
    if w is None:
        w_sum = float(n_obs)
        avg = x.mean(1, keepdim=True)
        norm = w_sum - correction
    else:
        w_sum = w.sum()
        avg = (x * w).sum(1, keepdim=True) / w_sum
        if correction != 0 and aweights is not None:
            norm = w_sum - correction * (w * aweights.to(x.dtype)).sum() / w_sum
        else:
            norm = w_sum - correction
    if float(norm) <= 0:
        warnings.warn("cov(): degrees of freedom is <= 0. Correction should be strictly less than the number of "
                      "observations.", UserWarning, stacklevel=2)
        norm = norm * 0
    centered = x - avg
    weighted = centered if w is None else centered * w
    return ((centered @ weighted.transpose(0, 1)) / norm).squeeze()


@tensor_method()
def corrcoef(input):
    """Pearson correlation coefficients of the rows of ``input``, clipped to [-1, 1]."""
    c = cov(input)
    if c.dim() == 0:
        return c / c
    d = c.diagonal()
    stddev = d.sqrt()
    return (c / stddev.unsqueeze(1) / stddev.unsqueeze(0)).clamp(-1, 1)


accept_aliases(__name__)  # last: this module loads after keyword_aliases ran
