"""Turn a :class:`~refute.spec.spec.Spec` instance into the engine's Model.

Everything that can be decided once is decided here, not per state: which methods are
actions, the finite domains of their parameters (resolved and put in canonical order), the
action instances with their labels already built, and whether an action is a generator.
``next_states`` is then a flat loop over prebuilt instances, run in C by
:mod:`refute.spec._dispatch` when it is built (the Python loop below otherwise, and for what
the C loop hands back: generators and results to validate); when every instance is prebuilt,
the actions' bodies are fused into one Python function run once a state
(:mod:`refute.spec.fuse`), the actions it cannot fuse called from it as that loop calls them.
"""

from __future__ import annotations

import ast
import inspect
import itertools
import textwrap
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from types import GeneratorType
from typing import Any

from refute.engine.model import Fairness, Label, Model, Predicate, TemporalProperty, as_model
from refute.errors import RefuteError, SpecError
from refute.spec.fuse import fuse_actions
from refute.spec.spec import Role, Spec, checked_by_default, each, outcome, role_of
from refute.spec.temporal import FairnessDeclaration, Formula
from refute.values import Bag, FrozenMap, ModelValue, Record, sort_canonically

try:
    from refute.spec._dispatch import boolean as _boolean
    from refute.spec._dispatch import dispatch as _dispatch
except ImportError:  # not compiled (no compiler when installed): next_states loops in Python
    _boolean = _dispatch = None


_UNBUILT = object()  # SpecModel._fused before the state type is known


@dataclass(frozen=True, slots=True)
class _Parameter:
    name: str
    values: tuple | None  # resolved once, or None when computed from the state
    compute: Callable[[Any], Iterable[Any]] | None


@dataclass(frozen=True, slots=True)
class _Action:
    name: str
    function: Callable[..., Any]  # bound to the spec instance
    parameters: tuple[_Parameter, ...]
    generator: bool
    where: str


