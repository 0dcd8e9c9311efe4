"""The lab a learner runs: the Setup cell's kit, ``make lab``'s launcher, and teardown with its sweepers."""

from lakelab.lab.setup_cell import Lab, start

__all__ = ["Lab", "start"]
