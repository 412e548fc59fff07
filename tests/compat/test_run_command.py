"""``python -m numbatorch run``: PyTorch scripts run unmodified with torch resolved to numbatorch."""
import numpy as np
import pytest

from ._scripts import check, numbers, run_numbatorch, run_torch, write_script


def test_aliases_argv_and_main(tmp_path):
    write_script(tmp_path, "import torch\nSIBLING = torch.__name__\n", name="sibling.py")
    script = write_script(tmp_path, """
        import sys
        import torch, torch.nn.functional as F, torchvision, torchkeras
        from sibling import SIBLING  # the script's directory comes first on sys.path
        assert SIBLING == "numbatorch"
        from torch.utils.data import DataLoader
        print("modules", torch.__name__, F.__name__, torchvision.__name__, torchkeras.__name__)
        print("same", torch.nn.functional is F, DataLoader.__module__.startswith("numbatorch"))
        real = [name for name, m in list(sys.modules.items())
                if (getattr(m, "__file__", None) or "").replace("\\\\", "/").count("/site-packages/torch/")]
        print("real", real)
        print("argv", sys.argv[1:], __name__)
        sys.exit(int(sys.argv[2]))
    """)
    result = run_numbatorch(script, "--flag", 3)
    assert result.returncode == 3, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "modules numbatorch numbatorch.nn.functional numbatorch.vision numbatorch.keras"
    assert lines[1] == "same True True"
    assert lines[2] == "real []"
    assert lines[3] == "argv ['--flag', '3'] __main__"
    missing = run_numbatorch(tmp_path / "no_such_script.py")
    assert missing.returncode == 2 and "No such file or directory" in missing.stderr


MISSING = [
    ("torch.definitely_missing_function(1)", "torch.definitely_missing_function"),
    ("torch.nn.functional.definitely_missing_loss", "torch.nn.functional.definitely_missing_loss"),
    ("import torch.definitely_missing_module", "torch.definitely_missing_module"),
    ("from torch import definitely_missing_name", "torch.definitely_missing_name"),
    ("from torch.nn.functional import missing_loss", "torch.nn.functional.missing_loss"),
    ("from torch.nn.modules.linear import MissingLinear", "torch.nn.modules.linear.MissingLinear"),
]


def test_missing_feature_names_the_pytorch_api(tmp_path):
    script = write_script(tmp_path, f"""
        import torch
        assert not hasattr(torch, "definitely_missing_probe")  # feature probes still see an AttributeError
        try:
            import torch.definitely_missing_optional
        except ImportError:
            pass
        try:
            from torch import definitely_missing_optional_name
        except ImportError:
            pass
        for statement in {[statement for statement, _ in MISSING]!r}:
            try:
                exec(statement)
            except NotImplementedError as error:
                print("caught", error)
        torch.zeros(2).definitely_missing_method()  # a Tensor's missing method, when it ends the program
    """)
    result = run_numbatorch(script)
    assert result.returncode == 1
    assert "numbatorch does not implement torch.Tensor.definitely_missing_method yet" in result.stderr
    caught = [line for line in result.stdout.splitlines() if line.startswith("caught ")]
    assert caught == [f"caught numbatorch does not implement {api} yet" for _, api in MISSING]


def test_dataloader_workers_see_numbatorch_as_torch(tmp_path):
    script = write_script(tmp_path, """
        import torch
        from torch.utils.data import DataLoader, Dataset

        class Numbers(Dataset):
            def __len__(self):
                return 8

            def __getitem__(self, i):
                import torch as in_worker  # a fresh interpreter: resolved by the hook installed in the worker
                assert in_worker.__name__ == "numbatorch", in_worker.__name__
                return in_worker.full((2,), float(i))

        if __name__ == "__main__":
            for context in ("spawn", "forkserver"):
                loader = DataLoader(Numbers(), batch_size=4, num_workers=2, multiprocessing_context=context)
                print(context, *[batch.sum().item() for batch in loader])
    """)
    out = check(run_numbatorch(script))
    expected = [float(sum(2 * i for i in range(start, start + 4))) for start in (0, 4)]
    assert numbers(out, "spawn ") == numbers(out, "forkserver ") == expected


def test_training_matches_pytorch(tmp_path):
    pytest.importorskip("torch")
    script = write_script(tmp_path, """
        import numpy as np
        import torch
        import torch.nn as nn

        torch.backends.cudnn.benchmark = True
        torch.set_num_threads(1)
        device = torch.accelerator.current_accelerator() if torch.accelerator.is_available() else "cpu"
        rng = np.random.default_rng(0)
        x = torch.tensor(rng.normal(size=(64, 5)), dtype=torch.float32)
        y = torch.tensor(rng.normal(size=(64, 1)), dtype=torch.float32)
        model = nn.Sequential(nn.Linear(5, 8), nn.Tanh(), nn.Linear(8, 1))
        with torch.no_grad():
            for p in model.parameters():
                p.copy_(torch.tensor(rng.normal(scale=0.3, size=tuple(p.shape)), dtype=torch.float32))
        model = torch.compile(model.to(device))
        optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
        scaler = torch.amp.GradScaler("cpu")
        for step in range(20):
            with torch.autocast("cpu", enabled=False):
                loss = nn.functional.mse_loss(model(x), y)
            optimizer.zero_grad()
            scaler.scale(loss).backward()
            scaler.step(optimizer)
            scaler.update()
            print("loss", loss.item())
    """)
    ours = numbers(check(run_numbatorch(script)), "loss ")
    theirs = numbers(check(run_torch(script)), "loss ")
    assert len(ours) == 20
    np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-6)
