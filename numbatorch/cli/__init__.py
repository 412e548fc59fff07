"""numbatorch's command line: ``python -m numbatorch {info,warmup,run}``."""
from .main import build_parser, main

__all__ = ["main", "build_parser"]
