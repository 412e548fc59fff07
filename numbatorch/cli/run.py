"""``python -m numbatorch run script.py [args]``: run an unmodified PyTorch script on numbatorch.

The script sees ``torch``, ``torchvision`` and ``torchkeras`` as numbatorch (see ``numbatorch._alias_import``),
``sys.argv`` as ``[script.py, args...]``, its own directory first on ``sys.path`` and ``__name__ == "__main__"``,
exactly as under ``python script.py``; multiprocessing children and DataLoader workers get the same view.
"""
import argparse
import os
import runpy
import sys

__all__ = ["register", "run"]


def register(subparsers):
    """Add the ``run`` sub-command to ``subparsers`` (its handler is ``args.func(args) -> int``)."""
    parser = subparsers.add_parser(
        "run", help="run a PyTorch script with torch/torchvision/torchkeras resolved to numbatorch",
        description="Run an unmodified PyTorch script on numbatorch: its imports of torch, torchvision and "
                    "torchkeras resolve to numbatorch, numbatorch.vision and numbatorch.keras.")
    parser.add_argument("script", help="path of the Python script to run")
    parser.add_argument("args", nargs=argparse.REMAINDER, help="arguments passed to the script as sys.argv[1:]")
    parser.set_defaults(func=run)
    return parser


def run(args):
    """Run ``args.script`` with ``args.args`` as its command line; returns the script's exit status."""
    from .._alias_import import install, missing_feature_from

    script = args.script
    if not os.path.isfile(script):
        print(f"numbatorch run: can't open file '{script}': No such file or directory", file=sys.stderr)
        return 2
    install()
    sys.argv = [script, *args.args]
    sys.path[0] = os.path.dirname(os.path.abspath(script))
    try:
        runpy.run_path(script, run_name="__main__")
    except SystemExit as exit_:
        return _exit_status(exit_.code)
    except AttributeError as error:
        missing = missing_feature_from(error)
        if missing is None:
            raise
        raise missing from error
    return 0


def _exit_status(code):
    """The process exit status ``sys.exit(code)`` means, printing a message code as Python does."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1
