"""Optional dependencies: import them on first use and name the extra that installs them when missing."""
import importlib


def import_optional(module, extra, feature=None):
    """Import ``module`` or raise an ImportError that says which ``numbatorch[extra]`` brings it."""
    try:
        return importlib.import_module(module)
    except ImportError as err:
        top = module.partition(".")[0]
        what = feature or "this feature of numbatorch"
        raise ImportError(f"{what} needs the optional dependency '{top}', which is not installed: "
                          f"pip install 'numbatorch[{extra}]'") from err
