"""A throwaway PostgreSQL cluster on loopback, for tests and demos.

    with PostgresCluster() as cluster:          # initdb in a temp dir, pg_ctl start
        run_workload("postgres", dsn=cluster.dsn, ...)
                                                # stopped and deleted on leaving the block

    python -m refute.workloads.postgres_cluster  # start one, print its DSN, stop on Ctrl-C

The server binaries are Debian's (``/usr/lib/postgresql/<version>/bin``, found even though
Debian keeps them off ``PATH``); ``scripts/ensure-postgres.sh`` installs them. PostgreSQL
refuses to run as root, so when this runs as root the cluster is owned by, and the server
runs as, the ``postgres`` user the Debian package creates (via ``runuser``). The server
listens on 127.0.0.1 only, on a free port, with ``trust`` authentication and durability off
(``fsync=off``): it holds nothing worth keeping and is deleted when stopped.
"""

from __future__ import annotations

import atexit
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from refute.errors import RefuteError

ENSURE_SCRIPT_HINT = ("install PostgreSQL's server (as root: scripts/ensure-postgres.sh, or "
                      "apt-get install -y postgresql), or set REFUTE_PG_BIN to the directory "
                      "holding initdb and pg_ctl")


class ClusterError(RefuteError):
    """The throwaway cluster could not be created or started."""


