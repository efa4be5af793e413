"""Cobra's binary client logs (Tan, Zhao, Mu and Walfish, *Cobra: Making Transactional
Key-Value Stores Verifiably Serializable*, OSDI 2020), as its verifier reads them.

A Cobra history is a folder of ``*.log`` files, one per client (a session); a single log
file is a history of one session. Each file is a sequence of records, big-endian 64-bit
integers after a one-byte tag (Java's ``DataOutputStream``):

==========  =====================================================  =========
tag         fields                                                 size
==========  =====================================================  =========
``S``       transaction id (start)                                 9 bytes
``C``       transaction id (commit)                                9 bytes
``W``       write id, key, value                                   25 bytes
``R``       writer's transaction id, write id, key, value          33 bytes
==========  =====================================================  =========

Cobra makes every write id unique, so a read names the write it saw by its write id. A read
whose writer is ``0xbebeebee`` (the initial transaction) or ``0xdeadbeef`` (none), with the
write id ``0xbebeebee`` or ``0xdeadbeef``, read the key's initial value; a read of the
initial transaction with write id ``0x23332333`` or ``0x66666666`` is Cobra's garbage
collection marker, not a read of the data, and is skipped (a note counts them).

The history becomes a read-write register history: a file is a process (numbered from 1 in
the order of the file names), a write ``[:w key write-id]``, a read ``[:r key write-id]``
(``nil`` for the initial value). A transaction that committed (``C``) is ``ok``; one that
started and never committed is ``info`` (it may have). Transactions are named ``T1``,
``T2``... in order, file by file; there is no line to point at in a binary file, and no
timing: session order is the only order known.
"""

from __future__ import annotations

import struct
from pathlib import Path

from refute.errors import InputError
from refute.history.transactions import READ, WRITE, History, MicroOp, Outcome, Transaction
from refute.limits import Watch

INIT_ID = 0xBEBEEBEE
NULL_ID = 0xDEADBEEF
GC_IDS = (0x23332333, 0x66666666)
_SIZES = {b"S": 8, b"C": 8, b"W": 24, b"R": 32}
_HINT = ("a Cobra history is a folder of client logs (*.log) of S/C/W/R records, "
         "as Cobra's clients write them")


class _Unlocated:
    """Binary records have no line: the location of every Cobra transaction."""

    __slots__ = ()
    line = None


def looks_like_cobra(path: str | Path) -> bool:
    """Whether ``path`` is a folder of ``*.log`` files, or a file, that start like a Cobra
    log: the tag ``S`` and a binary transaction id."""
    path = Path(path)
    try:
        files = sorted(path.glob("*.log")) if path.is_dir() else [path]
        heads = [file.open("rb").read(9) for file in files]
    except OSError:
        return False
    return bool(heads) and all(_binary_start(head) for head in heads)


def _binary_start(head: bytes) -> bool:
    printable = set(range(0x20, 0x7F)) | {9, 10, 13}
    return len(head) == 9 and head[:1] == b"S" and any(b not in printable for b in head[1:])


def read_cobra(path: str | Path, watch: Watch | None = None) -> History:
    """The history of a Cobra log folder (or one log file); see the module docstring."""
    path = Path(path)
    files = sorted(path.glob("*.log")) if path.is_dir() else [path]
    if not files:
        raise InputError("the folder has no *.log files", file=str(path), hint=_HINT)
    transactions: list[Transaction] = []
    skipped = 0
    for session, file in enumerate(files, 1):
        if watch is not None:
            watch.check()
        try:
            data = file.read_bytes()
        except OSError as error:
            raise InputError(f"cannot read {file}: {error.strerror}", file=str(file),
                             hint=_HINT) from None
        skipped += _read_log(data, str(file), session, transactions)
    notes = [f"Cobra logs: {len(files)} client(s), read as processes 1-{len(files)} with no "
             "timing (session order only)"]
    if skipped:
        notes.append(f"{skipped} garbage-collection read(s) of Cobra's were skipped")
    return History(transactions, str(path), "cobra", realtime=False, notes=notes)


def _read_log(data: bytes, file: str, session: int, transactions: list[Transaction]) -> int:
    """Append the transactions of one client log; the number of GC reads skipped."""
    offset = skipped = started = 0
    current: Transaction | None = None
    mops: list[MicroOp] = []
    while offset < len(data):
        tag = data[offset:offset + 1]
        size = _SIZES.get(tag)
        if size is None or offset + 1 + size > len(data):
            what = f"a record of {len(data) - offset} byte(s)" if size else f"tag {tag!r}"
            raise InputError(f"byte {offset}: expected a record S, C, W or R, found {what}",
                             file=file, hint=_HINT)
        fields = struct.unpack_from(f">{size // 8}q", data, offset + 1)
        if tag == b"S":
            if current is not None:
                _close(current, mops, Outcome.INFO)
            current = Transaction(len(transactions), f"T{len(transactions) + 1}",
                                  Outcome.INFO, session, (), None, None, _Unlocated())
            transactions.append(current)
            mops, started = [], fields[0]
        elif current is None:
            raise InputError(f"byte {offset}: a {tag.decode()} record outside a transaction",
                             file=file, hint=_HINT)
        elif tag == b"C":
            if fields[0] != started:
                raise InputError(f"byte {offset}: commit of transaction {fields[0]:#x} inside "
                                 f"transaction {started:#x}", file=file, hint=_HINT)
            _close(current, mops, Outcome.OK)
            current = None
        elif tag == b"W":
            write_id, key, _ = fields
            mops.append((WRITE, key, write_id))
        else:
            writer, write_id, key, _ = fields
            if writer not in (INIT_ID, NULL_ID):
                mops.append((READ, key, write_id))
            elif write_id in (INIT_ID, NULL_ID):
                mops.append((READ, key, None))
            elif writer == INIT_ID and write_id in GC_IDS:
                skipped += 1
            else:
                raise InputError(f"byte {offset}: a read of the initial transaction with "
                                 f"write id {write_id:#x}, which is neither the initial "
                                 "write nor a garbage-collection marker", file=file,
                                 hint=_HINT)
        offset += 1 + size
    if current is not None:
        _close(current, mops, Outcome.INFO)
    return skipped


def _close(txn: Transaction, mops: list[MicroOp], outcome: Outcome) -> None:
    txn.mops = tuple(mops)
    txn.outcome = outcome
