"""The embedded emulator: moto's server plus Lake Labs' per-service extensions.

- ``server.py``: the HTTP server (routing, health, reset); ``pipeline.py``, ``identity.py``,
  ``requests.py`` and ``context.py``: who is calling, for every request and the work done for it
- ``seam.py``: every moto internal we touch, and the one way to patch moto (``Patch``)
- ``registry.py``: which extension extends which moto service, read from their declarations,
  installed when a service is first used; reset hooks
- ``native.py``: services of our own, for what moto lacks, routed by signing name
- ``dispatch.py``: deliveries made after the request that caused them has been answered
- ``engine/``: the shared SQL engine (DuckDB over the in-process S3 store and the Glue catalog)
- ``common/``: in-process S3 objects, the CloudWatch Logs writer, user code's environment, Spark
- ``services/<service>/``: one package per AWS service, each the same shape (``SERVICES``,
  ``PATCHES``, its modules listed in its docstring, ``calls.py`` for other services to call it)
"""

from lakelab.emulator.server import Emulator, EmulatorError

__all__ = ["Emulator", "EmulatorError"]