class SpecModel(Model):
    """A Python spec seen through the engine's :class:`~refute.engine.model.Model` protocol."""

    def __init__(self, spec: Spec, fuse: bool = True) -> None:
        self.spec = spec
        cls = type(spec)
        self.name = cls.__name__
        self.source = _source_file(cls)
        members = _marked_members(cls)
        self._actions = [self._compile_action(name, fn) for name, fn in members[Role.ACTION]]
        if not self._actions:
            raise SpecError(f"spec {self.name} has no actions", file=self.source,
                            line=_line(cls),
                            hint="mark the methods that take a step with @action")
        self.action_names = tuple(a.name for a in self._actions)
        self._also_check = self._checks_also(members)
        self.invariants = tuple(replace(self._predicate("invariant", n, f), default=self._default(n, f))
                                for n, f in members[Role.INVARIANT])
        self.constraints = tuple(self._predicate("constraint", n, f) for n, f in members[Role.CONSTRAINT])
        self._terminal = tuple(getattr(spec, n) for n, _ in members[Role.TERMINAL])
        view = getattr(spec, "view", None)
        self.view = view if callable(view) else None
        self.symmetry = self._symmetry_groups()
        self.properties = self._compile_properties(members[Role.LIVENESS])
        self.fairness = self._compile_fairness()
        flow = getattr(spec, "message_flow", None)
        self.message_flow = flow if callable(flow) else None
        self.transaction_history = getattr(spec, "transaction_history", None)
        self.transaction_programs = getattr(spec, "programs", None)
        # The actions in declaration order, as parts: a run of actions whose instances are
        # known now (prebuilt, (label, function, arity, first, second, args, generator)
        # each), or one action whose parameter domain is computed from the state.
        self._plan: list[tuple[bool, Any]] = []
        for act in self._actions:
            if all(p.values is not None for p in act.parameters):
                if not self._plan or not self._plan[-1][0]:
                    self._plan.append((True, []))
                names = [p.name for p in act.parameters]
                for args in itertools.product(*(p.values for p in act.parameters)):
                    label = Label(act.name, tuple(zip(names, args)))
                    first, second = (tuple(args) + (None, None))[:2]
                    self._plan[-1][1].append((label, act.function, len(args), first, second,
                                              args, act.generator))
            else:
                self._plan.append((False, act))
        # What the C loop (refute.spec._dispatch) takes of each prebuilt run: (label,
        # function, args) an instance.
        self._instances = [[(i[0], i[1], i[5]) for i in part] if prebuilt else None
                           for prebuilt, part in self._plan]
        # The common case, every action's instances known now: next_states is one C call.
        self._one_run = (self._instances[0] if _dispatch is not None and len(self._plan) == 1
                         and self._plan[0][0] else None)
        self._state_type: type | None = None
        self._unvalidated: set[str] = set(self.action_names)  # deep-checked once per action
        # The plan of one prebuilt run as one Python function (refute.spec.fuse), built at the
        # first next_states after init_states; None: the loops below.
        self._fused: Any = _UNBUILT if fuse and len(self._plan) == 1 and self._plan[0][0] \
            else None
        self._handed = False  # whether the fused function handed a result to _hand

    # -- the Model protocol -------------------------------------------------------------

    def init_states(self) -> list[Any]:
        init = getattr(self.spec, "init", None)
        if not callable(init):
            raise SpecError(f"spec {self.name} has no init method", file=self.source,
                            line=_line(type(self.spec)),
                            hint="define init(self) returning the initial state, e.g. "
                                 "return State(x=0)")
        try:
            produced = init()
            states = list(produced) if isinstance(produced, GeneratorType) else [produced]
        except RefuteError:
            raise
        except Exception as exc:
            raise self._failure(exc, "init()", None) from None
        if not states or any(s is None for s in states):
            raise SpecError(f"{self.name}.init() returned no state", file=self.source,
                            line=_line(init),
                            hint="return the initial state (or yield each of several)")
        self._state_type = type(states[0])
        states = [self._in_state_order(state) for state in states]
        for state in states:
            self._validate(state, "init()", None)
        return states

    def next_states(self, state: Any) -> list[tuple[Label, Any]]:
        fused = self._fused
        if fused is not None:
            if fused is _UNBUILT:
                fused = self._fuse()
                if fused is None or fused is _UNBUILT:
                    return self._next_states_unfused(state)
            try:
                out = fused(state)
            except RefuteError:
                raise
            except Exception as exc:
                # The unfused loop raises the spec's error, naming the action (actions are
                # deterministic); a fused action cannot fail where its call does not.
                self._next_states_unfused(state)
                raise self._failure(exc, "an action", state) from None
            if self._handed:
                self._handed = False
                if self._unvalidated:  # after every action, as the loops below do
                    self._validate_first(out, state)
                    fused.refresh()
            return out
        return self._next_states_unfused(state)

    def _fuse(self) -> Callable[[Any], list] | None:
        """Build the fused next_states (refute.spec.fuse) once the state type is known."""
        if self._state_type is None:
            return _UNBUILT
        self._fused = fuse_actions(self.spec, self._state_type, self._plan[0][1],
                                   self._unvalidated, self._hand)
        return self._fused

    def _hand(self, label: Label, result: Any, generator: bool, state: Any, out: list) -> None:
        """What the fused next_states does not keep itself, kept as the dispatch loop's
        hand-back is (see _take)."""
        self._handed = True
        self._take(label, result, generator, state, out.append)

    def _next_states_unfused(self, state: Any) -> list[tuple[Label, Any]]:
        run, state_type = self._one_run, self._state_type
        if run is not None and state_type is not None:
            # The loop below for a plan of one prebuilt run, without its per-state steps
            # (the same calls, in the same order).
            out: list[tuple[Label, Any]] = []
            where = [0]
            unvalidated = self._unvalidated  # their successors come back here, to be checked
            try:
                stopped = _dispatch(run, 0, state, state_type, out, where, unvalidated)
                handed_back = stopped is not None
                while stopped is not None:
                    position, result = stopped
                    where[0] = position
                    label, generator = run[position][0], self._plan[0][1][position][6]
                    self._take(label, result, generator, state, out.append)
                    stopped = _dispatch(run, position + 1, state, state_type, out, where,
                                        unvalidated)
            except RefuteError:
                raise
            except Exception as exc:
                raise self._failure(exc, str(run[where[0]][0]), state) from None
            if handed_back and unvalidated:  # after every action, as the loop below does
                self._validate_first(out, state)
            return out
        return self._next_states(state)

    def _next_states(self, state: Any) -> list[tuple[Label, Any]]:
        """next_states for any plan: a loop over its parts (in Python where _dispatch is not built)."""
        out: list[tuple[Label, Any]] = []
        append = out.append
        state_type = self._state_type
        label: Label | None = None
        try:
            for (prebuilt, part), instances in zip(self._plan, self._instances):
                if not prebuilt:
                    self._dynamic_successors(part, state, append)
                    continue
                if _dispatch is not None and state_type is not None:  # the loop below, in C
                    position, where = 0, [0]
                    while True:
                        try:
                            stopped = _dispatch(instances, position, state, state_type, out, where)
                        except Exception:
                            label = part[where[0]][0]
                            raise
                        if stopped is None:
                            break
                        position, result = stopped
                        label, generator = part[position][0], part[position][6]
                        self._take(label, result, generator, state, append)
                        position += 1
                    continue
                # Calls are positional by arity: f(s, *args) costs four times f(s, a).
                for label, function, arity, first, second, args, generator in part:
                    if arity == 1:
                        result = function(state, first)
                    elif arity == 0:
                        result = function(state)
                    elif arity == 2:
                        result = function(state, first, second)
                    else:
                        result = function(state, *args)
                    if result is None:
                        continue
                    if generator:
                        for successor in result:
                            if type(successor) is not state_type:
                                append(self._unusual(label, successor, state))
                            else:
                                append((label, successor))
                    elif type(result) is state_type:
                        append((label, result))
                    else:  # a wrong type raises; a valid state is kept (e.g. before init_states)
                        append(self._unusual(label, result, state))
        except RefuteError:
            raise
        except Exception as exc:
            raise self._failure(exc, str(label) if label else "an action", state) from None
        if self._unvalidated:
            self._validate_first(out, state)
        return out

    def _validate_first(self, out: list[tuple[Label, Any]], state: Any) -> None:
        """Deep-check the first successor of each action not checked yet."""
        for label, successor in out:
            if label.action in self._unvalidated:
                self._unvalidated.discard(label.action)
                self._validate(successor, str(label), state)

    def _take(self, label: Label, result: Any, generator: bool, state: Any,
              append: Callable) -> None:
        """Keep what an action returned that is not simply None or a state (see _dispatch.c)."""
        for successor in (result if generator else (result,)):
            append((label, successor) if type(successor) is self._state_type
                   else self._unusual(label, successor, state))

    deadlock_hint = ("if the spec simply finished in this state, say so with a @terminal "
                     "method that is true in it (@terminal def done(self, s): return ...): "
                     "deadlocks elsewhere are still reported; or run with --no-deadlock to "
                     "report none")

    def is_terminal(self, state: Any) -> bool:
        try:
            return any(test(state) for test in self._terminal)
        except Exception as exc:
            raise self._failure(exc, "a @terminal predicate", state) from None

    def describe_state(self, state: Any) -> dict[str, Any]:
        if isinstance(state, Record):
            return state._asdict()
        return {"state": state}

    # -- compilation ----------------------------------------------------------------------

    def _compile_action(self, name: str, function: Callable) -> _Action:
        signature = inspect.signature(function)
        params = list(signature.parameters.values())
        where = _where(function)
        if len(params) < 2 or params[1].kind not in (inspect.Parameter.POSITIONAL_ONLY,
                                                     inspect.Parameter.POSITIONAL_OR_KEYWORD):
            raise SpecError(f"action {name} must take the state as its first argument after self",
                            file=where.rsplit(":", 1)[0], line=_line(function),
                            hint=f"write def {name}(self, s, ...)")
        parameters = []
        for param in params[2:]:
            if not isinstance(param.default, each):
                raise SpecError(
                    f"parameter {param.name!r} of action {name} has no domain",
                    file=where.rsplit(":", 1)[0], line=_line(function),
                    hint=f"give it the finite set of values it ranges over, e.g. "
                         f"{param.name}=each(\"{param.name}s\") for the attribute self.{param.name}s, "
                         f"or {param.name}=each(range(3))")
            parameters.append(self._resolve_domain(name, param.name, param.default, function))
        generator = inspect.isgeneratorfunction(function)
        if generator:
            _refuse_return_values(name, function)
        return _Action(name, getattr(self.spec, name), tuple(parameters), generator, where)

    def _resolve_domain(self, action: str, param: str, domain: each, function: Callable) -> _Parameter:
        source = domain.domain
        if isinstance(source, str):
            if not hasattr(self.spec, source):
                raise SpecError(
                    f"action {action}: parameter {param}=each({source!r}) names no attribute "
                    f"of the spec", file=self.source, line=_line(function),
                    hint=f"set self.{source} in __init__, or pass the values: each([...])")
            source = getattr(self.spec, source)
        if callable(source) and not isinstance(source, (Bag, FrozenMap)):
            return _Parameter(param, None, source)
        try:
            return _Parameter(param, _ordered(source), None)
        except TypeError:
            raise SpecError(f"action {action}: the domain of {param} is not a collection: {source!r}",
                            file=self.source, line=_line(function),
                            hint="use a tuple, list, set, range, or a function of the state") from None

    def _dynamic_successors(self, act: _Action, state: Any, append: Callable) -> None:
        domains = [p.values if p.values is not None else _ordered(p.compute(state))
                   for p in act.parameters]
        names = [p.name for p in act.parameters]
        state_type = self._state_type
        for args in itertools.product(*domains):
            label = Label(act.name, tuple(zip(names, args)))
            try:
                result = act.function(state, *args)
                if result is None:
                    continue
                for successor in (result if act.generator else (result,)):
                    if type(successor) is not state_type:
                        append(self._unusual(label, successor, state))
                    else:
                        append((label, successor))
            except RefuteError:
                raise
            except Exception as exc:
                raise self._failure(exc, str(label), state) from None

    def _checks_also(self, members: dict[Role, list[tuple[str, Callable]]]) -> frozenset[str]:
        """The spec's ``also_check``: names of its invariants and properties, or an error."""
        names = self.spec.also_check
        if isinstance(names, str) or not all(isinstance(n, str) for n in names):
            raise SpecError(f"{self.name}.also_check must be a tuple of names, got {names!r}",
                            file=self.source, line=_line(type(self.spec)),
                            hint='e.g. self.also_check = ("only_holder_writes",)')
        known = [n for role in (Role.INVARIANT, Role.LIVENESS) for n, _ in members[role]]
        for name in names:
            if name not in known:
                raise SpecError(f"{self.name}.also_check names {name!r}, which is not an "
                                "invariant or property of the spec", file=self.source,
                                line=_line(type(self.spec)),
                                hint=f"its invariants and properties: {', '.join(known) or '(none)'}")
        return frozenset(names)

    def _default(self, name: str, function: Callable) -> bool:
        """Whether the check is made when none is selected by name (``--invariant``)."""
        return checked_by_default(function) or name in self._also_check

    def _predicate(self, kind: str, name: str, function: Callable) -> Predicate:
        where = _where(function)
        test = _Boolean(getattr(self.spec, name), f"{kind} {name}", where.rsplit(":", 1)[0],
                        _line(function))
        if _boolean is not None:  # the same checks, no Python frame when the result is a bool
            test = _boolean(test.function, test.judge)
        return Predicate(name, test, where)

    def _symmetry_groups(self) -> tuple[tuple[Any, ...], ...]:
        groups = []
        for attribute in self.spec.symmetry:
            values = getattr(self.spec, attribute, None)
            if values is None or not all(isinstance(v, ModelValue) for v in values):
                raise SpecError(
                    f"symmetry names {attribute!r}, which is not a collection of model values",
                    file=self.source, line=_line(type(self.spec)),
                    hint=f"set self.{attribute} = self.model_values(\"x\", n) in __init__; only "
                         "model values are interchangeable")
            groups.append(tuple(sort_canonically(values)))
        return tuple(groups)

    # -- temporal properties and fairness (see refute.spec.temporal) --------------------------

    def _compile_properties(self, methods: list[tuple[str, Callable]]) -> tuple[TemporalProperty, ...]:
        """One property per instance of each ``@liveness`` method (its ``each`` parameters)."""
        properties = []
        for name, function in methods:
            params = list(inspect.signature(function).parameters.values())[1:]
            domains = [self._property_domain(name, param, function) for param in params]
            bound = getattr(self.spec, name)
            for args in itertools.product(*domains):
                label = Label(name, tuple(zip((p.name for p in params), args)))
                try:
                    formula = bound(*args)
                except RefuteError:
                    raise
                except Exception as exc:
                    raise self._failure(exc, f"property {label}", None) from None
                if not (isinstance(formula, Formula) and callable(formula.p)
                        and (formula.q is None or callable(formula.q))):
                    raise SpecError(
                        f"property {label} returned {formula!r}, not a temporal formula",
                        file=self.source, line=_line(function),
                        hint="return eventually(p), always_eventually(p), eventually_always(p) or "
                             "leads_to(p, q) (from refute), where p and q are functions of a "
                             "state, e.g. leads_to(self.requested, lambda s: s.granted)")
                properties.append(TemporalProperty(str(label), formula.kind, formula.p, formula.q,
                                                   _where(function),
                                                   default=self._default(name, function)))
        return tuple(properties)

    def _property_domain(self, name: str, param: inspect.Parameter, function: Callable) -> tuple:
        source = param.default.domain if isinstance(param.default, each) else None
        if isinstance(source, str):
            source = getattr(self.spec, source, None)
        if source is None or (callable(source) and not isinstance(source, (Bag, FrozenMap))):
            raise SpecError(
                f"parameter {param.name!r} of property {name} has no fixed domain",
                file=self.source, line=_line(function),
                hint=f"quantify over a spec attribute or a collection, e.g. "
                     f"{param.name}=each(\"{param.name}s\") for self.{param.name}s; a property's "
                     "instances cannot depend on the state (test the state in the predicates)")
        return _ordered(source)

    def _compile_fairness(self) -> tuple[Fairness, ...]:
        declared = self.spec.fairness
        if not isinstance(declared, (tuple, list)):
            declared = (declared,)
        parameters = {a.name: tuple(p.name for p in a.parameters) for a in self._actions}
        compiled = []
        for declaration in declared:
            if not isinstance(declaration, FairnessDeclaration):
                raise SpecError(f"fairness holds {declaration!r}, which is not a fairness condition",
                                file=self.source, line=_line(type(self.spec)),
                                hint='write fairness = (weak("action"), strong("other", '
                                     'for_each="c")) with weak and strong from refute')
            file, _, line = (declaration.where or "").rpartition(":")
            at = {"file": file or self.source, "line": int(line) if line.isdigit() else None}
            unknown = [a for a in declaration.actions if a not in parameters]
            if unknown:
                raise SpecError(f"{declaration}: {self.name} has no action {', '.join(unknown)}",
                                **at, hint=f"its actions are: {', '.join(self.action_names)}")
            for act in declaration.actions or self.action_names:
                missing = [n for n in declaration.for_each if n not in parameters[act]]
                if missing:
                    raise SpecError(
                        f"{declaration}: action {act} has no parameter {', '.join(missing)}",
                        **at, hint=f"its parameters are: {', '.join(parameters[act]) or '(none)'}; "
                                   "for_each names parameters of every action it covers")
            compiled.append(Fairness(str(declaration), declaration.strong,
                                     _fairness_instance(declaration), declaration.where))
        return tuple(compiled)

    # -- errors -----------------------------------------------------------------------------

    def _unusual(self, label: Label, result: Any, before: Any) -> tuple[Label, Any]:
        """A result that is not a plain state: an :class:`outcome` (its name joins the label's
        arguments as ``outcome``), or a state to validate (rejected when it is not one)."""
        if type(result) is outcome:
            label = Label(label.action, label.args + (("outcome", result.name),))
            result = result.state
        result = self._in_state_order(result)
        self._validate(result, str(label), before)
        return label, result

    def _in_state_order(self, value: Any) -> Any:
        """A state written with its fields in another order than init's (``State(y=.., x=..)``)
        is the same state: the same record under init's class, so traces list the fields
        alike. Records with the same fields share their stored layout (``_names``)."""
        state_type = self._state_type
        if (state_type is not None and type(value) is not state_type and isinstance(value, Record)
                and issubclass(state_type, Record) and type(value)._names is state_type._names):
            return tuple.__new__(state_type, tuple.__getitem__(value, slice(None)))
        return value

    def _validate(self, value: Any, producer: str, before: Any) -> None:
        """Reject a state that is not immutable and deterministically hashable."""
        if self._state_type is not None and type(value) is not self._state_type:
            what = "nothing" if value is None else f"a {type(value).__name__}"
            raise SpecError(
                f"{producer} produced {what} where a state was expected: {value!r}",
                file=self.source, detail=_in_state(before),
                hint=f"return (or yield) a state like init's, e.g. s.update(...); a state has "
                     f"type {self._state_type.__name__}. Return None when the action is not enabled.")
        problem = _mutable_part(value, "state")
        if problem:
            raise SpecError(f"{producer} produced a state that is not immutable: {problem}",
                            file=self.source, detail=_in_state(before),
                            hint="use tuple for list, frozenset for set, FrozenMap (or a dict passed "
                                 "to State/update, which freezes it) for dict, Record for objects")

    def _failure(self, exc: Exception, doing: str, state: Any) -> SpecError:
        return SpecError.from_exception(exc, doing, state, self.source)


