"""Every public class and function has a docstring; every nn layer and loss documents its arguments and shapes."""
import importlib
import inspect

import pytest

import numbatorch.nn as nn

NAMESPACES = ["numbatorch", "numbatorch.nn", "numbatorch.nn.functional", "numbatorch.optim",
              "numbatorch.optim.lr_scheduler", "numbatorch.utils.data"]

# Layers with no shape contract of their own: the base class and the containers, whose shapes are their children's.
NO_SHAPE_SECTION = {"Module", "Sequential", "ModuleList", "ModuleDict", "ParameterList", "ParameterDict", "Container"}
# Abstract bases of the recurrent layers: RNN/LSTM/GRU and the cells document the arguments and shapes.
NO_SECTIONS = {"RNNBase", "RNNCellBase"}


def _public(module):
    """(name, object) for the classes and functions a namespace exports: its ``__all__`` or its non-underscore names."""
    names = getattr(module, "__all__", None) or [n for n in dir(module) if not n.startswith("_")]
    for name in sorted(set(names)):
        obj = getattr(module, name)
        if not name.startswith("_") and (inspect.isclass(obj) or inspect.isroutine(obj)):
            yield name, obj


def _has_doc(obj):
    # A class's own __doc__ (not an inherited one): getdoc would hide a subclass that documents nothing.
    doc = obj.__doc__
    return isinstance(doc, str) and doc.strip() != ""


@pytest.mark.parametrize("namespace", NAMESPACES)
def test_public_names_have_docstrings(namespace):
    module = importlib.import_module(namespace)
    missing = [name for name, obj in _public(module) if not _has_doc(obj)]
    assert not missing, f"{namespace}: {len(missing)} public names without a docstring: {', '.join(missing)}"


@pytest.mark.parametrize("namespace", NAMESPACES)
def test_summary_is_one_line(namespace):
    # help() and IDEs show the first line alone, so it must be a complete summary followed by a blank line.
    module = importlib.import_module(namespace)
    long = [name for name, obj in _public(module) if _has_doc(obj)
            and len(lines := obj.__doc__.strip().split("\n")) > 1 and lines[1].strip()]
    assert not long, f"{namespace}: summaries running over one line: {', '.join(long)}"


def _undocumented_members(cls):
    for name, attr in vars(cls).items():
        if isinstance(attr, (classmethod, staticmethod)):
            attr = attr.__func__
        if not name.startswith("_") and (inspect.isfunction(attr) or isinstance(attr, property)) \
                and not _has_doc(attr):
            yield name


@pytest.mark.parametrize("path", ["numbatorch.Tensor", "numbatorch.nn.Module", "numbatorch.nn.Parameter",
                                  "numbatorch.optim.Optimizer", "numbatorch.optim.lr_scheduler.LRScheduler",
                                  "numbatorch.utils.data.DataLoader", "numbatorch.utils.data.Dataset",
                                  "numbatorch.utils.data.Sampler"])
def test_base_class_methods_have_docstrings(path):
    # The classes users call methods on directly: help() on each method must say what it does.
    module, _, name = path.rpartition(".")
    missing = sorted(_undocumented_members(getattr(importlib.import_module(module), name)))
    assert not missing, f"{path}: {len(missing)} public methods without a docstring: {', '.join(missing)}"


def _layers():
    return [(name, obj) for name, obj in _public(nn) if inspect.isclass(obj) and issubclass(obj, nn.Module)
            and name not in NO_SECTIONS]


def test_layers_document_args_and_shapes():
    problems = []
    for name, cls in _layers():
        doc = cls.__doc__ or ""
        # A layer that keeps Module's constructor takes no arguments, so it has nothing for an Args: section.
        takes_args = cls.__init__ is not nn.Module.__init__
        if takes_args and "Args:" not in doc:
            problems.append(f"{name} (no Args:)")
        if name not in NO_SHAPE_SECTION and "Shape:" not in doc:
            problems.append(f"{name} (no Shape:)")
    assert not problems, f"{len(problems)} layer docstrings incomplete: {', '.join(problems)}"


def test_exemptions_name_existing_layers():
    # A stale exemption would silently excuse a future layer of the same name.
    exported = {name for name, _ in _public(nn)}
    assert (NO_SHAPE_SECTION | NO_SECTIONS) <= exported
