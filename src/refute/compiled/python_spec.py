"""A Python spec compiled and loaded: :mod:`.from_python`, :mod:`.emit_py`, then the shared
build cache (:mod:`.native`), and native values read back as the interpreter's Python values
(records, maps, ``None``), so that ``--verify`` compares them with its states."""

from __future__ import annotations

import ctypes
from typing import Any

from refute.compiled.emit_py import PY_SHAPE_BASE, emit
from refute.compiled.from_python import lower
from refute.compiled.native import Native, build
from refute.values import FrozenMap, Record

_T_ATOM, _T_SEQ, _T_FN = 2, 4, 7


class PyNative(Native):
    """A loaded Python spec: :class:`Native`, decoding with Python's value forms."""

    def __init__(self, path: str, atoms: list, shapes: list):
        super().__init__(path, atoms)
        self.shapes = shapes
        self.lib.refute_py_cls.argtypes = (ctypes.c_uint32,)
        self.lib.refute_py_cls.restype = ctypes.c_int

    def decode(self, v: int) -> Any:
        memo = self._memo
        if v in memo:
            return memo[v]
        i, n, data = ctypes.c_int64(), ctypes.c_uint32(), ctypes.POINTER(ctypes.c_uint32)()
        tag = self.lib.refute_value(v, ctypes.byref(i), ctypes.byref(n), ctypes.byref(data))
        if tag == _T_ATOM and i.value == -1:
            out: Any = None
        elif tag == _T_SEQ and self.lib.refute_py_cls(v) == 5:
            words = data[:n.value]
            shape_id = ctypes.c_int64()
            self.lib.refute_value(words[0], ctypes.byref(shape_id), ctypes.byref(n), ctypes.byref(data))
            fields = self.shapes[shape_id.value - PY_SHAPE_BASE]
            out = Record(**dict(zip(fields, (self.decode(x) for x in words[1:]))))
        elif tag == _T_FN:
            words = data[:2 * n.value]
            out = FrozenMap({self.decode(k): self.decode(x)
                             for k, x in zip(words[:n.value], words[n.value:])})
        else:
            return super().decode(v)
        memo[v] = out
        return out


def load(model: Any) -> tuple[PyNative, list[str], bool]:
    """``model`` (a :class:`~refute.spec.compile.SpecModel`) compiled and loaded: the loaded
    model, its action names and whether the build was cached; :class:`Unsupported` says what
    stops it, located."""
    ir, shapes = lower(model)
    source, atoms, ranked = emit(ir, shapes)
    built = build(source)
    return PyNative(built.path, atoms, ranked), ir.labels, built.cached


def record_values(state: Any) -> tuple:
    """An interpreted state's variables, as the native search keeps them."""
    return state._stored() if isinstance(state, Record) else (state,)  # the native's layout
