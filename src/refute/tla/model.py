"""A TLA+ spec and its TLC configuration as a :class:`refute.engine.model.Model`.

States are tuples of variable values in declaration order (EXTENDed modules' variables
first). ``Next`` is split into actions as TLC splits it: disjunctions, ``\\E`` over constant
sets and calls of user operators are unfolded at load time, so each successor is labelled by
the innermost operator, as TLC names it (``RMPrepare(r1)``). Init and each action are
enumerated by :mod:`refute.tla.compile`'s action closures.
"""

from __future__ import annotations

import difflib
import functools
import os
from collections.abc import Callable, Sequence
from typing import Any

from refute.engine.model import (Fairness, Label, Model, Predicate, Settling, Successors,
                                 Temporal, TemporalProperty)
from refute.errors import InputError, SpecError, UsageError
from refute.values import FrozenMap, ModelValue
from refute.tla.atoms import atom_ordinals
from refute.tla.compile import Compiler
from refute.tla.config import KEYWORD, Config, embedded_configs, read_config
from refute.tla.modules import (Loader, constant_declaration, constants_of, definition_in, forward_constant,
                                load_into, modules_used, variable_declarations, variables_of)
from refute.tla.parser import Module, Node, parse_file
from refute.tla.levels import ACTION, Levels
from refute.tla.semantic import check_modules
from refute.tla.scope import UNSET, apply_overrides, definition_key, Const, Context, Def, Scope, Var
from refute.tla import stdlib
from refute.tla.action_forms import refused_by_tlc
from refute.tla.actions import unwrap_continued
from refute.tla.stdlib import NATIVE_ONLY, counterexample, counterexample_value, statistics
from refute.tla.spec_record import (body_of, definition_entry, node_location, spec_record,
                                    variable_entry)
from refute.tla.spec_record import entry as spec_entry
from refute.tla.temporal import Parts, Unfolder, Unsupported, fairness_condition, located
from refute.tla.values import (RefuteLimitation, TLAError, as_set, domain, format_value, make_fn,
                               sorted_elements, use_atom_order)


class TLALabel(Label):
    """A step's action as TLC names it: ``RMPrepare(r1)``."""

    __slots__ = ()

    def __str__(self) -> str:
        if not self.args:
            return self.action
        return f"{self.action}({', '.join(format_value(v) for _, v in self.args)})"


def _where(node: Any) -> str | None:
    if node is None or getattr(node, "file", None) is None:
        return None
    return f"{node.file}:{node.line}"


def spec_error(exc: TLAError, doing: str, state: Any = None, model: TLAModel | None = None) -> SpecError:
    node = exc.node
    detail = None
    if state is not None and model is not None:
        detail = "in state: " + ", ".join(f"{k} = {format_value(v)}"
                                          for k, v in model.describe_state(state).items())
    hint = exc.hint if isinstance(exc, RefuteLimitation) else \
        "TLC reports this error too; fix the spec or the model"
    return SpecError(f"{doing}: {exc.message}", file=getattr(node, "file", None),
                     line=getattr(node, "line", None), column=getattr(node, "col", None),
                     detail=detail, hint=hint)


def default_config(tla_path: str) -> str:
    """The model of ``Spec.tla`` when none is named: ``Spec.cfg`` beside it, or else, if
    ``Spec.tla`` embeds a ``---- CONFIG Spec ----`` block, the .tla file itself. (TLC reads only
    ``Spec.cfg`` by default and the block only with ``-config Spec.tla``; a file holding its
    own model is meant to be checked with it.)"""
    cfg_path = os.path.splitext(tla_path)[0] + ".cfg"
    if os.path.exists(cfg_path):
        return cfg_path
    try:
        with open(tla_path, encoding="utf-8-sig", errors="replace") as handle:
            text = handle.read()
    except OSError:
        return cfg_path
    name = os.path.splitext(os.path.basename(tla_path))[0]
    return tla_path if name in embedded_configs(text) else cfg_path


