"""The one seam to moto: every symbol resolves on the pinned moto, patches install once, in a fixed order."""

import json
import subprocess
import sys

import pytest

from lakelab.emulator import registry, seam

DECLARED = [(package.__name__.rsplit(".", 1)[-1], patch) for package in registry.extensions()
            for patch in getattr(package, "PATCHES", ())]


@pytest.mark.parametrize("name", sorted(seam.SYMBOLS))
def test_every_symbol_resolves(name):
    assert seam.resolve(name) is not None, f"moto lost {name} ({seam.SYMBOLS[name]})"


@pytest.mark.parametrize("service", sorted(seam.BACKENDS))
def test_every_backend_resolves(service):
    assert seam.backend(service, "123456789012") is not None, f"moto lost the {service} backends"


@pytest.mark.parametrize("package, patch", DECLARED, ids=[f"{p}:{d.owner}.{d.attribute}" for p, d in DECLARED])
def test_every_patched_attribute_exists_on_moto(package, patch):
    assert patch.owner in seam.SYMBOLS, f"{package} patches {patch.owner}, which SYMBOLS does not name"
    assert patch.moto_service in {s for _, p in DECLARED for s in [p.moto_service]}
    if not patch.adds:
        assert seam.original(patch.owner, patch.attribute) is not None, \
            f"moto has no {patch.owner}.{patch.attribute} ({seam.SYMBOLS[patch.owner]}) for {package} to patch"
    assert patch.why, f"{package}'s patch of {patch.owner}.{patch.attribute} does not say why"


def test_every_extension_declares_the_services_its_patches_target():
    for package in registry.extensions():
        targets = {patch.moto_service for patch in getattr(package, "PATCHES", ())}
        services = set(getattr(package, "SERVICES", ()))  # a package of native services only declares none
        assert targets <= services, f"{package.__name__} patches {targets - services}"


def test_installing_twice_changes_nothing():
    registry.install_all()
    before = {key: (list(chain), seam._read(seam.resolve(key[0]), key[1])) for key, chain in seam._applied.items()}
    for package in registry.extensions():
        for service in getattr(package, "SERVICES", ()):
            assert seam.install(getattr(package, "PATCHES", ()), service, package.__name__) == []
    after = {key: (list(chain), seam._read(seam.resolve(key[0]), key[1])) for key, chain in seam._applied.items()}
    assert after == before


def test_wrapping_one_attribute_from_two_extensions_composes_own_service_first():
    registry.install_all()
    assert seam.chain("S3Backend", "put_bucket_notification_configuration") == [
        "lakelab.emulator.services.s3.notifications:refuses_overlaps",
        "lakelab.emulator.services.awslambda.triggers:checks_s3_may_invoke",
    ]


_CHAINS = """
import json, sys
from lakelab.emulator import registry, seam
for service in sys.argv[1:]:
    registry.install_for_backend(service)
print(json.dumps({f"{owner}.{attribute}": chain for (owner, attribute), chain in sorted(seam._applied.items())}))
"""


def _chains_after(*services: str) -> dict:
    found = subprocess.run([sys.executable, "-c", _CHAINS, *services], capture_output=True, text=True, check=True)
    return json.loads(found.stdout)


def test_install_order_does_not_depend_on_the_first_service_called():
    assert _chains_after("s3", "awslambda") == _chains_after("awslambda", "s3")


def test_no_module_outside_the_seam_imports_moto():
    import pathlib
    import re

    package = pathlib.Path(seam.__file__).parent.parent
    allowed = {"emulator/seam.py", "emulator/server.py", "emulator/registry.py"}
    offenders = [str(path.relative_to(package)) for path in package.rglob("*.py")
                 if str(path.relative_to(package)) not in allowed
                 and re.search(r"^\s*(from|import) moto\b", path.read_text(), re.M)]
    assert offenders == []
