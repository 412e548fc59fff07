"""glibc malloc settings made at import (``numbatorch._malloc``): set where allowed, a user's own left alone."""
import sys

import pytest

from numbatorch import _malloc


def test_user_settings_are_left_alone(monkeypatch):
    monkeypatch.setenv("MALLOC_TRIM_THRESHOLD_", "131072")
    assert not _malloc.keep_freed_memory()
    monkeypatch.delenv("MALLOC_TRIM_THRESHOLD_")
    monkeypatch.setenv("GLIBC_TUNABLES", "glibc.malloc.mmap_threshold=65536")
    assert not _malloc.keep_freed_memory()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
def test_thresholds_are_within_glibc_limits(monkeypatch):
    for name in _malloc._USER_SETTINGS + ("GLIBC_TUNABLES",):
        monkeypatch.delenv(name, raising=False)
    try:
        import ctypes
        ctypes.CDLL(None).gnu_get_libc_version
    except AttributeError:
        pytest.skip("not glibc")
    assert _malloc.keep_freed_memory()  # mallopt refuses values out of its range