class TLAModel(Model):
    """The Model protocol for ``Spec.tla`` checked with ``Spec.cfg``.

    ``allow_read``: files or folders the spec may read data from (Json's ``JsonDeserialize``);
    nothing else is ever read but modules, and nothing is ever written or run."""

    def __init__(self, tla_path: str, cfg_path: str | None = None, allow_read: Sequence[str] = ()):
        self.source = tla_path
        if cfg_path is None:
            cfg_path = default_config(tla_path)
        root = parse_file(tla_path)
        self.module = root
        self.name = root.name
        cfg = read_config(cfg_path)
        self.config = cfg
        loader = Loader(os.path.dirname(os.path.abspath(tla_path)), root)
        loader.readable = tuple(os.path.realpath(p) for p in allow_read)
        check_modules(loader, root)  # SANY's refusals come before any model is read
        self.atom_order = atom_ordinals(cfg.atoms, root, functools.partial(_parsed_module, loader))
        use_atom_order(self.atom_order)  # before anything is evaluated (ASSUME, constants)
        stdlib.configure_run(deadlock=cfg.check_deadlock)
        self.variables = tuple(variables_of(loader, root))
        compiler = Compiler(self.variables)
        compiler.loader = loader
        ctx = Context(compiler, tla_path)
        self.compiler, self.ctx = compiler, ctx
        self._state_levels: dict | None = None  # state -> level, when the spec reads TLCGet("level")
        for i, v in enumerate(self.variables):
            ctx.names[v] = Var(i, v)
        arities = dict(constants_of(loader, root))
        declared = list(arities)
        for name in declared:
            if name in cfg.constants:
                ctx.names[name] = Const(cfg.constants[name])
            elif name in cfg.substitutions:
                ctx.names[name] = forward_constant(compiler, ctx, name, arities[name])
            else:
                file, line, column = constant_declaration(loader, root, name) or (cfg.file, None, None)
                raise InputError(f"constant {name} has no value in the model "
                                 f"{os.path.basename(cfg.file or 'configuration')}",
                                 file=file, line=line, column=column,
                                 hint=f"add '{name} = <value>' or '{name} <- <definition>' under "
                                      f"CONSTANTS in {cfg.file or 'the .cfg file'}")
        load_into(compiler, ctx, root)
        for name, value in cfg.constants.items():
            if name not in ctx.names:
                self._refuse_unused_constant(name, value, declared)
            if name not in ctx.names or isinstance(ctx.names[name], Def):
                ctx.names[name] = Const(value)
        for name, target in cfg.substitutions.items():
            if name not in ctx.names and name not in declared:
                raise InputError(f"CONSTANT {name} <- {target}: {self.name} declares or defines "
                                 f"no {name}", **cfg.where("constants", name),
                                 hint=f"TLC refuses this too: correct the name in {cfg.file}, "
                                      "or remove the substitution")
            if target not in ctx.names:
                raise self._undefined(target, "substitutions", f"CONSTANT {name} <- {target}")
            replacement = ctx.names[target]
            if name in arities and isinstance(replacement, Def) and replacement.opdef.kind == "op" \
                    and len(replacement.opdef.params) != arities[name]:
                raise InputError(f"The configuration file substitutes for {name} with {target} of "
                                 "different number of arguments.", **cfg.where("constants", name),
                                 hint=f"TLC reports this error too: {name} takes {arities[name]} "
                                      f"arguments, {target} {len(replacement.opdef.params)}")
            key = definition_key(ctx.names.get(name))
            ctx.names[name] = ctx.names[target]
            if key is not None:
                compiler.def_overrides.append((key, name, ctx.names[target]))
        for module, substitutions in cfg.module_substitutions.items():
            for name, target in substitutions.items():
                compiler.def_overrides.append(self._module_substitution(module, name, target))
        for module, values in cfg.module_constants.items():
            for name, value in values.items():
                compiler.def_overrides.append(self._module_substitution(module, name, value=value))
        for c in list(compiler.contexts):
            apply_overrides(c)
        if cfg.alias:
            self._lookup_def(cfg.alias, "alias")
        self._expression_levels = Levels()
        self._expression_levels.check_definitions(ctx)  # SANY's level errors, before the model's
        inits, next_, fairness_nodes = self._behaviour(cfg)
        init = inits[0][0] if inits else None
        self._init = None
        self._init_where = self._where_defined(inits[0]) if inits else {}
        self.actions: list[tuple[str, tuple, Callable, tuple]] = []
        self._label_owners: dict[str, Def | None] = {}  # label -> the definition giving it
        self.init_parts = inits  # [(node, context)]: Init's conjuncts, for the compiled backend
        self.action_scopes: list[Scope] = []  # the scope of each of self.actions' bodies
        if init is not None:
            gs = [self._compile(lambda: compiler.action(node, Scope(c, init=True)), node)
                  for node, c in inits]
            self._init = compiler.conjunction(gs, init=True)
            if next_ is not None:
                next_node, next_ctx = next_
                self._split(next_node, Scope(next_ctx), next_node.args[0] if next_node.kind == "name" else "Next",
                            (), ())
        self.action_names = list(dict.fromkeys(a[0] for a in self.actions))
        self.invariants = [self._predicate(n, "invariants") for n in cfg.invariants]
        self.constraints = [self._predicate(n, "constraints") for n in cfg.constraints]
        self._action_constraints = [self._step_predicate(n) for n in cfg.action_constraints]
        if self._action_constraints:  # first: a marked step is dropped before a state constraint runs
            self.constraints.insert(0, Predicate("ACTION_CONSTRAINT", _within_action_constraints,
                                                 self.config.file))
        self._alias: Callable | None = None  # compiled when a counterexample is shown
        self._postconditions = []
        for name in cfg.postconditions:
            self._postconditions.append((name, self._named_value(name, "postconditions")))
        self._possible = [self._possible_predicate(n) for n in cfg.possible]
        self._possible_hits = dict.fromkeys(cfg.possible, 0)  # name -> states or steps satisfying it
        self._possible_tried = 0  # states and steps this process tested against _possible
        self.properties: list = []
        self._implied: dict[str, list] = {"invariants": [], "impliedinits": [], "impliedactions": [],
                                          "impliedtemporals": []}  # for TLCGet("spec")
        self.fairness: list = []
        self.settling: list = []
        self._action_checks: list = []
        self._initial_checks: list = []
        # a PROPERTY's []P as (name, body, scope, bound values), in self.invariants' order, its
        # [][A]_v as (name, A, v, scope, bound values) in _action_checks' order and its initial
        # predicate as (name, body, scope, bound values) in _initial_checks' order: what the
        # compiled backend lowers to check them natively
        self.property_invariants: list[tuple] = []
        self.property_steps: list[tuple] = []
        self.property_initials: list[tuple] = []
        self._next_name = next_[0].args[0] if next_ is not None and next_[0].kind == "name" else None
        self._temporal(cfg, fairness_nodes)
        stdlib.describe_spec(self._spec_record(loader, root, inits, fairness_nodes))
        self._check_assumptions(root)  # after the spec's parts, which TLCGet("spec") gives
        steps = [(name, _where(node)) for name, _, node in self._action_checks]
        for name, where in dict(steps + [(c.name, c.where) for c in self._initial_checks]).items():
            self.invariants.append(Predicate(name, _respects(name), where))
        self.step_violation = _step_violation if steps or self._initial_checks else None
        self.view = None
        if cfg.view:
            f = self._named_value(cfg.view, "view")
            self.view = lambda s: f(s, None, ()) if type(s) is not _Violates else (s[-1], f(s, None, ()))
        self.symmetry: list = []
        if cfg.symmetry:
            self.symmetry = self._symmetry_groups(cfg.symmetry)
        self._unset = compiler.unset_state
        self.notes = (loader.missing_note(),) if loader.missing else ()

    # ----------------------------------------------------------------- loading
    def _where_defined(self, part: tuple) -> dict[str, Any]:
        """``file`` and ``line`` of a part of the behaviour (``(node, context)``): the
        definition it names, else the expression itself."""
        node, ctx = part
        if node.kind == "name" and isinstance(ctx.names.get(node.args[0]), Def):
            node = ctx.names[node.args[0]].opdef
        return {"file": getattr(node, "file", None) or self.source, "line": getattr(node, "line", None)}

    def _at(self, node: Any, entry: Any) -> dict[str, Any]:
        """Where an error about a property is: its node, else its definition, else the .cfg."""
        where = node if getattr(node, "line", 0) else getattr(entry, "opdef", None)
        if where is None:
            return {"file": self.config.file}
        return {"file": where.file or self.config.file, "line": where.line, "column": where.col}

    def _compile(self, make: Callable, node: Any) -> Any:
        try:
            return make()
        except TLAError as exc:
            error = spec_error(exc, "cannot compile")
            if not isinstance(exc, RefuteLimitation):  # TLC may well compile what refute cannot
                error.hint = ("fix the spec if it is wrong there (SANY refuses an unknown name "
                              "too); if TLC checks it, refute lacks this form: rewrite it, or "
                              "check the spec with TLC")
            raise error from None

    def _lookup_def(self, name: str, section: str) -> Any:
        """What the .cfg names in ``section`` (a field of :class:`Config`) stands for."""
        entry = self.ctx.names.get(name)
        if entry is None:
            raise self._undefined(name, section)
        return entry

    def _undefined(self, name: str, section: str, what: str | None = None) -> InputError:
        """The error for a name the .cfg gives in ``section`` that the spec does not define,
        located at the name in the .cfg (``what``: how the message names the line)."""
        defined = [n for n, entry in self.ctx.names.items() if isinstance(entry, Def)]
        near = difflib.get_close_matches(name, defined, n=1)
        did_you_mean = f"did you mean {near[0]}? " if near else ""
        what = what or f"{KEYWORD[section]} {name}"
        missing = self.compiler.loader.missing_note()
        return InputError(f"{what}: {self.name} does not define {name}",
                          **self.config.where(section, name),
                          hint=f"{did_you_mean}correct the name in {self.config.file}, or define "
                               f"{name} in {self.source}" + (f" ({missing})" if missing else ""))

    def _refuse_unused_constant(self, name: str, value: Any, declared: list[str]) -> None:
        """``CONSTANT N = 3`` for an ``N`` the spec neither declares nor defines: the value
        would be used nowhere, and the line is most often a misspelt constant's. TLC ignores
        it silently; refute refuses it, located. ``r1 = r1`` (a model value named after itself,
        an idiom of tlaplus/Examples' models) changes nothing and is accepted, as by TLC."""
        if isinstance(value, ModelValue) and value == name:
            return
        cfg = self.config
        close = difflib.get_close_matches(name, declared, n=1, cutoff=0.6)
        raise InputError(f"CONSTANT {name} = {format_value(value)}: {self.name} declares no "
                         f"constant {name} and defines nothing named {name}, so the value "
                         "would be unused", **cfg.where("constants", name),
                         hint=(f"did you mean {close[0]}? " if close else "")
                         + f"correct the name in {os.path.basename(cfg.file or '.cfg')}, or "
                           "remove the line (TLC ignores such a line without a word; refute "
                           "refuses it, as it is most often a misspelt constant)")

    def _module_substitution(self, module: str, name: str, target: str | None = None,
                             value: Any = None) -> tuple:
        """``name <-[module] target`` (or ``name = [module] value``), as
        :attr:`Compiler.def_overrides` holds it: ``module``'s definition of ``name`` is replaced
        wherever it is visible by the root's ``target`` (TLC reads the right side in the root
        module too), or by the value (TLC: ``SpecProcessor.processConstantDefns`` sets the
        definition's body to the value, for ``mods[i].getOpDefs()``)."""
        loader, cfg = self.compiler.loader, self.config
        section = "module_substitutions" if target is not None else "module_constants"
        what = (f"CONSTANT {name} <-[{module}] {target}" if target is not None
                else f"CONSTANT {name} = [{module}] {format_value(value)}")
        # TLC refuses a <-[M] naming what M does not define; it ignores such a = [M] line
        # without a word (SpecProcessor.processConstantDefns looks its names up, and checks
        # nothing), which refute refuses as it refuses a value for an unknown constant
        tlc = "TLC refuses this too: " if target is not None else "TLC ignores the line; "
        replace = f"<- {target}" if target is not None else f"= {format_value(value)}"
        used = modules_used(loader, self.module)
        if module not in used:
            near = difflib.get_close_matches(module, sorted(used), n=1)
            did_you_mean = f"did you mean {near[0]}? " if near else ""
            raise InputError(f"{what}: the spec uses no module {module}",
                             **cfg.where("modules", module),
                             hint=f"{tlc}{did_you_mean}correct the module name in {cfg.file}, or "
                                  f"write {name} {replace} to replace {name} wherever it is "
                                  "defined")
        key = definition_in(loader, module, name)
        if key is None:
            declared = module not in NATIVE_ONLY and any(
                c == name for c, _ in constants_of(loader, loader.find(module)))
            how = f"<-[{module}]" if target is not None else f"= [{module}]"
            if declared:
                raise InputError(f"{what}: {name} is a CONSTANT of {module}, and {how} "
                                 f"replaces only definitions", **cfg.where(section, name),
                                 hint=f"{tlc}give the constant a value with {name} = <value> or "
                                      f"{name} <- {target or '<definition>'} in {cfg.file}")
            remove = "the substitution" if target is not None else "the line"
            raise InputError(f"{what}: {module} does not define {name}", **cfg.where(section, name),
                             hint=f"{tlc}correct the name in {cfg.file}, or remove {remove}")
        if target is None:
            return key, name, Const(value), "whole"
        if target not in self.ctx.names:
            raise self._undefined(target, "substitutions", what)
        return key, name, self.ctx.names[target], "whole"

    def _named_value(self, name: str, section: str) -> Callable:
        self._lookup_def(name, section)
        node = Node("name", (name,), 0, 0, self.config.file)
        return self._compile(lambda: self.compiler.expr(node, Scope(self.ctx)), node)

    def _predicate(self, name: str, section: str) -> Predicate:
        """An INVARIANT or CONSTRAINT (``section``) as a Predicate."""
        entry = self._lookup_def(name, section)
        what = KEYWORD[section].lower()
        if self._expression_levels.entry(entry) >= ACTION:  # TLC's own check, before any state
            raise InputError(f"The {what} {name} is not a state predicate (one with no primes or "
                             "temporal operators).", **self._at(None, entry),
                             hint="TLC reports this error too: check an action as a PROPERTY "
                                  "[][A]_vars, a temporal formula as a PROPERTY")
        f = self._named_value(name, section)
        where = _where(entry.opdef) if isinstance(entry, Def) else None
        model = self

        def test(state: Any) -> bool:
            try:
                v = f(state, None, ())
            except TLAError as exc:
                raise spec_error(exc, f"evaluating {what} {name}", state, model) from None
            if v is True or v is False:
                return v
            raise SpecError(f"{what} {name} is not a boolean: {format_value(v)}", file=self.source)
        return Predicate(name, test, where)

    def _possible_predicate(self, name: str) -> tuple[str, bool, Callable]:
        """A ``_POSSIBLE`` entry: ``(name, is an action, test(state, successor))``; a state
        predicate is tested on each initial state and each step's successor, an action on
        each step, as TLC's generated action constraint (``_Possible``'s ``_Track``) tests it."""
        entry = self._lookup_def(name, "possible")
        level = self._expression_levels.entry(entry)
        if level > ACTION:
            raise InputError(f"_POSSIBLE {name} is a temporal formula; only state- and "
                             "action-level predicates are supported", **self._at(None, entry),
                             hint="TLC reports this error too: name a state predicate or an action")
        f = self._named_value(name, "possible")

        def test(state: Any, successor: Any) -> bool:
            try:
                return f(state, successor, ()) is True
            except TLAError as exc:
                raise spec_error(exc, f"evaluating _POSSIBLE {name}", state, self) from None
        return name, level == ACTION, test

    def _track_possible(self, state: Any, successors: list) -> None:
        """Counts the generated initial states (``state`` None) or steps from ``state`` that
        satisfy each ``_POSSIBLE`` predicate."""
        self._possible_tried += len(successors)
        for name, is_action, test in self._possible:
            if is_action and state is None:
                continue  # an action is tested on steps only
            self._possible_hits[name] += sum(
                1 for p in successors if (test(state, p) if is_action else test(p, None)))

    def _step_predicate(self, name: str) -> Callable:
        """An ACTION_CONSTRAINT: ``test(state, successor)``, a formula of both (primed names)."""
        f = self._named_value(name, "action_constraints")
        model = self

        def test(state: Any, successor: Any) -> bool:
            try:
                v = f(state, successor, ())
            except TLAError as exc:
                raise spec_error(exc, f"evaluating action constraint {name}", state, model) from None
            if v is True or v is False:
                return v
            raise SpecError(f"action constraint {name} is not a boolean: {format_value(v)}",
                            file=self.config.file)
        return test

    def _temporal(self, cfg: Config, fairness_nodes: list) -> None:
        """PROPERTY entries and the SPECIFICATION's fairness, for the liveness engine."""
        unfolder = Unfolder(self.compiler, lambda exc, doing, state: spec_error(exc, doing, state, self))
        unfolder.labels = {name: entry for name, entry in self._label_owners.items()
                           if entry is not None}
        self._unfolder = unfolder
        for name in cfg.properties:
            entry = self._lookup_def(name, "properties")
            parts = Parts()
            node = Node("name", (name,), 0, 0, self.config.file)
            try:
                self._compile(lambda: unfolder.property(name, node, Scope(self.ctx), (), parts), node)
            except Unsupported as exc:
                raise located(exc, f"PROPERTY {name}", self.config.file) from None
            where = _where(entry.opdef) if isinstance(entry, Def) else None
            for pname, body, scope, env in parts.invariants:
                self.invariants.append(self._state_predicate(pname, body, scope, env, where, "property"))
                self.property_invariants.append((pname, body, scope, env))
            for pname, kind, p, q, at in parts.properties:
                tests = [None if x is None else self._state_predicate(pname, *x, where, "property").test
                         for x in (p, q)]
                for test, x in zip(tests, (p, q)):
                    if test is not None:
                        unfolder.origins[test] = ("state", *x)
                self.properties.append(TemporalProperty(pname, kind, tests[0], tests[1],
                                                        _where(at) or where))
            for pname, strong, vars_, action, scope, env, at in parts.fair_properties:
                condition = self._fairness(pname, strong, vars_, action, scope, env)
                self.properties.append(TemporalProperty(
                    pname, Temporal.STRONG_FAIR if strong else Temporal.WEAK_FAIR, _always_true,
                    None, _where(at) or where, condition.instance))
            for pname, formula, at in parts.formulas:
                if refused_by_tlc(formula):
                    raise InputError(f"PROPERTY {pname}: Temporal formulas containing actions must "
                                     "be of forms <>[]A or []<>A", **self._at(at, entry),
                                     hint="TLC reports this error too: it checks an action in a "
                                          "property only as []<><<A>>_v, <>[][A]_v, WF/SF or a "
                                          "conjunct [][A]_v (write <><<A>>_v as []<><<A>>_v?)")
                self.properties.append(TemporalProperty(pname, Temporal.FORMULA, _always_true, None,
                                                        _where(at) or where, formula=formula))
            implied = self._implied
            implied["invariants"] += [spec_entry(n, body_of(b, sc.ctx)) for n, b, sc, _ in parts.invariants]
            implied["impliedinits"] += [spec_entry(n, body_of(b, sc.ctx)) for n, b, sc, _ in parts.initial]
            implied["impliedactions"] += [spec_entry(n, at) for n, *_, at in parts.actions]
            implied["impliedtemporals"] += [spec_entry(n, body_of(at, self.ctx)) for n, *_, at in
                                            parts.properties + parts.fair_properties + parts.formulas]
            for pname, action, vars_, scope, env, _ in parts.actions:
                step = Node("stutter", (action, vars_), action.line, action.col, action.file)
                doing = f"evaluating property {pname}"
                test = self._compile(lambda: unfolder.step_test(step, scope, env, doing), action)
                self._action_checks.append((pname, test, action))
                self.property_steps.append((pname, action, vars_, scope, env))
            for pname, body, scope, env in parts.initial:
                self._initial_checks.append(self._state_predicate(pname, body, scope, env, where, "property"))
                self.property_initials.append((pname, body, scope, env))
        parts = Parts()
        for node, fctx in fairness_nodes:
            try:
                self._compile(lambda: unfolder.fairness(node, Scope(fctx), (), parts), node)
            except Unsupported as exc:
                raise located(exc, f"SPECIFICATION {cfg.specification}", self.config.file) from None
        for label, strong, vars_, action, scope, env in parts.fairness:
            self.fairness.append(self._fairness(label, strong, vars_, action, scope, env))
        for label, step, scope, env in parts.settling:
            doing = f"evaluating the specification's {label}"
            test = self._compile(lambda: unfolder.step_test(step, scope, env, doing), step)
            unfolder.origins[test] = ("step", step, scope, env)
            self.settling.append(Settling(label, test, _where(step)))

    def _fairness(self, label: str, strong: bool, vars_: Node, action: Node, scope: Scope,
                  env: tuple) -> Fairness:
        if action.kind == "name" and action.args[0] == self._next_name and scope.ctx is self.ctx \
                and scope.bound_index(action.args[0]) is None:
            fv = self._compile(lambda: self._unfolder.subscript(vars_, scope, env), vars_)
            instance = _any_step(fv)
            self._unfolder.origins[instance] = ("moves", vars_, scope, env)
            return Fairness(label, strong, instance, _where(action))
        constrained = bool(self.config.constraints or self.config.action_constraints)
        return self._compile(lambda: fairness_condition(
            self._unfolder, label, strong, vars_, action, scope, env, _where(action),
            constrained), action)

    def _state_predicate(self, name: str, body: Node, scope: Scope, env: tuple, where: str | None,
                         what: str) -> Predicate:
        f = self._compile(lambda: self.compiler.expr(body, scope), body)
        model = self

        def test(state: Any) -> bool:
            try:
                v = f(state, None, env)
            except TLAError as exc:
                raise spec_error(exc, f"evaluating {what} {name}", state, model) from None
            if v is True or v is False:
                return v
            raise SpecError(f"{what} {name} is not a boolean: {format_value(v)}",
                            file=getattr(body, "file", None), line=getattr(body, "line", None))
        return Predicate(name, test, _where(body) or where)

    def _spec_record(self, loader: Loader, root: Module, inits: list, fairness_nodes: list) -> Any:
        """``TLCGet("spec")``: this model's parts, named and located as TLC gives them."""
        cfg = self.config

        def defined(names: list[str]) -> list:
            return [definition_entry(n, e.opdef) for n in names
                    if isinstance(e := self.ctx.names.get(n), Def)]
        invariants = [spec_entry(n, body_of(Node("name", (n,)), self.ctx)) for n in cfg.invariants]
        return spec_record({
            "inits": [spec_entry(node.args[0] if node.kind == "name" else "UnnamedAction",
                                 body_of(node, ctx)) for node, ctx in inits],
            "actions": [spec_entry(name, body_of(node, scope.ctx), params) for (name, params, _, _, node), scope
                        in zip(self.actions, self.action_scopes)],
            "invariants": invariants + self._implied["invariants"],
            "constraints": defined(cfg.constraints),
            "actionconstraints": defined(cfg.action_constraints),
            "temporals": [spec_entry("UnnamedAction", body_of(node, ctx)) for node, ctx in fairness_nodes],
            "impliedinits": self._implied["impliedinits"],
            "impliedactions": self._implied["impliedactions"],
            "impliedtemporals": self._implied["impliedtemporals"],
            "variables": [variable_entry(*v) for v in variable_declarations(loader, root)]})

    def _check_assumptions(self, root) -> None:
        for node in root.assumptions:
            try:
                f = self.compiler.expr(node, Scope(self.ctx))
                ok = f(None, None, ())
            except TLAError as exc:
                raise spec_error(exc, "evaluating an ASSUME") from None
            if ok is not True:
                raise SpecError("assumption is false", file=node.file, line=node.line, column=node.col,
                                hint="TLC stops here too: change the constants in the model")

    def _behaviour(self, cfg: Config) -> tuple[list, tuple | None, list]:
        """The SPECIFICATION's (or INIT/NEXT's) parts, each with the context (module instance)
        its definition belongs to: ``([(init, ctx)], (next, ctx) | None, [(fairness, ctx)])``."""
        if cfg.specification:
            self._lookup_def(cfg.specification, "specification")
            parts: list = []
            self._flatten_spec(Node("name", (cfg.specification,)), parts, self.ctx)
            inits: list = []
            next_ = None
            fair = []
            for kind, node, ctx in parts:
                if kind == "init":
                    inits.append((node, ctx))
                elif kind == "next":
                    next_ = (node, ctx)
                else:
                    fair.append((node, ctx))
            if self.variables and (not inits or next_ is None):
                missing = "initial predicate" if not inits else "next-state part [][Next]_vars"
                raise InputError(f"SPECIFICATION {cfg.specification}: the formula has no {missing}, "
                                 "so the model has no behaviour to check",
                                 **cfg.where("specification", cfg.specification),
                                 hint=f"TLC refuses this too: define {cfg.specification} as "
                                      "Init /\\ [][Next]_vars (with WF_vars(Next) for fairness)")
            return inits, next_, fair
        if cfg.next and not cfg.init:
            raise InputError(f"NEXT {cfg.next} without INIT: the model has no initial predicate",
                             **cfg.where("next", cfg.next),
                             hint=f"add 'INIT <predicate>' to {cfg.file}, or replace NEXT with "
                                  f"'SPECIFICATION <spec>' naming Init /\\ [][Next]_vars")
        if cfg.init:
            self._lookup_def(cfg.init, "init")
            if not cfg.next:
                raise InputError(f"INIT {cfg.init} without NEXT: the model has no next-state action",
                                 **cfg.where("init", cfg.init),
                                 hint=f"add 'NEXT <action>' to {cfg.file}, or replace INIT with "
                                      f"'SPECIFICATION <spec>' naming Init /\\ [][Next]_vars")
            self._lookup_def(cfg.next, "next")
            return [(Node("name", (cfg.init,)), self.ctx)], (Node("name", (cfg.next,)), self.ctx), []
        if self.variables:  # a constant module is a model without behaviour: its ASSUMEs, checked
            what = "is empty" if cfg.is_empty() else "names neither INIT and NEXT nor SPECIFICATION"
            raise InputError(f"the model {os.path.basename(cfg.file or 'configuration')} {what}, so "
                             f"{self.name} (variables {', '.join(self.variables)}) has no behaviour "
                             "to check", file=cfg.file,
                             hint="TLC refuses this too: add 'INIT Init' and 'NEXT Next' (or "
                                  "'SPECIFICATION Spec') to the .cfg")
        return [], None, []

    def _flatten_spec(self, node: Node, out: list, ctx: Context) -> None:
        if node.kind == "name":
            entry = ctx.names.get(node.args[0])
            if isinstance(entry, Def) and not entry.opdef.params and not entry.ctx.params \
                    and entry.opdef.kind == "op":
                body = entry.opdef.body
                if _is_temporal(body, entry.ctx):
                    self._flatten_spec(body, out, entry.ctx)
                    return
            out.append(("init", node, ctx))
            return
        if node.kind == "paren":
            self._flatten_spec(node.args[0], out, ctx)
            return
        if node.kind == "conj" or (node.kind == "infix" and node.args[0] == "/\\"):
            for item in (node.args[0] if node.kind == "conj" else node.args[1:]):
                self._flatten_spec(item, out, ctx)
            return
        if node.kind == "prefix" and node.args[0] == "[]" and node.args[1].kind == "stutter":
            out.append(("next", node.args[1].args[0], ctx))
            return
        if node.kind == "fair" or (node.kind == "prefix" and node.args[0] in ("[]", "<>")) \
                or (node.kind == "forall" and _is_temporal(node, ctx)) \
                or (node.kind == "app" and _is_temporal(node, ctx)):
            out.append(("fair", node, ctx))  # MyFair(Next) with MyFair(A) == WF_vars(A): too
            return
        out.append(("init", node, ctx))

    def _split(self, node: Node, scope: Scope, name: str, params: tuple, env: tuple,
               owner: Def | None = None) -> None:
        """Unfold Next into TLC's actions: disjuncts, \\E over constant sets, operator calls.
        ``owner``: the definition whose name labels the steps (None for Next written inline)."""
        compiler = self.compiler
        k = node.kind
        if k == "disj" or (k == "infix" and node.args[0] == "\\/"):
            for item in (node.args[0] if k == "disj" else node.args[1:]):
                self._split(item, scope, name, params, env, owner)
            return
        if k == "exists":
            bounds, body = node.args
            try:
                envs, inner = compiler.binder(bounds, scope, ordered=True)
                choices = list(envs(None, None, env))
            except Exception:
                choices = None
            if choices is not None:
                names = inner.bound[len(scope.bound):]
                for e in choices:
                    values = e[len(env):]
                    self._split(body, inner, name, params + tuple(zip(names, values)), e, owner)
                return
        if k in ("name", "app"):
            op = node.args[0]
            args = node.args[1] if k == "app" else ()
            entry = scope.ctx.names.get(op) if op not in scope.lets and scope.bound_index(op) is None else None
            if isinstance(entry, Def) and entry.opdef.kind == "op" and not entry.ctx.params \
                    and all(ar == 0 for _, ar in entry.opdef.params):
                try:
                    values = tuple(compiler.expr(a, scope)(None, None, env) for a in args)
                except Exception:
                    values = None
                if values is not None:
                    pnames = tuple(p for p, _ in entry.opdef.params)
                    self._split(entry.opdef.body, Scope(entry.ctx, pnames), op,
                                tuple(zip(pnames, values)), values, entry)
                    return
        g = self._compile(lambda: compiler.action(node, scope), node)
        self.actions.append((name, params, g, env, node))
        self.action_scopes.append(scope)
        if self._label_owners.setdefault(name, owner) is not owner:
            self._label_owners[name] = None  # two definitions give this label

    def _symmetry_groups(self, name: str) -> list:
        f = self._named_value(name, "symmetry")
        try:
            perms = as_set(f(None, None, ()))
        except TLAError as exc:
            raise spec_error(exc, f"evaluating SYMMETRY {name}") from None
        groups: list = []
        for p in perms:
            dom = domain(p)
            if len(dom) > 1 and dom not in groups:
                groups.append(dom)
        return [sorted_elements(g) for g in groups]

    # ----------------------------------------------------------------- protocol
    def init_states(self) -> list:
        use_atom_order(self.atom_order)  # this model's, whichever was loaded last
        if self._init is None:
            return []
        stdlib.levels = None  # TLCGet("level") is 0 in Init, whichever model ran before
        try:
            partials = self._init(self._unset, self._unset, ())
        except TLAError as exc:
            raise spec_error(exc, "evaluating the initial predicate") from None
        out = []
        for p in partials:
            if UNSET in p:
                missing = [v for v, x in zip(self.variables, p) if x is UNSET]
                raise SpecError(f"the initial predicate does not give a value to {', '.join(missing)}",
                                file=self.source, hint="TLC requires x = e or x \\in S for every variable")
            out.append(p)
        if not out:
            raise SpecError("no state satisfies the initial predicate: the model has no behaviour "
                            "to check", **self._init_where,
                            hint="TLC would report success on 0 states; refute refuses a check of "
                                 "nothing: correct Init (or the constants it reads in the .cfg)")
        if self._possible:
            self._track_possible(None, out)
        # TLCGet("level") reads each state's level: the first time a state is generated, one
        # more than its predecessor's (breadth first, TLC's level)
        self._state_levels = {} if self.compiler.reads_level else None
        stdlib.levels = self._state_levels
        if self._state_levels is not None:
            for p in out:
                self._state_levels.setdefault(p, 1)
            out = [stdlib.AtLevel(p, 1) for p in out]
        for check in self._initial_checks:
            out = [p if type(p) is _Violates or check.test(p) else _violates(p, check.name)
                   for p in out]
        return out

    def next_states(self, state: tuple) -> list:
        use_atom_order(self.atom_order)
        unset = self._unset
        if self.compiler.composes:
            return self._composed_next_states(state)
        out = []
        try:
            for name, params, g, env, node in self.actions:
                for p in g(state, unset, env):
                    if UNSET in p:
                        raise self._unset_error(name, node, p)
                    out.append((TLALabel(name, params), p))
        except TLAError as exc:
            raise spec_error(exc, f"evaluating action {name}", state, self) from None
        return self._finish_step(state, out)

    def _unset_error(self, name: str, node: Any, successor: tuple) -> SpecError:
        """The error of action ``name`` leaving variables of ``successor`` without a value."""
        missing = [v for v, x in zip(self.variables, successor) if x is UNSET]
        return SpecError(f"action {name} does not give a value to "
                         f"{', '.join(m + chr(39) for m in missing)}",
                         file=node.file, line=node.line, column=node.col,
                         hint="TLC reports this too: add x' = ... or UNCHANGED x")

    def _composed_next_states(self, state: tuple) -> Successors:
        r""":meth:`next_states` of a spec that composes actions (``A \cdot B``): an ``int``
        among an action's results is a count of intermediate states, generated (as TLC
        counts them) before the successors that follow it."""
        unset = self._unset
        out: list = []
        intermediate: list = []
        try:
            for name, params, g, env, node in self.actions:
                for p in g(state, unset, env):
                    if type(p) is int:
                        intermediate.append((len(out), p))
                        continue
                    p = unwrap_continued(p)
                    if UNSET in p:
                        raise self._unset_error(name, node, p)
                    out.append((TLALabel(name, params), p))
        except TLAError as exc:
            raise spec_error(exc, f"evaluating action {name}", state, self) from None
        successors = Successors(self._finish_step(state, out), tuple(intermediate))
        if self._possible:  # generated, though no step: the run's count includes them
            self._possible_tried += successors.generated_besides()
        return successors

    def _finish_step(self, state: tuple, out: list) -> list:
        """The successors of ``state`` with the model's step checks applied: levels kept,
        ``_POSSIBLE`` counted, action properties and ACTION_CONSTRAINTs marked."""
        if self._state_levels is not None:
            level = (state.level if type(state) is stdlib.AtLevel
                     else self._state_levels.get(state, 0)) + 1
            for _, p in out:
                self._state_levels.setdefault(p, level)
            out = [(label, stdlib.AtLevel(p, level)) for label, p in out]
        if self._possible:
            self._track_possible(state, [p for _, p in out])
        if self._action_constraints:
            tests = self._action_constraints
            out = [(label, p if all(t(state, p) for t in tests) else _BeyondActionConstraint(p))
                   for label, p in out]
        if self._action_checks:  # (also of a step outside the ACTION_CONSTRAINT, as TLC checks)
            out = [(label, self._check_step(label, state, p)) for label, p in out]
        return out

    def _check_step(self, label: TLALabel, state: tuple, successor: tuple) -> tuple:
        """The successor, marked if the step violates a PROPERTY's ``[][A]_v`` (tested as
        :meth:`refute.tla.temporal.Unfolder.step_test` tests it: ``v' = v`` first, then ``A``
        as a boolean of the step, never by enumerating ``A``'s successors)."""
        for pname, test, _ in self._action_checks:
            if not test(label, state, successor):
                return _violates(successor, pname)
        return successor

    def is_terminal(self, state: Any) -> bool:
        return not self.config.check_deadlock

    def prepare_run(self, deadlock: bool) -> None:
        """``TLCGet("config").deadlock`` is false when the run does not check deadlocks, by
        CHECK_DEADLOCK FALSE or ``--no-deadlock`` (TLC's ``-deadlock`` sets it so too)."""
        stdlib.configure_deadlock(deadlock and self.config.check_deadlock)

    deadlock_hint = ("if the spec simply finished in this state, say so: CHECK_DEADLOCK FALSE "
                     "in the .cfg (or --no-deadlock, as TLC's -deadlock), or, to keep finding "
                     "deadlocks elsewhere, let the final state stutter: add Done == <it is "
                     "final> /\\ UNCHANGED vars as a disjunct of Next")

    @property
    def checks_deadlock(self) -> bool:  # type: ignore[override]
        return self.config.check_deadlock

    def describe_state(self, state: tuple) -> dict[str, Any]:
        return dict(zip(self.variables, state))

    def describe_trace(self, states: Sequence[tuple]) -> list[dict[str, Any]]:
        """A counterexample's states as reports show them: through the model's ALIAS when it
        has one (a record; evaluated with the next state of the trace as the primed one, the
        last state with itself), else the variables. As in TLC, a state whose ALIAS cannot be
        evaluated is shown by its variables. The ALIAS is compiled only then: a model whose
        search finds nothing never evaluates it (TLC neither; ALIASes often write animation
        frames, which refute refuses to)."""
        use_atom_order(self.atom_order)
        if self.config.alias is None:
            return super().describe_trace(states)
        if self._alias is None:
            try:
                self._alias = self._named_value(self.config.alias, "alias")
            except (SpecError, InputError):
                self._alias = _failing_alias
        shown = []
        for i, state in enumerate(states):
            after = states[i + 1] if i + 1 < len(states) else state
            try:
                v = self._alias(state, after, ())
            except TLAError:
                v = None
            if isinstance(v, FrozenMap) and all(type(k) is str for k in v):
                shown.append(dict(v))
            else:
                shown.append(self.describe_state(state))
        return shown

    def check_postconditions(self, result: Any) -> tuple[str, ...]:
        """``_POSSIBLE``, then each POSTCONDITION, must hold once the search has ended
        (``TLCGet("stats")`` gives its counts, ``CounterExample`` the violation's behaviour),
        in TLC's order; the first false one is an error, as in TLC. After a violation (an
        invariant's, a deadlock, a liveness lasso) TLC reports it too, and its verdict stays
        the violation's (exit 12 or 13): so does refute's, the error said as a warning."""
        if not self._postconditions and not self._possible:
            return ()
        violation = result.violation
        try:
            with statistics(result.distinct_states, result.states_generated, result.depth,
                            result.seconds), counterexample(self._counterexample(violation)):
                self._check_possible(result)
                self._check_postconditions(result)
        except SpecError as exc:
            if violation is None:
                raise
            where = f"{exc.location}: " if exc.location else ""
            return (f"{where}{exc.message} (TLC reports it after the violation too)",)
        return ()

    def _check_postconditions(self, result: Any) -> None:
        for name, f in self._postconditions:
            try:
                v = f(None, None, ())
            except TLAError as exc:
                raise spec_error(exc, f"evaluating POSTCONDITION {name}") from None
            if v is not True:
                raise SpecError(f"POSTCONDITION {name} is {format_value(v)} after the search "
                                f"({result.distinct_states:,} distinct states, "
                                f"{result.states_generated:,} generated, depth {result.depth}; "
                                f"{result.status.value})", file=self.config.file,
                                hint="TLC reports this error too: the model's postcondition "
                                     "says the run should have ended otherwise")

    def _check_possible(self, result: Any) -> None:
        """``_POSSIBLE``: each predicate held in some generated initial state or step, or the
        run is an error, as TLC's generated postcondition makes it (TLC prints the counts)."""
        if not self._possible:
            return
        if self._possible_tried < result.states_generated:
            raise SpecError("_POSSIBLE counts the states and steps generated, and this run "
                            "generated some in other processes", file=self.config.file,
                            hint="check a model with _POSSIBLE with --workers 1 (and without "
                                 "--ray or --memory-limit)")
        counts = make_fn(self._possible_hits)
        for name, hits in self._possible_hits.items():
            if hits == 0:
                raise SpecError(f"_POSSIBLE {name} is false in every initial state and step "
                                f"generated: {format_value(counts)}", **self.config.where("possible", name),
                                hint=f"TLC reports this error too (\"Postcondition {name} ... is "
                                     "false\"): no behaviour of the model reaches it")

    def format_value(self, value: Any) -> str:
        use_atom_order(self.atom_order)
        return format_value(value)

    def _counterexample(self, violation: Any) -> Any:
        """TLCExt's ``CounterExample`` after a run that found ``violation`` (None: the empty
        graph); as TLC, its states are the ALIAS's records when the trace has more than one."""
        if violation is None:
            return None
        states = [step.state for step in violation.trace]
        shown = self.describe_trace(states) if len(states) > 1 else \
            [self.describe_state(state) for state in states]
        locations = {(name, params): node_location(body_of(node, scope.ctx))
                     for (name, params, _, _, node), scope in zip(self.actions, self.action_scopes)}
        loop = None if violation.loop_action is None else (violation.loop_start,
                                                            violation.loop_action)
        return counterexample_value(shown, [step.action for step in violation.trace], loop,
                                    located=lambda label: locations.get((label.action, label.args)))


