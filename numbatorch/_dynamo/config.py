"""``torch._dynamo.config``: settings code may assign (``capture_scalar_outputs = True``); numbatorch reads none."""
capture_scalar_outputs = False
skip_fwd_side_effects_in_bwd_under_checkpoint = False
suppress_errors = False
cache_size_limit = 8
