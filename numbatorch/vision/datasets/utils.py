"""File helpers the datasets share: checksums and unpacking archives already on disk.

numbatorch never downloads: ``download=True`` unpacks an archive that is already in place (as
torchvision does when it finds a verified file) and otherwise fails, naming the file to fetch.
"""
import bz2
import gzip
import hashlib
import lzma
import os
import shutil
import tarfile
import zipfile

__all__ = ["calculate_md5", "check_integrity", "check_md5", "download_and_extract_archive", "download_url",
           "extract_archive", "iterable_to_str", "verify_str_arg"]

_DECOMPRESSORS = {".gz": gzip.open, ".xz": lzma.open, ".bz2": bz2.open}


def calculate_md5(fpath, chunk_size=1024 * 1024):
    """Hex MD5 digest of a file."""
    md5 = hashlib.md5(usedforsecurity=False)
    with open(fpath, "rb") as f:
        while chunk := f.read(chunk_size):
            md5.update(chunk)
    return md5.hexdigest()


def check_md5(fpath, md5, **kwargs):
    """True when the file's MD5 digest is ``md5``."""
    return md5 == calculate_md5(fpath, **kwargs)


def check_integrity(fpath, md5=None):
    """True when ``fpath`` is a file and (if ``md5`` is given) its digest matches."""
    if not os.path.isfile(fpath):
        return False
    return md5 is None or check_md5(fpath, md5)


def download_url(url, root, filename=None, md5=None, max_redirect_hops=3):
    """Use ``root/filename`` when it is present and verified; numbatorch has no network to fetch it."""
    root = os.path.expanduser(root)
    filename = filename or os.path.basename(url)
    fpath = os.fspath(os.path.join(root, filename))
    if check_integrity(fpath, md5):
        return
    state = "does not match its md5 " + md5 if os.path.isfile(fpath) else "is missing"
    raise RuntimeError(f"Error downloading {filename}: numbatorch does not download files, and {fpath} {state}. "
                       f"Fetch {url} and place it there.")


def _detect(path):
    """(archive kind, compression suffix) of a file name, e.g. ('.tar', '.gz') or (None, '.gz')."""
    lower = path.lower()
    for suffix, kind in ((".tar.gz", (".tar", ".gz")), (".tgz", (".tar", ".gz")), (".tar.xz", (".tar", ".xz")),
                         (".tar.bz2", (".tar", ".bz2")), (".tar", (".tar", None)), (".zip", (".zip", None))):
        if lower.endswith(suffix):
            return kind
    for suffix in _DECOMPRESSORS:
        if lower.endswith(suffix):
            return None, suffix
    raise RuntimeError(f"Archive type of {path} is not supported (known: .tar[.gz|.xz|.bz2], .tgz, .zip, .gz, "
                       f".xz, .bz2)")


def _extract_tar_safely(tar, to_path):
    """Extract refusing members that would land outside ``to_path`` (absolute paths, "..", links out)."""
    if hasattr(tarfile, "data_filter"):  # Python 3.10.12+ / 3.11.4+
        tar.extractall(to_path, filter="data")
        return
    root = os.path.realpath(to_path)

    def inside(path):
        return os.path.commonpath([root, os.path.realpath(path)]) == root

    for member in tar.getmembers():
        destination = os.path.join(root, member.name)
        if member.issym():
            link_inside = inside(os.path.join(os.path.dirname(destination), member.linkname))
        else:
            link_inside = not member.islnk() or inside(os.path.join(root, member.linkname))
        if os.path.isabs(member.name) or not inside(destination) or not link_inside:
            raise RuntimeError(f"{tar.name}: member {member.name!r} would be extracted outside {to_path}")
    tar.extractall(to_path)


def extract_archive(from_path, to_path=None, remove_finished=False):
    """Unpack a tar/zip archive, or decompress a single ``.gz``/``.xz``/``.bz2`` file; return the target."""
    from_path = os.fspath(from_path)
    if to_path is None:
        to_path = os.path.dirname(from_path)
    kind, compression = _detect(from_path)
    if kind == ".tar":
        with tarfile.open(from_path, "r:" + (compression or "").lstrip(".")) as tar:
            _extract_tar_safely(tar, to_path)
        result = to_path
    elif kind == ".zip":
        with zipfile.ZipFile(from_path) as archive:
            archive.extractall(to_path)
        result = to_path
    else:
        result = os.path.join(to_path, os.path.basename(from_path)[:-len(compression)])
        with _DECOMPRESSORS[compression](from_path, "rb") as src, open(result, "wb") as dst:
            shutil.copyfileobj(src, dst)
    if remove_finished:
        os.remove(from_path)
    return result


def download_and_extract_archive(url, download_root, extract_root=None, filename=None, md5=None,
                                 remove_finished=False):
    """Unpack ``download_root/filename`` (present and verified) into ``extract_root``."""
    download_root = os.path.expanduser(download_root)
    extract_root = extract_root or download_root
    filename = filename or os.path.basename(url)
    download_url(url, download_root, filename, md5)
    extract_archive(os.path.join(download_root, filename), extract_root, remove_finished)


def iterable_to_str(iterable):
    """``'a', 'b', 'c'``: the items quoted and comma-separated, for error messages."""
    return "'" + "', '".join(str(item) for item in iterable) + "'"


def verify_str_arg(value, arg=None, valid_values=None, custom_msg=None):
    """``value`` if it is a string among ``valid_values``; otherwise a ValueError naming the valid ones."""
    if not isinstance(value, str):
        msg = "Expected type str" + ("" if arg is None else f" for argument {arg}") + f", but got type {type(value)}."
        raise ValueError(msg)
    if valid_values is None or value in valid_values:
        return value
    if custom_msg is not None:
        raise ValueError(custom_msg)
    raise ValueError(f"Unknown value '{value}' for argument {arg}. "
                     f"Valid values are {{{iterable_to_str(valid_values)}}}.")
