"""Numba CPU kernels, one module per family (conv, pool, norm, resample, rnn, attention, ...)."""
