---- MODULE Calls ----
\* Operator calls with arguments in every action and invariant: the interpreter's call path
\* (arguments evaluated, parameters read) measured by benchmarks/cpu_seconds.py tla.
EXTENDS Naturals
VARIABLES x, y
Add(a, b) == a + b
Max(a, b) == IF a > b THEN a ELSE b
Clip(v, lo, hi) == Max(lo, IF v > hi THEN hi ELSE v)
Init == x = 0 /\ y = 0
Next == \E d \in 1..3 : /\ x' = Clip(Add(x, d), 0, 400)
                        /\ y' = Clip(Add(y, x % (d + 1)), 0, 400)
Inv == \A i \in 1..20 : Add(i, x) >= Max(i, y - y)
====
