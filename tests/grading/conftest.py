"""The fixture class's notebooks are submissions to read, never notebooks for nbval to run (`make test` runs
every .ipynb under tests/ with --nbval)."""

collect_ignore_glob = ["fixtures/*"]