def _marked_members(cls: type) -> dict[Role, list[tuple[str, Callable]]]:
    """Marked methods in declaration order (base classes first, overrides keep their place)."""
    found: dict[str, Callable] = {}
    for klass in reversed(cls.__mro__):
        for name, member in vars(klass).items():
            if role_of(member) is not None or name in found:
                found[name] = member
    by_role: dict[Role, list[tuple[str, Callable]]] = {role: [] for role in Role}
    for name, member in found.items():
        role = role_of(member)
        if role is not None:
            by_role[role].append((name, member))
    return by_role


def _fairness_instance(declaration: FairnessDeclaration) -> Callable[[Label, Any, Any], Any]:
    """The member of a fairness family a step belongs to: its ``for_each`` argument values."""
    actions = frozenset(declaration.actions) or None
    keys = declaration.for_each
    when = declaration.when

    def instance(label: Label, before: Any, after: Any) -> tuple | None:
        if actions is not None and label.action not in actions:
            return None
        if when is None and not keys:
            return ()
        args = dict(label.args)
        if when is not None and not when(before, **args):
            return None
        return tuple(args[key] for key in keys)

    return instance


def _ordered(values: Iterable[Any]) -> tuple:
    if isinstance(values, (set, frozenset, FrozenMap)):
        return tuple(sort_canonically(values))
    return tuple(values)


