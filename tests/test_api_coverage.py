"""tools/api_coverage.py: how PyTorch's public names are classified, and the README block it rewrites."""
import importlib.util
import pathlib
import types

import pytest

_PATH = pathlib.Path(__file__).resolve().parents[1] / "tools" / "api_coverage.py"
_spec = importlib.util.spec_from_file_location("api_coverage", _PATH)
coverage = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(coverage)


def test_classify_separates_missing_left_out_and_imported_names():
    reference = types.ModuleType("torch")
    reference.zeros, reference.ones, reference._internal, reference.qint8 = 1, 2, 3, 4
    reference.os = importlib.import_module("os")
    reference.linalg = types.ModuleType("torch.linalg")
    ours = types.SimpleNamespace(zeros=1, linalg=4)
    missing, left_out, not_api, total = coverage.classify("torch", reference, ours, {"qint8": "quantized"})
    assert (missing, left_out, not_api, total) == (["ones"], ["qint8"], ["os"], 4)


def test_readme_block_replaces_only_the_marked_block(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(f"intro\n{coverage.BEGIN}\nold table\n{coverage.END}\noutro\n")
    block = coverage.readme_block([("torch", 2, 3, 10)], "tools/api_missing.txt",
                                  {"torch": {"qint8": "quantized tensors", "quint8": "quantized tensors"}})
    coverage.update_readme(readme, block)
    text = readme.read_text()
    assert text.startswith("intro\n") and text.endswith("\noutro\n") and "old table" not in text
    assert "| `torch` | 10 | 5 | 3 | 2 |" in text
    assert "- Quantized tensors: `torch.qint8`, `torch.quint8`." in text
    bare = tmp_path / "BARE.md"
    bare.write_text("no markers")
    with pytest.raises(SystemExit):
        coverage.update_readme(bare, "x")


def test_numbatorch_covers_the_namespaces_it_claims():
    pytest.importorskip("torch")
    from numbatorch._api_placeholders import LEFT_OUT
    for label, ref_path, our_path in coverage.NAMESPACES:
        missing, left_out, _, total = coverage.classify(label, coverage.resolve(ref_path),
                                                        coverage.resolve(our_path), LEFT_OUT.get(label, {}))
        assert len(missing) + len(left_out) < total, label
