"""Building, caching and loading a generated model, and reading its values back.

The shared object is cached in the user's cache directory (``$REFUTE_CACHE_DIR``, else
``$XDG_CACHE_HOME/refute/compiled``, else ``~/.cache/refute/compiled``) under a key made of
the generated source (itself a function of the spec, its modules and the configuration), the
runtime's source, the compiler's version and refute's version: a warm run does not recompile,
and any change to one of them does.
"""

from __future__ import annotations

import ctypes
import functools
import hashlib
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from typing import Any, Callable

from refute.compiled.ir import Unsupported
from refute.values import FrozenMap

_PRINTER = ctypes.CFUNCTYPE(None, ctypes.c_uint32, ctypes.c_uint32)
CHECKPOINT_WRITER = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_int)
"""What runtime/checkpoint.c calls when a checkpoint is due: 0 written, 1 not (the run stops)."""
RUNTIME = os.path.join(os.path.dirname(os.path.abspath(__file__)), "runtime")
_FLAGS = ("-O2", "-shared", "-fPIC", "-std=gnu11", "-w")


@functools.lru_cache(maxsize=None)
def find_compiler() -> tuple[str, str] | None:
    """The C compiler (``$CC``, else cc or gcc) and its version line, or None."""
    for name in (os.environ.get("CC"), "cc", "gcc"):
        path = shutil.which(name) if name else None
        if path:
            try:
                out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=30)
            except (OSError, subprocess.SubprocessError):
                continue
            if out.returncode == 0:
                return path, out.stdout.splitlines()[0] if out.stdout else path
    return None


def cache_dir() -> str:
    base = os.environ.get("REFUTE_CACHE_DIR")
    if not base:
        xdg = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        base = os.path.join(xdg, "refute", "compiled")
    os.makedirs(base, exist_ok=True)
    return base


def _runtime_text() -> str:
    parts = []
    for name in sorted(os.listdir(RUNTIME)):
        with open(os.path.join(RUNTIME, name), encoding="utf-8") as handle:
            parts.append(name + "\0" + handle.read())
    return "\0".join(parts)


def refute_version() -> str:
    from importlib.metadata import PackageNotFoundError, version
    try:
        return version("refute")
    except PackageNotFoundError:
        return "unknown"


@dataclass
class Build:
    path: str
    cached: bool
    seconds: float  # compiling (0 when cached)


def build(source: str) -> Build:
    """The shared object for ``source``, compiled now or found in the cache."""
    found = find_compiler()
    if found is None:
        raise Unsupported("no C compiler on this machine (set CC, or install gcc)")
    cc, version = found
    key = hashlib.sha256("\0".join((source, _runtime_text(), version, refute_version(),
                                    " ".join(_FLAGS))).encode()).hexdigest()[:32]
    directory = cache_dir()
    target = os.path.join(directory, f"model-{key}.so")
    if os.path.exists(target):
        return Build(target, True, 0.0)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(dir=directory) as tmp:
        c_path = os.path.join(tmp, "model.c")
        with open(c_path, "w", encoding="utf-8") as handle:
            handle.write(source)
        out_path = os.path.join(tmp, "model.so")
        done = subprocess.run([cc, *_FLAGS, "-I", RUNTIME, "-o", out_path, c_path],
                              capture_output=True, text=True)
        if done.returncode != 0:  # (e.g. a compiler without GCC's extensions)
            first = next((ln for ln in done.stderr.splitlines() if "error" in ln), done.stderr[:200])
            raise Unsupported(f"code the C compiler {version!r} rejects ({first.strip()[:200]})")
        os.replace(out_path, target)
    return Build(target, False, time.perf_counter() - started)


