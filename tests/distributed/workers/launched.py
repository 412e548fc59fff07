"""Prints what a rank sees under ``python -m numbatorch.distributed.run`` (torchrun's variables, MPI's rank)."""
import os
import sys

import numbatorch.distributed as dist

dist.init_process_group("mpi", init_method="env://")
values = [os.environ[k] for k in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "LOCAL_WORLD_SIZE", "NUMBA_NUM_THREADS")]
print(f"rank={dist.get_rank()} world={dist.get_world_size()} env={','.join(values)} "
      f"launched={dist.is_torchelastic_launched()} args={sys.argv[1:]}")
dist.destroy_process_group()
