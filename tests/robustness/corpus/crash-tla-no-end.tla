---- MODULE NoEnd ----
\* Once 'no TLA+ module found' for a module whose text does not parse as a whole.
Op == 1 +
====