_ALLOWED = (int, float, str, bytes, bool, type(None), ModelValue)


def _mutable_part(value: Any, path: str) -> str | None:
    """Describe the first part of ``value`` that is mutable or has no deterministic hash."""
    if isinstance(value, _ALLOWED):
        return None
    if isinstance(value, Record):
        for name, item in zip(value._fields, value._values()):
            found = _mutable_part(item, f"{path}.{name}")
            if found:
                return found
        return None
    if isinstance(value, FrozenMap):
        for key, item in value.items():
            found = _mutable_part(key, f"key {key!r} of {path}") or _mutable_part(item, f"{path}[{key!r}]")
            if found:
                return found
        return None
    if isinstance(value, (tuple, frozenset, Bag)):
        for index, item in enumerate(value):
            found = _mutable_part(item, f"{path}[{index}]" if isinstance(value, tuple) else f"an element of {path}")
            if found:
                return found
        return None
    kind = type(value).__name__
    if isinstance(value, (list, dict, set)):
        return f"{path} is a {kind}"
    hash_method = type(value).__hash__
    if hash_method is None:
        return f"{path} is a {kind}, which is unhashable"
    if hash_method is object.__hash__:
        return (f"{path} is a {kind} whose hash is its memory address, different in every "
                "process")
    return None


