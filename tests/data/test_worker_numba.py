"""Fork safety: workers run numba parallel kernels after the parent already ran one."""
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent("""
    import numpy as np
    import numbatorch
    import numba
    from numba import njit, prange
    from numbatorch.utils.data import DataLoader, Dataset

    @njit(parallel=True)
    def scaled(x, factor):
        out = np.empty_like(x)
        for i in prange(x.shape[0]):
            out[i] = x[i] * factor
        return out

    class KernelDataset(Dataset):
        def __getitem__(self, i):
            return scaled(np.arange(1000, dtype=np.float64), float(i)).sum()
        def __len__(self):
            return 8

    # The parent starts numba's thread pool before forking the workers.
    assert scaled(np.arange(4.0), 2.0).tolist() == [0.0, 2.0, 4.0, 6.0]
    loader = DataLoader(KernelDataset(), batch_size=2, num_workers=2, timeout=60)
    values = [v for batch in loader for v in batch.numpy().tolist()]
    expected = [float(i) * 999 * 1000 / 2 for i in range(8)]
    assert values == expected, (values, expected)
    print("layer", numba.threading_layer())
""")


def test_parallel_kernels_in_workers_after_parent_used_them():
    result = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stderr[-3000:]
    layer = result.stdout.split("layer")[-1].strip()
    assert layer != "omp"  # GNU OpenMP does not survive fork


def test_tbb_layer_is_chosen_when_installed():
    script = textwrap.dedent("""
        import numbatorch
        from numbatorch import _threading_layer
        print(_threading_layer.chosen_layer(), _threading_layer._load_tbb())
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                            env={k: v for k, v in __import__("os").environ.items()
                                 if k != "NUMBA_THREADING_LAYER"})
    assert result.returncode == 0, result.stderr[-3000:]
    layer, tbb_loadable = result.stdout.split()
    assert layer == ("tbb" if tbb_loadable == "True" else "workqueue")
