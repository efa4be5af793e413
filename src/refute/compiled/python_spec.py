"""A Python spec compiled and loaded: :mod:`.from_python`, :mod:`.emit_py`, then the shared
build cache (:mod:`.native`), and native values read back as the interpreter's Python values
(records, maps, ``None``), so that ``--verify`` compares them with its states."""

from __future__ import annotations

import ctypes
from typing import Any

from refute.compiled.emit_py import PY_SHAPE_BASE, emit
from refute.compiled.from_python import lower
from refute.compiled.native import Native, build
from refute.engine.model import Label
from refute.values import FrozenMap, Record

_T_ATOM, _T_SEQ, _T_FN = 2, 4, 7


class PyNative(Native):
    """A loaded Python spec: :class:`Native`, decoding with Python's value forms, and the
    native search's states and steps told as the interpreter's (its state objects, its
    labels), for the state graph that liveness and ``--dump-graph`` read.

    ``steps``: for each action instance of the IR, its label when its arguments are known
    now, or the action (of a domain computed from the state) whose labels the interpreter
    gives. ``classes``: for each variable, the class of its values when a subclass of
    ``FrozenMap`` (a ``TxnHistory``...), which the native values do not keep; the lowering
    refused a spec that stores another class in that variable."""

    def __init__(self, path: str, atoms: list, shapes: list, steps: list, classes: list,
                 state_type: type):
        super().__init__(path, atoms)
        self.shapes = shapes
        self.steps = steps
        self.classes = classes
        self.state_type = state_type
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

    def interpreter_states(self, states: list[tuple]) -> list:
        """Native states (the variables in stored order) as the interpreter's state objects."""
        state_type = self.state_type
        names = state_type._names
        special = [(i, cls) for i, cls in enumerate(self.classes) if cls is not None]
        out = []
        for values in states:
            if special:
                values = list(values)
                for i, cls in special:
                    values[i] = cls(values[i])
            out.append(tuple.__new__(state_type, (names, *values)))
        return out

    def step_labels(self, model: Any) -> Any:
        """``labels(states)``: the label of a recorded step from its source's number and its
        action instance, the states being the interpreter's (:meth:`interpreter_states`).

        An action whose domain is computed from the state is asked of the interpreter for
        its successors from that source (only that action): its steps from a source are
        recorded in its successors' order, less those outside the constraints."""
        steps = self.steps
        constraints = tuple(p.test for p in model.constraints)

        def labels(states: list) -> Any:
            pending: dict[tuple[int, int], Any] = {}

            def label_of(source: int, instance: int) -> Any:
                step = steps[instance]
                if isinstance(step, Label):
                    return step
                key = (source, instance)
                left = pending.get(key)
                if left is None:
                    found: list = []
                    model._dynamic_successors(step, states[source], found.append)
                    left = pending[key] = iter([label for label, after in found
                                                if all(test(after) for test in constraints)])
                return next(left)

            return label_of

        return labels


def load(model: Any) -> tuple[PyNative, list[str], bool]:
    """``model`` (a :class:`~refute.spec.compile.SpecModel`) compiled and loaded: the loaded
    model, its action names and whether the build was cached; :class:`Unsupported` says what
    stops it, located."""
    ir, lowering = lower(model)
    source, atoms, ranked = emit(ir, lowering.shapes)
    built = build(source)
    native = PyNative(built.path, atoms, ranked, lowering.steps, lowering.var_classes,
                      type(model.init_states()[0]))
    return native, ir.labels, built.cached


def record_values(state: Any) -> tuple:
    """An interpreted state's variables, as the native search keeps them."""
    return state._stored() if isinstance(state, Record) else (state,)  # the native's layout