class Native:
    """A loaded model: run its search and read the results."""

    def __init__(self, path: str, atoms: list):
        # each load gets its own copy of the runtime's globals: copy the file under a unique
        # name, since dlopen returns the same handle for a path already loaded
        private_dir = tempfile.mkdtemp(prefix="refute-native-")
        private = os.path.join(private_dir, "model.so")
        shutil.copyfile(path, private)
        self.lib = lib = ctypes.CDLL(private)
        os.unlink(private)
        os.rmdir(private_dir)
        self.atoms = atoms
        lib.refute_run.argtypes = (ctypes.c_int, ctypes.c_int64, ctypes.c_int64, ctypes.c_double,
                                   ctypes.c_int, ctypes.c_int)
        lib.refute_run.restype = ctypes.c_int
        lib.refute_counts.argtypes = (ctypes.POINTER(ctypes.c_uint64),)
        lib.refute_counts.restype = ctypes.c_int
        for name in ("refute_parents", "refute_ordinals", "refute_succ_counts"):
            getattr(lib, name).restype = ctypes.POINTER(ctypes.c_uint32)
        for name in ("refute_fired", "refute_found"):
            getattr(lib, name).restype = ctypes.POINTER(ctypes.c_uint64)
        lib.refute_kept_states.restype = ctypes.POINTER(ctypes.c_uint32)
        lib.refute_nedges.restype = ctypes.c_uint64
        lib.refute_edge_values.restype = ctypes.POINTER(ctypes.c_uint32)
        lib.refute_edges.argtypes = (ctypes.c_int,)
        lib.refute_edges.restype = ctypes.POINTER(ctypes.c_uint32)
        lib.refute_value.argtypes = (ctypes.c_uint32, ctypes.POINTER(ctypes.c_int64),
                                     ctypes.POINTER(ctypes.c_uint32),
                                     ctypes.POINTER(ctypes.POINTER(ctypes.c_uint32)))
        lib.refute_value.restype = ctypes.c_int
        lib.refute_select_invariant.argtypes = (ctypes.c_int, ctypes.c_int)
        lib.refute_run_workers.argtypes = (ctypes.c_int, ctypes.c_int, ctypes.c_int64,
                                           ctypes.c_int64, ctypes.c_double)
        lib.refute_run_workers.restype = ctypes.c_int
        lib.refute_moved.restype = ctypes.c_uint64
        lib.refute_set_memory_limit.argtypes = (ctypes.c_uint64,)
        lib.refute_memory.argtypes = (ctypes.POINTER(ctypes.c_uint64),)
        lib.refute_checkpoint_every.argtypes = (ctypes.c_double, CHECKPOINT_WRITER)
        lib.refute_checkpoint_write.argtypes = (ctypes.c_char_p,)
        lib.refute_checkpoint_write.restype = ctypes.c_int
        lib.refute_checkpoint_depth.restype = ctypes.c_uint32
        lib.refute_resume_from.argtypes = (ctypes.c_char_p, ctypes.c_int64)
        if hasattr(lib, "refute_live_states"):  # (a model built before they existed: none)
            lib.refute_live_states.argtypes = (ctypes.c_int, ctypes.c_void_p, ctypes.c_uint32)
            lib.refute_live_steps.argtypes = (ctypes.c_int, ctypes.c_void_p)
        self.build_key = os.path.splitext(os.path.basename(path))[0]
        """The build cache's key of this model (its file's name): the generated code (the spec,
        its modules, configuration and constants), the runtime, the compiler and refute."""
        self._writer: Any = None  # the checkpoint writer given to the C side, kept alive here
        self.on_print: Callable[[Any, Any], None] | None = None
        """Where a value the spec prints (Print, PrintT) goes, decoded; None: nowhere."""
        if hasattr(lib, "refute_set_printer"):
            # kept on self: the C side holds only the pointer
            self._printer = _PRINTER(lambda v, w: self.on_print and self.on_print(
                self.decode(v), None if w == 0 else self.decode(w)))
            lib.refute_set_printer(self._printer)
        self.nv = lib.refute_nv()
        self.nlabel = lib.refute_nlabel()
        self.composes = bool(lib.refute_composes())
        """Whether the model composes actions (``A \\cdot B``), counting intermediate states:
        runtime/workers.c does not, so the search runs in one process."""
        self._memo: dict[int, Any] = {}

    def run(self, selected: list[bool], deadlock: bool, max_states: int | None,
            max_depth: int | None, time_limit: float | None, keep: bool = False,
            graph: bool = False, workers: int = 1, memory_limit: int | None = None) -> int:
        """Explore; ``keep``: keep every state's values (:meth:`states`); ``graph``: record
        the state graph's steps (:meth:`edges`); ``workers`` > 1 (neither ``keep`` nor
        ``graph``): in that many processes (runtime/workers.c), with the same results.
        ``memory_limit`` (bytes of resident memory, one process only): the search stops
        between two expansions rather than pass it (status 8, :meth:`memory`)."""
        for k, on in enumerate(selected):
            self.lib.refute_select_invariant(k, int(on))
        self.lib.refute_set_memory_limit(memory_limit or 0)
        self._memo.clear()
        bound = max_states if max_states is not None else 1 << 62
        depth = max_depth if max_depth is not None else -1
        if workers > 1 and not keep and not graph:
            return self.lib.refute_run_workers(workers, int(deadlock), bound, depth,
                                               time_limit or 0.0)
        return self.lib.refute_run(int(deadlock), bound, depth, time_limit or 0.0, int(keep),
                                   int(graph))

    def identity(self) -> str:
        """What makes this model this model: the build's key, and the strings and model values
        its ids stand for (which the generated code knows only by rank, so a configuration
        naming other model values can share the build)."""
        atoms = hashlib.sha256(repr(self.atoms).encode()).hexdigest()[:16]
        return f"{self.build_key}:{atoms}"

    def checkpoint_every(self, interval: float | None, writer: Callable[[int], int] | None) -> None:
        """Call ``writer`` (which calls :meth:`write_checkpoint`) every ``interval`` seconds
        of the next runs and catch Ctrl-C to stop at an instant a checkpoint can describe;
        None: no checkpoint."""
        self._writer = CHECKPOINT_WRITER(writer) if writer is not None else CHECKPOINT_WRITER()
        self.lib.refute_checkpoint_every(-1.0 if interval is None else interval, self._writer)

    def write_checkpoint(self, path: str) -> bool:
        """Append the search's checkpoint (at its last stop or due instant) to ``path``."""
        return self.lib.refute_checkpoint_write(os.fsencode(path)) == 0

    def checkpoint_depth(self) -> int:
        return self.lib.refute_checkpoint_depth()

    def resume_from(self, path: str | None, offset: int = 0) -> None:
        """The next run starts from the checkpoint body at ``offset`` in ``path``."""
        self.lib.refute_resume_from(None if path is None else os.fsencode(path), offset)

    def moved(self) -> int:
        """The states the last run with workers moved between them to balance their work."""
        return self.lib.refute_moved()

    def assumptions(self) -> list[int]:
        """Each ASSUME of a constant module evaluated natively: 1 true, 0 false, -1 an error.
        Quiet: what they print, the interpreter printed when it loaded the model."""
        printer, self.on_print = self.on_print, None
        try:
            return [self.lib.refute_assume(k) for k in range(self.lib.refute_nassume())]
        finally:
            self.on_print = printer

    def memory(self) -> dict[str, int]:
        """The last one-process search's memory: the bytes of its seen set and of its parent
        links; after a stop at its memory limit, the resident bytes then and the bytes it was
        about to add (0 when it stopped on reading the resident size alone)."""
        out = (ctypes.c_uint64 * 4)()
        self.lib.refute_memory(out)
        return dict(zip(("seen", "links", "resident", "wanted"), (int(x) for x in out)))

    def counts(self) -> dict[str, int]:
        out = (ctypes.c_uint64 * 8)()
        status = self.lib.refute_counts(out)
        names = ("distinct", "generated", "depth", "which", "index", "error", "constrained", "values")
        result = dict(zip(names, (int(x) for x in out)))
        result["status"] = status
        return result

    def array32(self, name: str, n: int) -> list[int]:
        ptr = getattr(self.lib, name)()
        return ptr[:n] if n else []

    def array64(self, name: str, n: int) -> list[int]:
        ptr = getattr(self.lib, name)()
        return ptr[:n] if n else []

    def decode(self, v: int) -> Any:
        """The refute value of native value id ``v``."""
        memo = self._memo
        if v in memo:
            return memo[v]
        i, n, data = ctypes.c_int64(), ctypes.c_uint32(), ctypes.POINTER(ctypes.c_uint32)()
        tag = self.lib.refute_value(v, ctypes.byref(i), ctypes.byref(n), ctypes.byref(data))
        if tag == 0:
            out: Any = bool(i.value)
        elif tag == 1:
            out = i.value
        elif tag == 2:
            out = self.atoms[i.value]
        elif tag == 4:
            out = tuple(self.decode(x) for x in data[:n.value])
        elif tag == 6:
            out = frozenset(self.decode(x) for x in data[:n.value])
        else:
            words = data[:2 * n.value]
            out = FrozenMap({self.decode(k): self.decode(x)
                             for k, x in zip(words[:n.value], words[n.value:])})
        memo[v] = out
        return out

    def live_states(self, k: int, n: int) -> Any:
        """Liveness predicate ``k`` (:attr:`~refute.compiled.ir.IRModel.live`) on each of
        the first ``n`` kept states (a step predicate: on its stuttering step), as a numpy
        bool array; None where the native code does not evaluate it (not lowered, or an
        evaluation error: the caller evaluates it in Python, which reports the error)."""
        import numpy as np

        out = np.zeros(n, dtype=np.uint8)
        if n and self.lib.refute_live_states(k, out.ctypes.data, n) != 0:
            return None
        return out.view(bool)

    def live_steps(self, k: int) -> Any:
        """Liveness predicate ``k`` on every recorded step (:meth:`edges`' order), as
        :meth:`live_states` says."""
        import numpy as np

        out = np.zeros(self.lib.refute_nedges(), dtype=np.uint8)
        if len(out) and self.lib.refute_live_steps(k, out.ctypes.data) != 0:
            return None
        return out.view(bool)

    def edge_arrays(self) -> tuple:
        """The recorded steps as four numpy uint32 arrays: sources, targets, positions and
        action instances, as :meth:`edges` gives them in lists. Views of the native memory,
        not copies: valid until the next :meth:`run`."""
        import numpy as np

        n = self.lib.refute_nedges()
        return tuple(np.ctypeslib.as_array(self.lib.refute_edges(k), shape=(n,)) if n
                     else np.zeros(0, dtype=np.uint32) for k in range(4))

    def links(self, n: int) -> tuple:
        """The first ``n`` states' parents and ordinals as numpy uint32 arrays: views of the
        native memory, valid until the next :meth:`run` (the ordinals: until the next call)."""
        import numpy as np

        if not n:
            return np.zeros(0, dtype=np.uint32), np.zeros(0, dtype=np.uint32)
        return tuple(np.ctypeslib.as_array(getattr(self.lib, name)(), shape=(n,))
                     for name in ("refute_parents", "refute_ordinals"))

    def edges(self) -> tuple[list[int], list[int], list[int], list[int]]:
        """The recorded steps: sources, targets, positions among the source's successors and
        action instances (indices into the model's actions), in the search's order."""
        n = self.lib.refute_nedges()
        return tuple(self.lib.refute_edges(k)[:n] if n else [] for k in range(4))  # type: ignore[return-value]

    def states(self, n: int, successors: bool = False) -> list[tuple]:
        """The first ``n`` kept states (run with ``keep``), as refute values; equal values
        are one object. ``successors``: the successor of each of the first ``n`` steps
        recorded instead (a model whose VIEW or SYMMETRY merges states)."""
        if not n:
            return []
        nv = self.nv
        source = self.lib.refute_edge_values if successors else self.lib.refute_kept_states
        ids = source()[:n * nv]
        decode = self.decode
        return [tuple(decode(x) for x in ids[k:k + nv]) for k in range(0, n * nv, nv)]

    def kept_state(self, index: int) -> tuple:
        ptr = self.lib.refute_kept_states()
        base = index * self.nv
        return tuple(self.decode(x) for x in ptr[base:base + self.nv])
