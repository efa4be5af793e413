/* The native runtime of refute's compiled backend: interned TLA+ values and a BFS driver.
 *
 * A value is a 32-bit id into one table of hash-consed entries (id 0 is "no value": an
 * unassigned primed variable or an empty cache slot). Equal values have equal ids, so
 * equality is an integer compare and a state is an array of ids. Every entry caches a
 * structural 64-bit hash (from its contents, never from ids), so fingerprints do not depend
 * on the order in which values were first built.
 *
 * Canonical forms (what makes interning sound): a set's elements are sorted by rt_cmp and
 * distinct; a function's keys are sorted and distinct; a function whose domain is 1..n (n >=
 * 0) is a sequence. rt_cmp is the order of refute.tla.values.tlc_key, which is the order the
 * interpreter enumerates sets in (sorted_elements): booleans < integers < model values <
 * strings (these two in TLC's order, refute.tla.atoms) < sequences < sets < other functions;
 * sequences and sets by length first, functions by size, then keys, then values (TLC's).
 *
 * A generated model (emit_c.py) is one translation unit that includes runtime.c after
 * defining NV (variables), NACT (action instances), NLABEL (action names), NINV and NCON, and
 * the functions declared below.
 */
#ifndef REFUTE_RUNTIME_H
#define REFUTE_RUNTIME_H

#include <stdint.h>

typedef uint32_t V;

enum { T_BOOL = 0, T_INT = 1, T_ATOM = 2, T_SEQ = 4, T_SET = 6, T_FN = 7 };

/* Run results, read by refute/compiled/native.py through ctypes. */
enum { ST_OK = 0, ST_INVARIANT = 1, ST_DEADLOCK = 2, ST_ERROR = 3, ST_MAX_STATES = 4,
       ST_MAX_DEPTH = 5, ST_TIME = 6, ST_CONSTRAINT = 7, ST_MEMORY = 8,
       ST_INTERRUPTED = 9, ST_BAD_CHECKPOINT = 10, ST_CHECKPOINT_FAILED = 11 };

#endif
