"""Lake Labs course kit: targets, the embedded emulator, checks, naming, teardown, lab generation."""

__version__ = "0.1.0"


def start(week: int):
    """Connect to the target chosen by ``LAKELAB_TARGET`` and return the week's lab (names, checks)."""
    from lakelab.lab import start as start_lab

    return start_lab(week)
