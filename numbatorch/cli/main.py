"""The ``python -m numbatorch`` dispatcher: each subcommand module's ``register(subparsers)`` adds its
sub-parser with ``set_defaults(func=...)``, and ``func(args)`` returns the exit status."""
import argparse

from . import info, run, warmup

__all__ = ["build_parser", "main"]


def build_parser():
    """The argparse parser with every subcommand registered."""
    from .. import __version__
    parser = argparse.ArgumentParser(prog="python -m numbatorch",
                                     description="numbatorch: PyTorch's API in pure Python with Numba kernels.")
    parser.add_argument("--version", action="version", version=f"numbatorch {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="{info,warmup,run}")
    for module in (info, warmup, run):
        module.register(subparsers)
    return parser


def main(argv=None):
    """Parse ``argv`` (default ``sys.argv[1:]``), run the subcommand and return its exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "func", None) is None:
        parser.print_help()
        return 2
    return args.func(args)
