"""Test-wide environment: the local target with an emulator per kernel, never a real account.

nbval's kernels inherit this process's environment, so solution notebooks run exactly as
``lakelab execute`` ran them when their outputs were stored.
"""

import os

from lakelab.notebooks import test_environment

_environment = test_environment()
os.environ.clear()
os.environ.update(_environment)