def _always_true(state: Any) -> bool:
    return True


def _parsed_module(loader: Loader, name: str, user: Any) -> Any:
    """The module ``name`` as parsed for :func:`~refute.tla.atoms.atom_ordinals`, or None for
    one refute implements natively (or cannot find: loading the spec reports that)."""
    if name in NATIVE_ONLY:
        return None
    try:
        return loader.find(name, user)
    except InputError:
        return None


def _failing_alias(S: Any, P: Any, E: tuple) -> Any:
    raise TLAError("the ALIAS cannot be compiled")


class _Violates(tuple):
    """A state that violates a PROPERTY, followed by the property's name: an initial state where
    its Init is false, or the successor of a step its ``[][A]_v`` does not allow (a refined
    spec's ``[][Next]_vars``); ``state`` is the successor itself.

    The breadth-first search takes it apart (:meth:`TLAModel.step_violation`) and judges the
    successor as TLC's Worker does: stored if new and within the constraints, its invariants
    checked if not seen before, then the step's property, whether the state is new or not.
    For the other explorers the name makes its fingerprint its own, a new state that the
    property's invariant (:func:`_respects`) fails on: the behaviour that leads to it is
    reported, as TLC reports an action property violation (counted as one more state)."""

    state: Any


def _violates(successor: tuple, name: str) -> _Violates:
    marked = _Violates(successor + (name,))
    marked.state = successor
    return marked


