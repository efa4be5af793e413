#!/usr/bin/env bash
# Time the README's first command as a new user meets it: a fresh clone of this repository's
# HEAD, a fresh virtual environment, an empty pip cache (PIP_NO_CACHE_DIR=1), every package
# downloaded from the index. The command is read from README.md (the first line of its first
# ```bash block), not copied here, so that what is timed is what the README says.
#
#   scripts/measure_install.sh            # prints the command, its exit code and its time
#   scripts/measure_install.sh COMMIT     # the same for an earlier commit (before and after)
#
# The command ends with `refute check examples/two_phase.py -p early_commit=true`, which finds
# the bundled bug and so exits 1 by design; any other exit code is a failure of this script.
set -uo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d /tmp/refute-install.XXXXXX)"
trap 'rm -rf "$work"' EXIT
git clone -q "$repo" "$work/refute"
cd "$work/refute"
git checkout -q "${1:-HEAD}"
command="$(awk '/^```bash$/ {getline; print; exit}' README.md)"
echo "command: $command"
echo "python3: $(command -v python3) ($(python3 --version 2>&1))"
log="${REFUTE_INSTALL_LOG:-/tmp/refute-install.log}"
PIP_NO_CACHE_DIR=1 /usr/bin/time -f "%e %U %S" -o "$work/time.txt" bash -c "$command" > "$log" 2>&1
status=$?
read -r wall user system < <(tail -n 1 "$work/time.txt")  # after "Command exited with non-zero status 1"
tail -n 3 "$log"
printf 'exit code %d (1 expected: the example shows a violation)\n' "$status"
printf 'wall %.0f s, CPU %.0f s (user %.0f + system %.0f); full log: %s\n' "$wall" \
    "$(echo "$user + $system" | bc)" "$user" "$system" "$log"
echo "packages built from source (anything but refute itself is a regression):"
grep -io "building \(wheel\|editable\) for [^ ]*" "$log" | sort -u
[ "$status" -eq 1 ]
