"""PyTorch names left out on purpose: each is real PyTorch API and raises NotImplementedError naming it."""
import importlib

import pytest

import numbatorch
from numbatorch._api_placeholders import LEFT_OUT

_NAMESPACES = {"torch": "numbatorch", "torch.nn": "numbatorch.nn", "torch.nn.functional": "numbatorch.nn.functional"}


def _left_out(namespace):
    return sorted(LEFT_OUT[namespace])


def test_every_left_out_name_is_public_pytorch_api():
    torch = pytest.importorskip("torch")
    for namespace, names in LEFT_OUT.items():
        reference = torch.Tensor if namespace == "torch.Tensor" else importlib.import_module(namespace)
        assert [n for n in names if not hasattr(reference, n)] == [], namespace


@pytest.mark.parametrize("namespace", sorted(_NAMESPACES))
def test_module_names_raise_not_implemented_naming_the_api(namespace):
    module = importlib.import_module(_NAMESPACES[namespace])
    for name in _left_out(namespace):
        assert not hasattr(module, name), f"{namespace}.{name} is implemented: drop it from LEFT_OUT"
        with pytest.raises(NotImplementedError, match=rf"torch\S*\.{name}: \w"):
            getattr(module, name)


def test_tensor_names_raise_not_implemented_naming_the_api():
    x = numbatorch.zeros(2)
    for name in _left_out("torch.Tensor"):
        assert not hasattr(x, name)
        with pytest.raises(NotImplementedError, match=rf"torch\.Tensor\.{name}: \w"):
            getattr(x, name)


def test_other_absent_names_stay_plain_attribute_errors():
    for module in (numbatorch, numbatorch.nn, numbatorch.nn.functional):
        with pytest.raises(AttributeError, match="has no attribute 'no_such_name'") as raised:
            module.no_such_name
        assert not isinstance(raised.value, NotImplementedError)
