"""tools/api_coverage.py: which public names are missing, and the README table it rewrites."""
import importlib.util
import pathlib
import types

import pytest

_PATH = pathlib.Path(__file__).resolve().parents[1] / "tools" / "api_coverage.py"
_spec = importlib.util.spec_from_file_location("api_coverage", _PATH)
coverage = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(coverage)


def test_missing_names_ignore_private_names():
    reference = types.SimpleNamespace(zeros=1, ones=2, _internal=3, linalg=4)
    ours = types.SimpleNamespace(zeros=1, linalg=4)
    assert coverage.missing_names(reference, ours) == (["ones"], 3)


def test_readme_table_replaces_only_the_marked_block(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(f"intro\n{coverage.BEGIN}\nold table\n{coverage.END}\noutro\n")
    coverage.update_readme(readme, coverage.readme_block([("torch", 2, 10)], "tools/api_missing.txt"))
    text = readme.read_text()
    assert text.startswith("intro\n") and text.endswith("\noutro\n") and "old table" not in text
    assert "| `torch` | 10 | 8 | 2 |" in text
    bare = tmp_path / "BARE.md"
    bare.write_text("no markers")
    with pytest.raises(SystemExit):
        coverage.update_readme(bare, "x")


def test_numbatorch_covers_the_namespaces_it_claims():
    pytest.importorskip("torch")
    for label, ref_path, our_path in coverage.NAMESPACES:
        missing, total = coverage.missing_names(coverage.resolve(ref_path), coverage.resolve(our_path))
        assert len(missing) < total, label
    import numbatorch
    assert all(hasattr(numbatorch.linalg, n) for n in ("inv", "det", "svd", "qr", "eigh", "solve", "lstsq", "pinv"))
