"""What an invocation needs to know about a function version, read from moto's model once.

A snapshot taken when the invocation is accepted, so an asynchronous invocation runs the code
and settings of that moment, and a fingerprint that changes with anything a warm worker has
baked in (code, layers, handler, environment, memory, timeout, role, endpoint).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from lakelab.emulator import seam
from lakelab.emulator.common import user_code

@dataclass(frozen=True)
class FunctionVersion:
    account_id: str
    region: str
    name: str
    version: str
    arn: str
    handler: str
    runtime: str
    role: str
    timeout: int
    memory_size: int
    environment: dict[str, str]
    code: bytes = field(repr=False)
    code_sha256: str
    layers: tuple[tuple[str, bytes], ...] = field(repr=False)
    endpoint: str

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.account_id, self.region, self.name, self.version)

    @property
    def log_group(self) -> str:
        return f"/aws/lambda/{self.name}"

    @property
    def fingerprint(self) -> str:
        settings = [self.code_sha256, [sha for sha, _ in self.layers], self.handler, self.runtime, self.role,
                    self.timeout, self.memory_size, self.environment, self.endpoint]
        return hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()


def snapshot(fn: Any) -> FunctionVersion:
    """A ``FunctionVersion`` of moto's ``LambdaFunction`` (``$LATEST`` or a published version)."""
    return FunctionVersion(
        account_id=fn.account_id,
        region=fn.region,
        name=fn.function_name,
        version=str(fn.version),
        arn=fn.function_arn,
        handler=fn.handler or "",
        runtime=fn.run_time or "",
        role=fn.role,
        timeout=int(fn.timeout),
        memory_size=int(fn.memory_size),
        environment={str(k): str(v) for k, v in (fn.environment_vars or {}).items()},
        code=fn.code_bytes,
        code_sha256=fn.code_sha_256,
        layers=tuple(_layer_code(fn)),
        endpoint=user_code.endpoint(),
    )


def _layer_code(fn: Any) -> list[tuple[str, bytes]]:
    backend = seam.backend("awslambda", fn.account_id, fn.region)
    found = [backend.layers_versions_by_arn(layer["Arn"]) for layer in fn.layers]
    return [(layer.code_sha_256, layer.code_bytes) for layer in found if layer is not None]
