"""One package per AWS service, each the same shape.

``__init__.py`` declares ``SERVICES`` (the moto services it extends, by moto's backend name),
``PATCHES`` (:class:`~lakelab.emulator.seam.Patch` records: what it changes in moto, and why)
and, when needed, ``install()`` (reset hooks, threads) and ``NATIVE_SERVICES`` (services moto
lacks). The registry finds every such package here by itself; its docstring lists its modules.
A package's ``calls.py`` is how other services call it in-process, as the caller.
"""
