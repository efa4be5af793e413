"""scripts/ensure-postgres.sh's install path, with apt-get replaced by a stub.

The real install runs in CI on a fresh machine (through the conftest fixture); here the
script is pointed at an empty library directory so that its "missing" branch runs without
touching the system.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

ENSURE = Path(__file__).resolve().parents[2] / "scripts" / "ensure-postgres.sh"

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the install branch runs as root")


def _run(tmp_path: Path, apt_body: str) -> subprocess.CompletedProcess:
    stubs = tmp_path / "stubs"
    stubs.mkdir()
    libdir = tmp_path / "lib"
    libdir.mkdir()
    apt = stubs / "apt-get"
    apt.write_text("#!/bin/sh\n" + apt_body.replace("LIBDIR", str(libdir)))
    apt.chmod(0o755)
    env = {**os.environ, "PATH": f"{stubs}:{os.environ['PATH']}",
           "REFUTE_PG_LIBDIR": str(libdir)}
    return subprocess.run(["sh", str(ENSURE)], capture_output=True, text=True, env=env,
                          timeout=60)


def test_installs_when_missing(tmp_path):
    done = _run(tmp_path, 'echo "$@" >> LIBDIR/../apt.log\n'
                          'if [ "$1" = install ]; then mkdir -p LIBDIR/16/bin && '
                          'for p in initdb pg_ctl postgres; do '
                          'printf "#!/bin/sh\\necho postgres 16\\n" > LIBDIR/16/bin/$p; '
                          'chmod +x LIBDIR/16/bin/$p; done; fi\n')
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(tmp_path / "lib" / "16" / "bin")
    log = (tmp_path / "apt.log").read_text().splitlines()
    assert log[0] == "update" and "postgresql" in log[1].split()


def test_fails_loudly_when_apt_fails(tmp_path):
    done = _run(tmp_path, "exit 100\n")
    assert done.returncode == 1
    assert "ensure-postgres: cannot provide PostgreSQL's server" in done.stderr
    assert "apt-get update failed" in done.stderr
