"""The JSON Schemas (draft 2020-12) of what refute writes for tools, shipped with the package.

One schema per command's ``--json`` output (``check``, ``simulate``, ``trace``, ``testgen``,
``fuzz``, ``history``, ``linearizable``, ``workload``, ``hermitage``, ``permissiveness``,
``perf``), one for ``testgen``'s ``--out`` suite (``suite``), one for ``--itf`` (ADR-015,
strictly) and one for ``check --dump-graph FILE.json``, plus ``common.json`` with what they
share (the status, the error object every command writes when it fails). Each file's ``$id``
is ``urn:refute:schema:NAME``; read them with :func:`schema`, or from
``refute/report/schemas/NAME.json``.

**Versioning.** Every output carries ``"format_version": "1"`` (:data:`FORMAT_VERSION`). A
later release may add fields (the schemas allow unknown ones); one that removes or changes
the meaning of a field raises the number.

**Self-check.** With ``REFUTE_CHECK_JSON=1`` in the environment, every output is validated
against its schema before it is written (:func:`check_output`), and a mismatch is an error
naming the field. The test suite sets it for every test (``tests/conftest.py``), so each JSON
a test makes refute write is checked, in-process or in a subprocess; it needs the
``jsonschema`` package (the ``test`` extra). Without the variable nothing is imported or
checked.
"""

from __future__ import annotations

import functools
import json
import os
from importlib import resources
from typing import Any

__all__ = ["CHECK_VARIABLE", "FORMAT_VERSION", "SCHEMAS", "check_output", "schema", "validate"]

FORMAT_VERSION = "1"
CHECK_VARIABLE = "REFUTE_CHECK_JSON"
SCHEMAS = ("check", "simulate", "trace", "testgen", "fuzz", "history", "linearizable", "workload",
           "hermitage", "permissiveness", "perf", "suite", "itf", "graph")
"""The schemas of outputs, by name (the command's, or ``itf``); ``common`` holds shared parts."""


@functools.cache
def schema(name: str) -> dict[str, Any]:
    """The schema ``NAME.json`` as a dict."""
    if name not in (*SCHEMAS, "common"):
        raise ValueError(f"no schema named {name!r}: refute has {', '.join(SCHEMAS)}")
    text = resources.files(__name__).joinpath(f"{name}.json").read_text(encoding="utf-8")
    return json.loads(text)


@functools.cache
def _validator(name: str) -> Any:
    import jsonschema
    from referencing import Registry, Resource

    registry = Registry().with_resources(
        (f"urn:refute:schema:{other}", Resource.from_contents(schema(other)))
        for other in (*SCHEMAS, "common"))
    return jsonschema.Draft202012Validator(schema(name), registry=registry)


def validate(name: str, payload: Any) -> None:
    """Raise ValueError, naming the place and the rule, when ``payload`` does not follow the
    schema ``name`` (needs the ``jsonschema`` package)."""
    from jsonschema.exceptions import best_match

    error = best_match(_validator(name).iter_errors(payload))
    if error is not None:
        where = "/".join(str(part) for part in error.absolute_path) or "(the top)"
        raise ValueError(f"the {name} output does not follow its schema at {where}: "
                         f"{error.message[:300]}")


def check_output(name: str, payload: Any) -> None:
    """:func:`validate` when ``REFUTE_CHECK_JSON=1`` is set (see the module's note)."""
    if os.environ.get(CHECK_VARIABLE) == "1":
        validate(name, payload)