def _step_violation(state: Any) -> tuple[Any, str] | None:
    """:meth:`refute.engine.model.Model.step_violation` of a TLA+ model."""
    return (state.state, state[-1]) if type(state) is _Violates else None


def _respects(name: str) -> Callable:
    def test(state: Any) -> bool:
        return type(state) is not _Violates or state[-1] != name
    return test


class _BeyondActionConstraint(tuple):
    """A successor whose step violates an ACTION_CONSTRAINT: generated (and counted) like any
    successor, then dropped by the constraint :func:`_within_action_constraints`, as TLC drops
    a successor outside its model."""

    __slots__ = ()


def _within_action_constraints(state: Any) -> bool:
    return type(state) is not _BeyondActionConstraint


def _any_step(fv: Callable) -> Callable:
    """WF/SF of the whole Next: every step that changes the subscript belongs to it."""
    def instance(label: Any, before: Any, after: Any) -> Any:
        return True if fv.moves(before, after) else None
    return instance


def _is_temporal(node: Node, ctx: Context) -> bool:
    k = node.kind
    if k == "prefix" and node.args[0] in ("[]", "<>"):
        return True
    if k in ("fair", "stutter"):
        return True
    if k == "conj" or (k == "infix" and node.args[0] == "/\\"):
        return any(_is_temporal(x, ctx) for x in (node.args[0] if k == "conj" else node.args[1:]))
    if k == "paren":
        return _is_temporal(node.args[0], ctx)
    if k in ("forall", "exists"):
        return _is_temporal(node.args[1], ctx)
    if k in ("name", "app"):
        entry = ctx.names.get(node.args[0])
        params = node.args[1] if k == "app" else ()
        if isinstance(entry, Def) and len(entry.opdef.params) == len(params) \
                and entry.opdef.kind == "op" and not entry.ctx.params:
            return _is_temporal(entry.opdef.body, entry.ctx)
    return False


def load_source(source: Any) -> TLAModel:
    """The front end's entry in :data:`refute.sources.FRONT_ENDS`: a ``.tla`` spec with its
    ``.cfg`` (``source.config``, default beside it) and the files it may read."""
    if source.params:
        raise UsageError(f"-p {source.params[0]}: a TLA+ spec takes its constants from its .cfg",
                         hint="set the constant in the .cfg (CONSTANT N = 3), or give another "
                              ".cfg with --config")
    return TLAModel(source.spec, source.config, source.allow_read)
