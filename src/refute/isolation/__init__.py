"""Isolation of transaction protocols, checked in the model, and their permissiveness.

A spec records its transactions' operations in a :class:`TxnHistory` state field;
``refute check SPEC --isolation LEVEL`` (:func:`check_isolation`) checks every finished
history against LEVEL with :mod:`refute.history`'s anomaly definitions, and ``refute
permissiveness SPEC`` (:func:`permissiveness`) counts the distinct histories the protocol
allows against those the level allows. See ``docs/isolation-in-models.md``.

Modules: ``history`` (the history value and its translation for the checker), ``check`` (the
isolation invariant), ``permissiveness`` (projection and enumeration), ``command`` (the CLI).
"""

from refute.isolation.check import IsolationResult, check_isolation, with_isolation
from refute.isolation.history import TxnHistory
from refute.isolation.permissiveness import Permissiveness, permissiveness

__all__ = ["IsolationResult", "Permissiveness", "TxnHistory", "check_isolation",
           "permissiveness", "with_isolation"]
