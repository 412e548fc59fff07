"""Watching which threaded kernels a kernel module runs."""
from numbatorch.backends.cpu import _arithmetic_kernels, _spin_pool


def spy_on_threads(module, monkeypatch):
    """Make ``module``'s kernels run on the threads wherever they apply (``_arithmetic_kernels.splits``, whatever
    other processes do meanwhile, and never on the spin pool: its own tests cover it); returns the list of twins
    ``module`` then runs on them."""
    monkeypatch.setattr(_arithmetic_kernels, "spare_core", lambda: True)
    monkeypatch.setattr(_spin_pool, "ready", lambda job, moved: None)
    ran = []
    choose = module.choose

    def spy(twin, work, minimum):
        ran.append(twin)
        return choose(twin, work, minimum)
    monkeypatch.setattr(module, "choose", spy)
    return ran
