"""The readers of the data files refute checks: JSON, JSON lines and EDN, with located errors.

Histories (:mod:`refute.history`), linearizability histories (:mod:`refute.linearize`) and
conformance logs (:mod:`refute.conformance`) all read the same notations; this package reads
them once, the same way, so that a malformed file gets the same kind of message whichever
command reads it: ``file:line:column: what is wrong`` and a hint.

    read_text(path, what, hint)     the file's text, or an InputError saying why not
    sniff(text)                     "json" or "edn", from the first meaningful characters
    parse_json(text, file, hint)    a JSON document or JSON lines, as a JsonForms
    parse_json_line(text, ...)      one JSON value on one line (a log event)
    parse_all(text, file)           every top-level EDN form (:mod:`refute.readers.edn`)
    FormLocator                     line and column of the n-th form, found lazily

Layering: this package imports only :mod:`refute.errors` and :mod:`refute._nesting`, so
every checker of recorded data can use it without importing another checker.
"""

from refute.readers.edn import Keyword, Symbol, parse_all
from refute.readers.json_text import JsonForms, parse_json, parse_json_line
from refute.readers.source import FormLocator, read_text, sniff

__all__ = ["FormLocator", "JsonForms", "Keyword", "Symbol", "parse_all", "parse_json",
           "parse_json_line", "read_text", "sniff"]
