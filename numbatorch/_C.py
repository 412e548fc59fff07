"""``numbatorch._C``: the few entry points of PyTorch's C extension that libraries call from Python."""

__all__ = ["_log_api_usage_once"]


def _log_api_usage_once(event):
    """Record that ``event`` (an API name) was used: PyTorch logs it for telemetry, numbatorch keeps nothing."""
