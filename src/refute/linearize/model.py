"""Sequential specifications: what an object does when its operations run one at a time.

A :class:`Model` is a record of functions, as in Porcupine: ``init`` and ``step`` are the
specification; ``partition``, ``describe_operation`` and ``describe_state`` are optional
hooks for speed and for readable answers. The checker knows nothing else about objects.

The built-in models (``MODELS``) read operations the way Jepsen writes them: the input is
``(f, value of the invocation)`` and the output the value of the completion, or
:data:`~refute.linearize.history.UNKNOWN`. Each treats operations on different ``key``\\ s as
acting on independent objects, so its state is the state of one object.

    register       read, write                       initially nil
    cas-register   read, write, cas [old new]        initially nil
    kv             get/read, put/write, append       initially "" (Porcupine's kv)
    mutex          acquire, release                  initially free
    queue          enqueue, dequeue (FIFO)           initially empty
    set            add, read (the whole set)         initially empty
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from refute.linearize.history import UNKNOWN, Operation

__all__ = ["MODELS", "Model", "by_key", "describe_call"]


def _show(value: Any) -> str:
    if value is None:
        return "nil"
    if isinstance(value, frozenset):
        return "{" + ", ".join(sorted(map(_show, value))) + "}"
    if isinstance(value, tuple):
        return "[" + ", ".join(map(_show, value)) + "]"
    if isinstance(value, str):
        return repr(str(value))
    return repr(value)


def describe_call(input: Any, output: Any) -> str:
    """``f(args) -> output`` for ``(f, value)`` inputs: ``write(3)``, ``read() -> 3``,
    ``cas(1, 4)``; an unknown outcome shows as ``-> ?``."""
    if not (isinstance(input, tuple) and len(input) == 2):
        return f"{_show(input)} -> {'?' if output is UNKNOWN else _show(output)}"
    f, value = input
    if value is None:
        args = ""
    elif isinstance(value, tuple):
        args = ", ".join(map(_show, value))
    else:
        args = _show(value)
    text = f"{f}({args})"
    if output is UNKNOWN:
        return text + " -> ?"
    if value is not None and output == value:
        return text  # the completion echoes the invocation, as Jepsen writes writes
    return f"{text} -> {_show(output)}"


def by_key(op: Operation) -> Hashable:
    """Partition by the object an operation acts on: its ``key``."""
    return op.key


@dataclass(frozen=True)
class Model:
    """A sequential object: ``init`` is its first state; ``step(state, input, output)``
    returns ``(legal, next_state)``: whether the object, in ``state``, can answer ``input``
    with ``output``, and the state after.

    Invariants the checker relies on:

    - ``step`` is a pure function of its arguments and never mutates ``state``;
    - states are hashable, and equal states behave the same (the search memoises on them);
    - ``step`` accepts the output :data:`~refute.linearize.history.UNKNOWN` for calls whose
      outcome nobody saw, and answers whether the call *could* have taken effect then.

    ``partition(op)`` names the independent object an operation acts on; the checker then
    checks each object's operations on their own (P-compositionality), which is correct
    only when operations on different objects never affect each other. Without it the
    whole history is one object.
    """

    name: str
    init: Any
    step: Callable[[Any, Any, Any], tuple[bool, Any]]
    partition: Callable[[Operation], Hashable] | None = None
    describe_operation: Callable[[Any, Any], str] = describe_call
    describe_state: Callable[[Any], str] = _show
    read_only: Callable[[Any], bool] | None = None
    """``read_only(input)``: True only if a call with this input leaves *every* state as it
    is (a read). The search then places such a completed call as soon as it can, without
    branching. A call that merely leaves the current state unchanged (writing the value
    already there) must not be declared: later, it could change the state. None: no call is,
    which is always correct, only slower on read-heavy histories."""


class ModelError(ValueError):
    """An operation a built-in model does not have; the checker adds where it is."""


def _unsupported(model: str, f: Any, known: str) -> ModelError:
    return ModelError(f"the {model} model has no operation {f!r}; it has {known}")


def _register_step(state: Any, input: Any, output: Any) -> tuple[bool, Any]:
    f, value = input
    if f == "read":
        return (output is UNKNOWN or output == state), state
    if f == "write":
        return True, value
    raise _unsupported("register", f, "read, write")


def _cas_register_step(state: Any, input: Any, output: Any) -> tuple[bool, Any]:
    f, value = input
    if f == "read":
        return (output is UNKNOWN or output == state), state
    if f == "write":
        return True, value
    if f == "cas":
        old, new = value
        if state == old:
            return True, new
        # An unknown cas that met another value did nothing: legal, and the search never
        # places a call that changes nothing.
        return output is UNKNOWN, state
    raise _unsupported("cas-register", f, "read, write, cas")


def _kv_step(state: str, input: Any, output: Any) -> tuple[bool, Any]:
    f, value = input
    if f in ("get", "read"):
        return (output is UNKNOWN or output == state), state
    if f in ("put", "write"):
        return True, value
    if f == "append":
        return True, state + value
    raise _unsupported("kv", f, "get (or read), put (or write), append")


def _mutex_step(held: bool, input: Any, output: Any) -> tuple[bool, Any]:
    f = input[0]
    if f == "acquire":
        return not held, True
    if f == "release":
        return held, False
    raise _unsupported("mutex", f, "acquire, release")


def _queue_step(queue: tuple, input: Any, output: Any) -> tuple[bool, Any]:
    f, value = input
    if f == "enqueue":
        return True, queue + (value,)
    if f == "dequeue":
        if not queue:
            return output is None or output is UNKNOWN, queue  # "empty" is an answer
        return (output is UNKNOWN or output == queue[0]), queue[1:]
    raise _unsupported("queue", f, "enqueue, dequeue")


def _set_step(members: frozenset, input: Any, output: Any) -> tuple[bool, Any]:
    f, value = input
    if f == "add":
        return True, members | {value}
    if f == "read":
        if output is UNKNOWN:
            return True, members
        try:
            read = frozenset(output)
        except TypeError:
            return False, members
        return (read == members and len(read) == len(output)), members
    raise _unsupported("set", f, "add, read")


def _reads(*names: str) -> Callable[[Any], bool]:
    """The read_only of a built-in model: its inputs are (f, value), and these f read."""
    return lambda input: isinstance(input, tuple) and bool(input) and input[0] in names


def _describe_mutex(held: bool) -> str:
    return "held" if held else "free"


MODELS: dict[str, Model] = {
    model.name: model
    for model in (
        Model("register", None, _register_step, by_key, read_only=_reads("read")),
        Model("cas-register", None, _cas_register_step, by_key, read_only=_reads("read")),
        Model("kv", "", _kv_step, by_key, read_only=_reads("get", "read")),
        Model("mutex", False, _mutex_step, by_key, describe_state=_describe_mutex),
        Model("queue", (), _queue_step, by_key),
        Model("set", frozenset(), _set_step, by_key, read_only=_reads("read")),
    )
}
"""The built-in models by name, as ``refute linearizable --object NAME`` knows them."""