def _in_state(state: Any) -> str | None:
    return None if state is None else f"in state: {state!r}"


def _source_file(cls: type) -> str | None:
    try:
        return inspect.getsourcefile(cls)
    except (TypeError, OSError):
        return None


class _Boolean:
    """A predicate (invariant, constraint) whose every result must be a bool: ``None`` (a
    forgotten ``return``) or any other value is a spec error naming it, never a verdict."""

    __slots__ = ("function", "what", "file", "line")

    def __init__(self, function: Callable[[Any], Any], what: str, file: str, line: int | None):
        self.function, self.what, self.file, self.line = function, what, file, line

    def __call__(self, state: Any) -> bool:
        result = self.function(state)
        if result is True or result is False:
            return result
        return self.judge(result)

    def judge(self, result: Any) -> bool:
        """A result that is not True or False: numpy's bool, or the spec's error."""
        if type(result).__name__ == "bool_":  # numpy's
            return bool(result)
        forgot = " (a forgotten return?)" if result is None else ""
        raise SpecError(f"{self.what} returned {result!r}{forgot}, not True or False",
                        file=self.file, line=self.line,
                        hint="return a bool, e.g. return s.x < 3 (or bool(...) of a collection)")


def _refuse_return_values(name: str, function: Callable) -> None:
    """A generator action's ``return s`` would be dropped silently (a generator's return
    value is not one of its items): a located error, saying to ``yield`` it. A bare
    ``return`` stays what it is, the end of the action's successors."""
    try:
        lines, first = inspect.getsourcelines(function)
        tree = ast.parse(textwrap.dedent("".join(lines)))
    except (OSError, TypeError, SyntaxError):
        return
    body = tree.body[0] if tree.body else None
    pending = list(getattr(body, "body", ()))
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue  # its own returns
        if isinstance(node, ast.Return) and node.value is not None and not (
                isinstance(node.value, ast.Constant) and node.value.value is None):
            raise SpecError(f"action {name} yields its successors, so 'return "
                            f"{ast.unparse(node.value)}' would be ignored",
                            file=function.__code__.co_filename, line=first + node.lineno - 1,
                            hint=f"write 'yield {ast.unparse(node.value)}' (then 'return' if "
                                 "nothing else follows)")
        pending.extend(ast.iter_child_nodes(node))


def _line(obj: Any) -> int | None:
    try:
        return inspect.getsourcelines(obj)[1]
    except (TypeError, OSError):
        return None


def _where(function: Callable) -> str:
    code = getattr(function, "__code__", None)
    if code is None:
        return "?"
    return f"{code.co_filename}:{code.co_firstlineno}"


@as_model.register
def _compiled(spec: Spec) -> SpecModel:
    """A :class:`Spec` instance given to a library entry point (``refute.check(MySpec())``)."""
    return SpecModel(spec)

