"""The names TLC interns when it parses the standard modules refute implements natively.

TLC parses every module a spec uses, the standard ones too (their .tla files are in
``tla2tools.jar``, ``tla2sany/StandardModules``), although it evaluates their operators with
Java code; parsing interns each token's text, and that numbering orders strings and model values
(:mod:`refute.tla.atoms`). So a spec string equal to a name these modules use (``"b"``, ``"n"``,
``"Len"``, ``"out"``) is ordered by where TLC first read that name in them. refute does not
read these modules (:data:`refute.tla.stdlib.NATIVE_ONLY`); it keeps, for each, the modules it
uses (EXTENDS, then INSTANCE, in its order) and the distinct tokens in the order of their first
occurrence (identifiers, keywords and numbers, as refute's parser lists them for any module),
and its string literals: what TLC's parser meets, not the modules' text. Taken from the jar of
TLC built from tlaplus/tlaplus cc6b616 with refute's parser (``Module.words``, ``.strings``).
"""

from __future__ import annotations

STANDARD_WORDS: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    'Naturals': (
        (),
        ('Naturals', 'Nat', 'a', 'b', 'CHOOSE', 'n', 'TRUE'),
        ()),
    'Integers': (
        ('Naturals',),
        ('Integers', 'EXTENDS', 'Naturals', 'Int', 'a', '0'),
        ()),
    'Reals': (
        ('Integers',),
        ('Reals', 'EXTENDS', 'Integers', 'Real', 'a', 'b', 'CHOOSE', 'm', 'Infinity', 'i', 'r'),
        ('Reals',)),
    'Sequences': (
        ('Naturals',),
        ('Sequences', 'LOCAL', 'INSTANCE', 'Naturals', 'Seq', 'S', 'UNION', '1', 'n', 'Nat',
         'Len', 's', 'CHOOSE', 'DOMAIN', 't', 'i', 'IF', 'THEN', 'ELSE', 'Append', 'e', 'Head',
         'Tail', 'CASE', 'SubSeq', 'm', 'SelectSeq', 'Test', '_', 'LET', 'F', '0', 'IN'),
        ()),
    'FiniteSets': (
        ('Naturals', 'Sequences'),
        ('FiniteSets', 'LOCAL', 'INSTANCE', 'Naturals', 'Sequences', 'IsFiniteSet', 'S', 'seq',
         'Seq', 's', 'n', '1', 'Len', 'Cardinality', 'LET', 'CS', 'T', 'SUBSET', 'IF', 'THEN',
         '0', 'ELSE', 'CHOOSE', 'x', 'IN'),
        ()),
    'Bags': (
        ('TLC', 'Naturals'),
        ('Bags', 'EXTENDS', 'TLC', 'LOCAL', 'INSTANCE', 'Naturals', 'IsABag', 'B', 'DOMAIN',
         'n', 'Nat', '0', 'BagToSet', 'SetToBag', 'S', 'e', '1', 'BagIn', 'EmptyBag', 'B1',
         'B2', 'IF', 'THEN', 'ELSE', 'LET', 'IN', 'd', 'Sum', 'f', 'DSum', 'SUBSET', 'elt',
         'CHOOSE', 'TRUE', 'BagUnion', 'UNION', 'SubBag', 'RemoveFromDom', 'x', 'y', 'Combine',
         'BagSet', 'i', 'Biggest', 'Range', 'r', 's', 'RSB', 'BB', 'BagOfAll', 'F', '_',
         'BagCardinality', 'CopiesIn'),
        ()),
    'TLC': (
        ('Naturals', 'Sequences', 'FiniteSets'),
        ('TLC', 'LOCAL', 'INSTANCE', 'Naturals', 'Sequences', 'FiniteSets', 'Print', 'out',
         'val', 'PrintT', 'TRUE', 'Assert', 'IF', 'THEN', 'ELSE', 'CHOOSE', 'v', 'JavaTime',
         'n', 'Nat', 'TLCGet', 'i', 'TLCSet', 'd', 'e', 'x', 'f', 'g', 'DOMAIN', 'Permutations',
         'S', 'w', 'SortSeq', 's', 'Op', '_', 'LET', 'Perm', 'p', '1', 'Len', 'j', 'IN',
         'RandomElement', 'Any', 'ToString', 'a', 'b', 'STRING', 'TLCEval'),
        ()),
    'TLCExt': (
        ('TLC', 'Integers'),
        ('TLCExt', 'LOCAL', 'INSTANCE', 'TLC', 'Integers', 'AssertEq', 'a', 'b', 'IF', 'THEN',
         'PrintT', 'ELSE', 'AssertError', 'err', 'exp', 'LET', 'FailsEval', 'e', 'CHOOSE',
         'BOOLEAN', 'TRUE', 'TLCError', 's', 'STRING', 'IN', 'Assert', 'TLCGetOrDefault', 'key',
         'defaultVal', 'n', 'TLCGetAndSet', 'Op', '_', 'val', 'oldVal', 'v', 'TLCSet', 'Trace',
         'CounterExample', 'ToTrace', 'CE', 'TLCModelValue', 'str', 'ToString', 'TLCDefer',
         'expression', 'TLCNoOp', 'PickSuccessor', 'bool', 'TLCCache', 'closure', 'TLCFP',
         'var', 'i', 'Int', 'TLCEvalDefinition', 'definitionName'),
        ('Assertion failed',)),
    'Randomization': (
        ('Naturals', 'FiniteSets'),
        ('Randomization', 'LOCAL', 'INSTANCE', 'Naturals', 'FiniteSets', 'RandomSubset', 'k',
         'S', 'CHOOSE', 'T', 'SUBSET', 'Cardinality', 'RandomSetOfSubsets', 'n',
         'TestRandomSetOfSubsets', 'i', '1', '5'),
        ()),
    'Toolbox': (
        ('Naturals', 'FiniteSets', 'TLC'),
        ('Toolbox', 'LOCAL', 'INSTANCE', 'Naturals', 'FiniteSets', 'TLC', '_TETrace', 'CHOOSE',
         'f', 'Nat', '0', 'STRING', 'TRUE', '_TETraceLength', 'Cardinality', 'DOMAIN',
         '_TEPosition', 'IF', 'TLCGet', 'THEN', 'ELSE', '1'),
        ('level',)),
    '_TLCTrace': (
        ('TLC', 'TLCExt', 'Sequences', 'Naturals'),
        ('_TLCTrace', 'LOCAL', 'INSTANCE', 'TLC', 'TLCExt', 'Sequences', 'Naturals',
         '_TLCTraceDeserialize', 'absoluteFilename', 'TRUE', '_TLCTraceSerialize', 'val',
         'CONSTANT', '_TLCTraceFile', '_TLCTrace0', 'verbose', 'IF', 'CounterExample', 'state',
         'DOMAIN', 'FALSE', 'THEN', 'ELSE', 'LET', 'trace', 'ToTrace', 'vars', 'UNION', 'i',
         'IN', 'counterexample', 'PrintT', '_TLCTraceSilent', '_TLCTraceInputFile',
         '_TLCTraceFileDeserialized', '_TLCState', 'level', 'Trace', '_TLCTraceLassoTarget',
         'actions', 'e', '3', '1', 'CHOOSE', '0', '_TLCTraceConstraint', 'TLCGet', 'dump',
         'pair', 'v', '2', '_TLCTraceView', 'lassoTarget'),
        ('console', 'CounterExample written: ', 'counterexample', 'action', 'level', 'state',
         'vars')),
}
"""Module -> (the modules it uses, its tokens in first-occurrence order, its strings)."""
