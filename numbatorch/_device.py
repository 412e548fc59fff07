"""``numbatorch.device``: where a tensor's storage lives."""
import builtins


# PyTorch's device types, in the order its "Expected one of ..." message lists them. A device object may name
# any of them (as in PyTorch); tensors are created only on the CPU (``_creation._check_device``).
DEVICE_TYPES = ("cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve", "fpga", "maia",
                "xla", "lazy", "vulkan", "mps", "meta", "hpu", "mtia", "privateuseone")


def _parse(spec):
    """``"cuda:1"`` -> ``("cuda", 1)`` with PyTorch's errors for unknown types and malformed indices."""
    if not spec:
        raise RuntimeError("Device string must not be empty")
    kind, sep, idx = spec.partition(":")
    if kind not in DEVICE_TYPES:
        raise RuntimeError(f"Expected one of {', '.join(DEVICE_TYPES)} device type at start of device string: "
                           f"{spec}")
    if not sep:
        return kind, None
    # one decimal index without sign, spaces or leading zeros ("cuda:0", "cuda:12")
    if not (idx.isascii() and idx.isdigit()) or (len(idx) > 1 and idx[0] == "0"):
        raise RuntimeError(f"Invalid device string: '{spec}'")
    return kind, int(idx)


def _type_name(obj):
    return builtins.type(obj).__name__  # ``type`` is device()'s argument name, as in PyTorch


class device:
    """A device such as ``device('cpu')``, ``device('cuda:0')`` or ``device('cuda', 0)``."""

    __slots__ = ("type", "index")

    def __init__(self, type, index=None):
        if isinstance(type, device):
            type, index = type.type, type.index
        elif isinstance(type, int) and not isinstance(type, bool):
            # a bare index names the current accelerator, and numbatorch has none
            raise RuntimeError("Cannot access accelerator device when none is available.")
        elif not isinstance(type, str):
            raise TypeError(f"device(): argument 'type' (position 1) must be str, not {_type_name(type)}")
        else:
            type, parsed = _parse(type)
            if parsed is not None and index is not None:
                raise RuntimeError("type (string) must not include an index because index was passed explicitly: "
                                   f"{type}:{parsed}")
            if parsed is not None:
                index = parsed
        if index is not None:
            if isinstance(index, bool) or not isinstance(index, int):
                raise TypeError(f"device(): argument 'index' (position 2) must be int, not {_type_name(index)}")
            if index < 0:
                raise RuntimeError("Device index must not be negative")
        self.type = type
        self.index = index

    def __eq__(self, other):
        if isinstance(other, str):
            other = device(other)
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self):
        return hash((self.type, self.index))

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __repr__(self):
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __reduce__(self):
        return (device, (self.type, self.index))


CPU = device("cpu")
