"""``seed_everything``: every generator reseeded, torchkeras's message and return value."""
import os
import random

import numpy as np

import numbatorch
from numbatorch.keras import seed_everything


def _draws():
    return random.random(), np.random.rand(), numbatorch.rand(3).numpy().tolist()


def test_seed_everything_reseeds_all_generators(capsys, monkeypatch):
    monkeypatch.setenv("PYTHONHASHSEED", "0")
    assert seed_everything(7) == 7
    first = _draws()
    seed_everything(7)
    assert _draws() == first
    seed_everything(8)
    assert _draws() != first
    assert os.environ["PYTHONHASHSEED"] == "8"
    assert capsys.readouterr().out.splitlines() == ["Global seed set to 7"] * 2 + ["Global seed set to 8"]