def find_bindir() -> Path | None:
    """The directory with ``initdb`` and ``pg_ctl``: $REFUTE_PG_BIN, Debian's newest, PATH."""
    candidates: list[str] = []
    if os.environ.get("REFUTE_PG_BIN"):
        candidates.append(os.environ["REFUTE_PG_BIN"])

    def version(path: str) -> tuple[int, ...]:
        name = Path(path).parent.name
        return tuple(int(p) for p in name.split(".") if p.isdigit()) or (0,)

    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=version, reverse=True)
    initdb = shutil.which("initdb")
    if initdb:
        candidates.append(str(Path(initdb).resolve().parent))
    for candidate in candidates:
        path = Path(candidate)
        if (path / "initdb").is_file() and (path / "pg_ctl").is_file():
            return path
    return None


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on now (racy, so starting retries)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PostgresCluster:
    """One throwaway cluster: ``start()`` returns its DSN, ``stop()`` stops and deletes it.

    ``run_as`` is the OS user the server runs as; by default ``postgres`` when running as
    root, else the current user. ``settings`` are extra ``-c name=value`` server settings.
    """

    def __init__(self, bindir: str | Path | None = None, run_as: str | None = None,
                 settings: dict[str, str] | None = None, start_timeout: float = 60.0) -> None:
        found = Path(bindir) if bindir else find_bindir()
        if found is None:
            raise ClusterError("PostgreSQL's server programs (initdb, pg_ctl) are not installed",
                               hint=ENSURE_SCRIPT_HINT)
        self.bindir = found
        if run_as is None and os.geteuid() == 0:
            run_as = "postgres"
        if run_as is not None:
            try:
                pwd.getpwnam(run_as)
            except KeyError:
                raise ClusterError(
                    f"PostgreSQL refuses to run as root, and there is no user {run_as!r} to "
                    "run it as", hint="create one (Debian's postgresql package does: "
                    "apt-get install -y postgresql), or run as a non-root user") from None
        self.run_as = run_as
        self.settings = {"fsync": "off", "synchronous_commit": "off",
                         "full_page_writes": "off", "max_connections": "200",
                         "deadlock_timeout": "200ms", **(settings or {})}
        self.start_timeout = start_timeout
        self.directory: Path | None = None
        self.port: int | None = None
        self.user = "postgres"
        self._registered = False

    # -- life cycle -------------------------------------------------------------------------

    @property
    def dsn(self) -> str:
        if self.port is None:
            raise ClusterError("the cluster is not running", hint="call start() first")
        return f"host=127.0.0.1 port={self.port} user={self.user} dbname=postgres"

    @property
    def data(self) -> Path:
        assert self.directory is not None
        return self.directory / "data"

    def start(self) -> str:
        """initdb into a new temp dir and start the server on a free port; return the DSN."""
        if self.port is not None:
            return self.dsn
        self.directory = Path(tempfile.mkdtemp(prefix="refute-pg-"))
        if not self._registered:
            atexit.register(self.stop)
            self._registered = True
        try:
            if self.run_as is not None:
                entry = pwd.getpwnam(self.run_as)
                os.chown(self.directory, entry.pw_uid, entry.pw_gid)
            self._run([str(self.bindir / "initdb"), "-D", str(self.data), "-U", self.user,
                       "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C"],
                      "initdb", timeout=120)
            last_error: ClusterError | None = None
            for _attempt in range(5):
                port = free_port()
                options = [f"-p {port}", "-c listen_addresses=127.0.0.1",
                           f"-c unix_socket_directories={self.directory}"]
                options += [f"-c {name}={value}" for name, value in self.settings.items()]
                try:
                    self._run([str(self.bindir / "pg_ctl"), "-D", str(self.data), "-l",
                               str(self.directory / "server.log"), "-w", "-t",
                               str(int(self.start_timeout)), "-o", " ".join(options), "start"],
                              "pg_ctl start", timeout=self.start_timeout + 10)
                except ClusterError as error:
                    last_error = error  # most likely the port was taken meanwhile: retry
                    continue
                self.port = port
                return self.dsn
            assert last_error is not None
            raise last_error
        except BaseException:
            self._remove()
            raise

    def stop(self) -> None:
        """Stop the server (immediate shutdown) and delete the cluster; idempotent."""
        if self.directory is None:
            return
        if self.port is not None and (self.data / "postmaster.pid").exists():
            try:
                self._run([str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m",
                           "immediate", "-w", "stop"], "pg_ctl stop", timeout=60)
            except ClusterError:
                pass
        self.port = None
        self._remove()

    def __enter__(self) -> PostgresCluster:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- helpers ----------------------------------------------------------------------------

    def _remove(self) -> None:
        if self.directory is not None:
            shutil.rmtree(self.directory, ignore_errors=True)
            self.directory = None

    def _run(self, argv: list[str], what: str, timeout: float) -> None:
        if self.run_as is not None and self.run_as != pwd.getpwuid(os.geteuid()).pw_name:
            runuser = shutil.which("runuser") or "/usr/sbin/runuser"
            if os.path.exists(runuser):
                argv = [runuser, "-u", self.run_as, "--", *argv]
            else:
                argv = ["su", self.run_as, "-s", "/bin/sh", "-c",
                        " ".join(_quote(a) for a in argv)]
        try:
            done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout,
                                  cwd=self.directory or "/", stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise ClusterError(f"{what} did not finish within {timeout:.0f} s",
                               detail=self._log_tail()) from None
        except OSError as error:
            raise ClusterError(f"{what} could not be run: {error}", hint=ENSURE_SCRIPT_HINT
                               ) from None
        if done.returncode != 0:
            output = (done.stdout + done.stderr).strip()
            raise ClusterError(f"{what} failed with exit code {done.returncode}",
                               detail="\n".join(filter(None, [output[-2000:], self._log_tail()])))

    def _log_tail(self) -> str:
        if self.directory is None:
            return ""
        log = self.directory / "server.log"
        try:
            return "server log:\n" + log.read_text(errors="replace")[-2000:]
        except OSError:
            return ""


def _quote(text: str) -> str:
    import shlex
    return shlex.quote(text)


def main() -> None:  # pragma: no cover - interactive demo helper
    """Start a cluster, print its DSN, and keep it until Ctrl-C."""
    with PostgresCluster() as cluster:
        print(cluster.dsn, flush=True)
        print("throwaway PostgreSQL running; Ctrl-C stops and deletes it", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":  # pragma: no cover
    main()
