"""Test-wide environment: the local target with an emulator per kernel, never a real account.

nbval's kernels inherit this process's environment, so solution notebooks run exactly as
``lakelab execute`` ran them when their outputs were stored.
"""

import os

from lakelab.notebooks.execution import test_environment, use_private_kernel_ports

_environment = test_environment()
os.environ.clear()
os.environ.update(_environment)

# Each xdist worker (gw0, gw1, ...) starts its kernels on ports of its own.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
use_private_kernel_ports(int(_worker[2:]) if _worker.startswith("gw") else 4)
