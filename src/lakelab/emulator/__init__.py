"""The embedded emulator: moto's server plus Lake Labs' per-service extensions.

Each extension module mirrors a moto service package (``s3.py`` extends ``moto.s3``) and
exposes ``SERVICES`` (the moto backend names it extends) and ``install()``. Extensions are
installed the first time a request reaches one of their services, so services a lab never
touches cost nothing at start-up.
"""

from lakelab.emulator.server import Emulator, EmulatorError

__all__ = ["Emulator", "EmulatorError"]
