"""``python -m numbatorch``: the command line (``info``, ``warmup``, ``run``)."""
import sys

from .cli.main import main

sys.exit(main())
