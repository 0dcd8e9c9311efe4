"""Host-mode LocalStack's edges, without starting it: finding Python 3.13, and a missing install."""

from __future__ import annotations

import stat

import pytest

from lakelab.targets import localstack_host


def _fake_python(folder, version: str):
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / "python3.13"
    status = 0 if version == "3.13" else 1  # what the real check, asked of this interpreter, would answer
    script.write_text(f"#!/bin/sh\nexit {status}\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script


def test_a_python313_that_does_not_run_is_passed_over_for_one_uv_installed(tmp_path, monkeypatch):
    """pyenv's shim is on PATH even when 3.13 is not installed: only a working interpreter counts."""
    _fake_python(tmp_path, "3.12")
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path / "no-pyenv"))
    monkeypatch.setattr(localstack_host, "_uv_managed_python313", lambda: "")
    assert localstack_host.find_python313() is None
    monkeypatch.setattr(localstack_host, "_uv_managed_python313", lambda: str(_fake_python(tmp_path / "uv", "3.13")))
    assert localstack_host.find_python313() == str(tmp_path / "uv" / "python3.13")


def test_python313_is_found_under_pyenv(tmp_path, monkeypatch):
    versions = tmp_path / "pyenv" / "versions" / "3.13.1" / "bin"
    versions.mkdir(parents=True)
    found = _fake_python(versions, "3.13")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path / "pyenv"))
    assert localstack_host.find_python313() == str(found)


def test_localstack_not_installed_says_how_to_install_it(tmp_path):
    with pytest.raises(RuntimeError, match=r"LocalStack is not installed in .*: run `make localstack`"):
        localstack_host.HostLocalStack(tmp_path / "missing").start()
    assert not list(tmp_path.iterdir()), "nothing was started or left behind"
