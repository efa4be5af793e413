#!/bin/sh
# Make sure PostgreSQL's server programs (initdb, pg_ctl) are installed, from Debian's packages.
#
# The workload and Hermitage tests start a throwaway cluster of their own with these programs
# (refute.workloads.postgres_cluster: initdb in a temp dir, pg_ctl on a free loopback port,
# deleted afterwards); this script only installs. Debian keeps the programs in
# /usr/lib/postgresql/<version>/bin, off PATH. Installing needs root and apt; when either is
# missing this script says so loudly and exits non-zero, and the tests skip with that message
# rather than pass silently. Prints the directory holding the programs on success.
set -u

# Where Debian puts the server programs; overridable only so that tests can exercise this.
PG_LIBDIR=${REFUTE_PG_LIBDIR:-/usr/lib/postgresql}

find_bindir() {
    for dir in $(ls -d "$PG_LIBDIR"/*/bin 2>/dev/null | sort -V -r); do
        if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
            echo "$dir"
            return 0
        fi
    done
    return 1
}

fail() {
    echo "================================================================" >&2
    echo "ensure-postgres: cannot provide PostgreSQL's server (initdb, pg_ctl): $1" >&2
    echo "Install it by hand (as root): apt-get update && apt-get install -y postgresql" >&2
    echo "================================================================" >&2
    exit 1
}

# As root the server must run as another user: the package's 'postgres', made if missing.
ensure_user() {
    [ "$(id -u)" -eq 0 ] || return 0
    id postgres >/dev/null 2>&1 && return 0
    useradd --system --home-dir /var/lib/postgresql --shell /bin/sh postgres \
        || fail "running as root, and cannot create the 'postgres' user the server runs as"
}

if bindir=$(find_bindir); then
    ensure_user
    echo "$bindir"
    exit 0
fi

[ "$(id -u)" -eq 0 ] || fail "installing needs root, and this runs as $(id -un)"
command -v apt-get >/dev/null 2>&1 || fail "apt-get is not available on this system"

echo "ensure-postgres: PostgreSQL is missing; installing Debian's postgresql package" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update >&2 || fail "apt-get update failed"
apt-get install -y --no-install-recommends postgresql >&2 \
    || fail "apt-get install postgresql failed"
bindir=$(find_bindir) || fail "the postgresql package installed no $PG_LIBDIR/*/bin/initdb"
ensure_user
echo "ensure-postgres: installed $("$bindir/postgres" --version 2>/dev/null) in $bindir" >&2
echo "$bindir"
