---- MODULE NotUtf8 ----
\* Once a UnicodeDecodeError: a byte that is not UTF-8 in an identifier.
Opÿ == 1
====
