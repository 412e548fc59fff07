"""Compare numbatorch's public namespaces with PyTorch's and list the names numbatorch lacks.

Usage: ``python tools/api_coverage.py [--out FILE]``. Needs PyTorch installed (it is the reference). Prints
one summary line per namespace (missing / total) and writes the missing names, one per line grouped by
namespace, to ``FILE`` (default ``tools/api_missing.txt``).
"""
import argparse
import importlib
import pathlib
import sys

# (label, PyTorch object path, numbatorch object path): attributes of the first that the second lacks.
NAMESPACES = [
    ("torch", "torch", "numbatorch"),
    ("torch.Tensor", "torch.Tensor", "numbatorch.Tensor"),
    ("torch.nn", "torch.nn", "numbatorch.nn"),
    ("torch.nn.functional", "torch.nn.functional", "numbatorch.nn.functional"),
    ("torch.linalg", "torch.linalg", "numbatorch.linalg"),
    ("torch.optim", "torch.optim", "numbatorch.optim"),
]


def resolve(path):
    """The object at dotted ``path`` (a module, or an attribute of one such as ``torch.Tensor``)."""
    try:
        return importlib.import_module(path)
    except ImportError:
        module, _, attr = path.rpartition(".")
        return getattr(importlib.import_module(module), attr)


def public_names(obj):
    """Names not starting with an underscore (PyTorch's private and dunder names are not API)."""
    return {name for name in dir(obj) if not name.startswith("_")}


def missing_names(reference, ours):
    """Sorted public names of ``reference`` that ``ours`` does not have, and the reference's count."""
    ref = public_names(reference)
    return sorted(n for n in ref if not hasattr(ours, n)), len(ref)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(pathlib.Path(__file__).with_name("api_missing.txt")))
    args = parser.parse_args(argv)
    try:
        importlib.import_module("torch")
    except ImportError:
        sys.exit("PyTorch is not installed: it is the reference this script compares against")
    lines = []
    for label, ref_path, our_path in NAMESPACES:
        missing, total = missing_names(resolve(ref_path), resolve(our_path))
        print(f"{label:22s} missing {len(missing):5d} of {total:5d}")
        lines.append(f"# {label}: {len(missing)} of {total} missing")
        lines.extend(f"{label}.{name}" for name in missing)
    pathlib.Path(args.out).write_text("\n".join(lines) + "\n")
    print(f"missing names written to {args.out}")


if __name__ == "__main__":
    main()
