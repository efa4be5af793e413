"""How a run is recorded, against a scripted fake database: :ok/:fail/:info, processes, EDN."""

from __future__ import annotations

import pytest

from refute.readers.edn import parse_all
from refute.errors import UsageError
from refute.history import check_history
from refute.workloads.engines import Aborted, Engine, Indeterminate, Session, normalize_level
from refute.workloads.workload import edn, run_workload


class FakeSession(Session):
    """A serial in-memory list-append store whose COMMITs fail on a schedule."""

    def __init__(self, engine: FakeEngine) -> None:
        self.engine = engine
        self.pending: list[tuple[int, int]] = []

    def begin(self, level: str) -> None:
        self.pending = []

    def execute(self, sql: str, params: tuple = ()) -> tuple[list[tuple], int]:
        if sql.startswith("SELECT"):
            values = list(self.engine.data.get(params[0], []))
            values += [v for k, v in self.pending if k == params[0]]
            return ([(values,)] if values else []), 1
        if sql.startswith("INSERT"):
            self.pending.append((params[0], params[1]))
        return [], 0

    def commit(self) -> None:
        with self.engine.lock:
            self.engine.commits += 1
            n = self.engine.commits
        if n % 5 == 0:
            raise Aborted("40001", "could not serialize access")
        if n % 7 == 0:
            if n % 2:  # a lost connection after COMMIT took effect: unknown to the client
                self._apply()
            raise Indeterminate("connection-lost", "server closed the connection")
        self._apply()

    def _apply(self) -> None:
        for key, value in self.pending:
            self.engine.data.setdefault(key, []).append(value)

    def rollback(self) -> None:
        self.pending = []

    def close(self) -> None:
        pass


class FakeEngine(Engine):
    name = "fake"
    levels = ("serializable",)
    default_level = "serializable"

    def __init__(self) -> None:
        import threading
        self.data: dict[int, list[int]] = {}
        self.commits = 0
        self.lock = threading.Lock()

    def connect(self) -> FakeSession:
        return FakeSession(self)


def test_outcomes_processes_and_edn(tmp_path):
    out = tmp_path / "h.edn"
    run = run_workload(FakeEngine(), clients=1, txns=40, keys=2, out=out, seed=1)
    assert (run.ok, run.fail, run.info) == (40 - 8 - 4, 8, 4)
    assert run.errors == {"40001": 8, "connection-lost": 4}
    ops = parse_all(out.read_text())
    assert [op["index"] for op in ops] == list(range(80))
    assert all(op["f"] == "txn" for op in ops)
    kinds = [op["type"] for op in ops]
    assert kinds.count("invoke") == 40 and kinds.count("info") == 4
    # Invocations never carry read results; failed ones neither; ok ones always do.
    for op in ops:
        for f, _, value in op["value"]:
            if f == "r":
                assert (value is None) == (op["type"] != "ok")
    # After each :info the client continues as a new process (0, then 1, 2, ...).
    processes = [op["process"] for op in ops]
    assert processes == sorted(processes) and processes[-1] == 4
    assert all("error" in op for op in ops if op["type"] in ("fail", "info"))
    assert check_history(out, model="strict-serializable").status.value == "ok"


def test_edn_writer():
    assert edn({"type": "invoke", "f": "txn", "value": [["append", 3, 1], ["r", 4, None]],
                "process": 0, "error": 'say "hi"\n'}) == (
        '{:type :invoke, :f :txn, :value [[:append 3 1] [:r 4 nil]], :process 0, '
        ':error "say \\"hi\\"\\n"}')
    assert edn([["r", 1, [1, 2]], ["w", 2, 5]]) == "[[:r 1 [1 2]] [:w 2 5]]"


def test_levels_and_arguments():
    assert normalize_level("REPEATABLE_READ") == "repeatable read"
    assert FakeEngine().level(None) == "serializable"
    with pytest.raises(UsageError, match="no isolation level"):
        FakeEngine().level("snapshot")
    with pytest.raises(UsageError, match="--clients must be at least 1"):
        run_workload(FakeEngine(), clients=0)
    with pytest.raises(UsageError, match="unknown workload"):
        run_workload(FakeEngine(), workload="bank")
