"""Lake Labs course kit: targets, the embedded emulator, checks, naming, teardown, lab generation."""

__version__ = "0.1.0"
