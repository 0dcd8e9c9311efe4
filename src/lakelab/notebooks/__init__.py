"""Notebooks: labs generated from solutions, solutions executed, and the small transforms both use.

- :mod:`~lakelab.notebooks.transforms`: strip solutions, strip outputs, drop clean-up (the one
  rule that spots a clean-up cell, which grading uses too).
- :mod:`~lakelab.notebooks.labs`: ``lakelab build``, labs from solutions.
- :mod:`~lakelab.notebooks.execution`: ``lakelab execute``, solutions run as the tests run them.

Each is imported on its own: grading reads the transforms without loading the notebook runner.
"""
