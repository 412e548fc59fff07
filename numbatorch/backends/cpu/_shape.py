"""Array-layout helpers of the conv/pool/resample kernels (pure Python)."""


def to3d(values, fill):
    """Left-pad a per-spatial-dim tuple to 3 entries (1-d/2-d run on the 3-d kernels)."""
    return (fill,) * (3 - len(values)) + tuple(values)


def as5d(x, nd):
    """View an (N, C, *spatial[nd]) array as (N, C, D, H, W) with leading unit dims."""
    return x.reshape(x.shape[:2] + (1,) * (3 - nd) + x.shape[2:])
