/* Values and search of the compiled backend; see runtime.h for the invariants.
 *
 * Included once, at the end of a generated model's translation unit, so that the compiler
 * can inline the value operations into the generated actions. Errors in a spec (a function
 * applied outside its domain, a non-boolean condition...) do not get a message here: the
 * search stops with ST_ERROR and the Python side re-runs the interpreter, which reports the
 * error with the spec's file and line exactly as an interpreted run would.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "runtime.h"

/* ------------------------------------------------------------------ value table */
typedef struct {
    uint64_t hash;
    union { int64_t i; V *d; } u;
    uint32_t len;
    uint8_t tag;
    uint8_t cls; /* the first component of tlc_key (tla/values.py): the order across kinds */
} Val;

static Val *vals;
static uint32_t nvals, capvals;
static uint32_t *itab; /* open addressing over ids; 0 = empty */
static uint64_t imask;
static jmp_buf rt_jump;
static int rt_error_code;

static void rt_fail(int code) {
    rt_error_code = code;
    longjmp(rt_jump, 1);
}

static void *rt_alloc(size_t bytes) {
    void *p = malloc(bytes ? bytes : 1);
    if (!p) rt_fail(100);
    return p;
}

/* The large tables (intern index, value entries, memo, seen set) are probed at random: with
 * 4 KiB pages nearly every probe of a table of tens of MiB also misses the TLB. Asking for
 * transparent huge pages on the whole 2 MiB pages inside a block (where the system grants
 * them only on request, "madvise" mode) removes most of those misses; where they are not
 * available the hint does nothing. */
static void huge_pages(void *p, size_t bytes) {
#ifdef MADV_HUGEPAGE
    const uintptr_t page = (uintptr_t)1 << 21;
    uintptr_t lo = ((uintptr_t)p + page - 1) & ~(page - 1), hi = ((uintptr_t)p + bytes) & ~(page - 1);
    if (hi > lo) madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
#else
    (void)p; (void)bytes;
#endif
}

/* A bump allocator for payloads: values are never freed during a run. */
static char *arena_ptr, *arena_end;
static void **arena_chunks;
static size_t narena_chunks, caparena_chunks;
static V *arena_words(uint32_t n) {
    size_t bytes = (size_t)n * sizeof(V);
    if ((size_t)(arena_end - arena_ptr) < bytes) {
        size_t chunk = bytes > (1u << 20) ? bytes : (1u << 20);
        char *c = rt_alloc(chunk);
        if (narena_chunks == caparena_chunks) {
            caparena_chunks = caparena_chunks ? 2 * caparena_chunks : 64;
            arena_chunks = realloc(arena_chunks, caparena_chunks * sizeof(void *));
            if (!arena_chunks) rt_fail(100);
        }
        arena_chunks[narena_chunks++] = c;
        arena_ptr = c;
        arena_end = c + chunk;
    }
    V *out = (V *)arena_ptr;
    arena_ptr += bytes;
    return out;
}

static inline uint64_t mix64(uint64_t x) {
    x ^= x >> 33; x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33; x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

static uint64_t hash_of(uint8_t tag, int64_t i, const V *d, uint32_t len) {
    uint64_t h = mix64(0x9e3779b97f4a7c15ULL * (tag + 1) + len);
    if (tag == T_BOOL || tag == T_INT || tag == T_ATOM) return mix64(h ^ (uint64_t)i);
    uint32_t words = tag == T_FN ? 2 * len : len;
    for (uint32_t k = 0; k < words; k++) h = (h ^ vals[d[k]].hash) * 0x9fb21c651e98df25ULL + k;
    return mix64(h);
}

static void memo_huge_pages(void);
static void table_grow(void) {
    if (!imask) memo_huge_pages(); /* the first value interned: the memo's hint, once */
    uint64_t size = imask ? 2 * (imask + 1) : (1u << 16);
    uint32_t *t = calloc(size, sizeof(uint32_t));
    if (!t) rt_fail(100);
    huge_pages(t, size * sizeof(uint32_t));
    for (uint32_t id = 1; id < nvals; id++) {
        uint64_t j = vals[id].hash & (size - 1);
        while (t[j]) j = (j + 1) & (size - 1);
        t[j] = id;
    }
    free(itab);
    itab = t;
    imask = size - 1;
}

static int same_payload(const Val *e, uint8_t tag, int64_t i, const V *d, uint32_t len) {
    if (e->tag != tag || e->len != len) return 0;
    if (tag == T_BOOL || tag == T_INT || tag == T_ATOM) return e->u.i == i;
    uint32_t words = tag == T_FN ? 2 * len : len;
    return memcmp(e->u.d, d, words * sizeof(V)) == 0;
}

/* The id of the value (tag, i | d[0..len)); d is copied when the value is new. */
static V intern(uint8_t tag, uint8_t cls, int64_t i, const V *d, uint32_t len) {
    uint64_t h = hash_of(tag, i, d, len);
    if (2 * (uint64_t)(nvals + 1) > imask + 1) table_grow();
    uint64_t j = h & imask;
    for (;;) {
        V id = itab[j];
        if (!id) break;
        if (vals[id].hash == h && same_payload(&vals[id], tag, i, d, len)) return id;
        j = (j + 1) & imask;
    }
    if (nvals == capvals) {
        capvals = capvals ? 2 * capvals : (1u << 16);
        vals = realloc(vals, (size_t)capvals * sizeof(Val));
        if (!vals) rt_fail(100);
        huge_pages(vals, (size_t)capvals * sizeof(Val));
    }
    V id = nvals++;
    Val *e = &vals[id];
    e->hash = h; e->tag = tag; e->cls = cls; e->len = len;
    if (tag == T_BOOL || tag == T_INT || tag == T_ATOM) {
        e->u.i = i;
    } else {
        uint32_t words = tag == T_FN ? 2 * len : len;
        V *p = arena_words(words);
        memcpy(p, d, words * sizeof(V));
        e->u.d = p;
    }
    itab[j] = id;
    return id;
}


static V V_FALSE, V_TRUE;
#define VAL(v) (&vals[v])

static inline V mk_bool(int b) { return b ? V_TRUE : V_FALSE; }
static inline V mk_int(int64_t n) { return intern(T_INT, 1, n, 0, 0); }
/* Atoms (strings and model values) are numbered by the Python side in TLC's order
 * (refute.tla.atoms); cls is 2 for a model value, 3 for a string. */
static inline V mk_atom(int64_t rank, int cls) { return intern(T_ATOM, (uint8_t)cls, rank, 0, 0); }
/* Whether an atom is a model value (the generated model's atom_model table, by rank): TLC
 * compares a model value with a value of any kind (unequal), a string only with strings. */
static inline int is_model(const Val *e) { return e->tag == T_ATOM && atom_model[e->u.i]; }

static inline int as_bool(V v) {
    if (v == V_TRUE) return 1;
    if (v == V_FALSE) return 0;
    rt_fail(1);
    return 0;
}
static inline int64_t as_int(V v) {
    if (VAL(v)->tag != T_INT) rt_fail(2);
    return VAL(v)->u.i;
}

/* ------------------------------------------------------------------ memo */
/* Pure operations on interned values are remembered in a direct-mapped table: the same
 * update of the same function (rmState EXCEPT ![r] = "prepared") recurs in state after state,
 * and a hit costs one probe instead of building and interning a value. */
typedef struct { V a, b, c, r; uint32_t op; } Memo;
#define MEMO_BITS 18
static Memo memo_table[1u << MEMO_BITS];
static void memo_huge_pages(void) { huge_pages(memo_table, sizeof memo_table); }
static inline Memo *memo_slot(uint32_t op, V a, V b, V c) {
    uint64_t h = mix64(((uint64_t)a << 32 | b) ^ ((uint64_t)c << 8 | op) * 0x9e3779b97f4a7c15ULL);
    return &memo_table[h & ((1u << MEMO_BITS) - 1)];
}
static inline int memo_hit(const Memo *m, uint32_t op, V a, V b, V c) {
    return m->r && m->op == op && m->a == a && m->b == b && m->c == c;
}
static inline V memo_put(Memo *m, uint32_t op, V a, V b, V c, V r) {
    m->op = op; m->a = a; m->b = b; m->c = c; m->r = r;
    return r;
}

/* ------------------------------------------------------------------ order */
static int rt_cmp(V a, V b) {
    if (a == b) return 0;
    const Val *x = VAL(a), *y = VAL(b);
    if (x->cls != y->cls) return x->cls < y->cls ? -1 : 1;
    switch (x->tag) {
    case T_BOOL: case T_INT: case T_ATOM:
        return x->u.i < y->u.i ? -1 : (x->u.i > y->u.i ? 1 : 0);
    case T_SEQ: case T_SET: {  /* TLC: the length (size) first, then element by element */
        if (x->len != y->len) return x->len < y->len ? -1 : 1;
        for (uint32_t k = 0; k < x->len; k++) {
            int c = rt_cmp(x->u.d[k], y->u.d[k]);
            if (c) return c;
        }
        return 0;
    }
    default: { /* T_FN (keys in order, then values): TLC's size, then keys, then values */
        if (x->len != y->len) return x->len < y->len ? -1 : 1;
        for (uint32_t k = 0; k < 2 * x->len; k++) {
            int c = rt_cmp(x->u.d[k], y->u.d[k]);
            if (c) return c;
        }
        return 0;
    }
    }
}

static int cmp_ids(const void *a, const void *b) { return rt_cmp(*(const V *)a, *(const V *)b); }

/* ------------------------------------------------------------------ scratch buffers */
/* Builders write into a stack of scratch buffers (nested constructions each get their own). */
typedef struct { V *d; uint32_t n, cap; } Buf;
static Buf bufs[64];
static int nbufs;
static inline Buf *buf_open(void) {
    if (nbufs == 64) rt_fail(101);
    Buf *b = &bufs[nbufs++];
    b->n = 0;
    return b;
}
static inline void buf_push(Buf *b, V v) {
    if (b->n == b->cap) {
        b->cap = b->cap ? 2 * b->cap : 64;
        b->d = realloc(b->d, (size_t)b->cap * sizeof(V));
        if (!b->d) rt_fail(100);
    }
    b->d[b->n++] = v;
}
static inline void buf_close(void) { nbufs--; }

/* ------------------------------------------------------------------ sets */
static inline int rt_comparable(V a, V b);
static V set_from(V *d, uint32_t n) { /* sorts d in place */
    if (n > 1) {
        int sorted = 1;
        for (uint32_t k = 1; k < n; k++) if (rt_cmp(d[k - 1], d[k]) >= 0) { sorted = 0; break; }
        if (!sorted) {
            qsort(d, n, sizeof(V), cmp_ids);
            uint32_t m = 1;
            for (uint32_t k = 1; k < n; k++) if (d[k] != d[m - 1]) d[m++] = d[k];
            n = m;
        }
        /* sorted by kind: mixed kinds show at the ends; TLC cannot order {1, "a"} */
        if (VAL(d[0])->tag != VAL(d[n - 1])->tag)
            for (uint32_t k = 1; k < n; k++) if (!rt_comparable(d[k - 1], d[k])) rt_fail(7);
    }
    return intern(T_SET, 6, 0, d, n);
}
static V buf_set(Buf *b) { V s = set_from(b->d, b->n); buf_close(); return s; }

static inline const Val *as_set_(V s) {
    const Val *e = VAL(s);
    if (e->tag != T_SET) rt_fail(3);
    return e;
}

/* Whether TLC compares the unequal values a and b without an error: values of one kind (sets
 * with sets, functions and sequences with each other...) or a model value (an atom of class
 * 2; a string is an atom of class 3) with anything. */
static inline int rt_comparable(V a, V b) {
    const Val *x = VAL(a), *y = VAL(b);
    if (x->tag == y->tag) return 1;
    if ((x->tag == T_SEQ || x->tag == T_FN) && (y->tag == T_SEQ || y->tag == T_FN)) return 1;
    return is_model(x) || is_model(y);
}
/* a = b as TLC decides it: an error (rt_fail, then the interpreter reports it) rather than
 * FALSE for values of kinds TLC does not compare (1 = {1}, TRUE = 1). */
static int rt_eq(V a, V b) {
    if (a == b) return 1;
    if (!rt_comparable(a, b)) rt_fail(7);
    const Val *x = VAL(a), *y = VAL(b);
    if (x->tag == T_SET && y->tag == T_SET && x->len && y->len) {
        if (!rt_comparable(x->u.d[0], y->u.d[0])) rt_fail(7);  /* {1} = {"a"} */
    } else if (x->tag == T_SEQ && y->tag == T_SEQ && x->len == y->len) {
        for (uint32_t k = 0; k < x->len; k++)  /* <<1>> = <<"a">>: where they first differ */
            if (x->u.d[k] != y->u.d[k]) { rt_eq(x->u.d[k], y->u.d[k]); break; }
    } else if (x->tag != y->tag && x->len && y->len) {  /* a record and a sequence: TLC refuses */
        const Val *f = x->tag == T_FN ? x : y;
        const Val *key = VAL(f->u.d[0]);
        if (key->tag == T_ATOM && !is_model(key)) rt_fail(7);
    }
    return 0;
}

static int set_has(V s, V x) {
    const Val *e = as_set_(s);
    uint32_t n = e->len;
    const V *d = e->u.d;
    if (n && !rt_comparable(d[0], x)) {  /* TLC compares x with the elements: "a" \in {1} fails */
        for (uint32_t k = 0; k < n; k++) if (d[k] == x) return 1;
        rt_fail(7);
    }
    /* Equal values have equal ids: up to a few dozen elements a scan of the ids (one or two
     * cache lines, vectorised) is faster than a binary search, whose every rt_cmp reads the
     * entries of two values (cache misses in a large table). */
    if (n <= 64) {
        int hit = 0;
        for (uint32_t k = 0; k < n; k++) hit |= d[k] == x;
        return hit;
    }
    uint32_t lo = 0, hi = n;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        int c = rt_cmp(d[mid], x);
        if (c == 0) return 1;
        if (c < 0) lo = mid + 1; else hi = mid;
    }
    return 0;
}

/* Where x would go in the sorted elements of set s: its index, and whether it is there. */
static uint32_t set_position(V s, V x, int *present) {
    const Val *e = VAL(s);
    uint32_t lo = 0, hi = e->len;
    *present = 0;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        int c = rt_cmp(e->u.d[mid], x);
        if (c == 0) { *present = 1; return mid; }
        if (c < 0) lo = mid + 1; else hi = mid;
    }
    return lo;
}

/* s with one more element (the common case of sending a message: msgs \cup {m}). */
static V set_insert(V s, V x) {
    int present;
    uint32_t at = set_position(s, x, &present);
    if (present) return s;
    uint32_t n = VAL(s)->len;
    Buf *o = buf_open();
    for (uint32_t k = 0; k < at; k++) buf_push(o, VAL(s)->u.d[k]);
    buf_push(o, x);
    for (uint32_t k = at; k < n; k++) buf_push(o, VAL(s)->u.d[k]);
    V r = intern(T_SET, 6, 0, o->d, o->n);
    buf_close();
    return r;
}

static V set_union_raw(V a, V b) {
    const Val *x = as_set_(a), *y = as_set_(b);
    if (y->len == 0) return a;
    if (x->len == 0) return b;
    if (y->len == 1) return set_insert(a, y->u.d[0]);
    if (x->len == 1) return set_insert(b, x->u.d[0]);
    Buf *o = buf_open();
    uint32_t i = 0, j = 0;
    while (i < x->len && j < y->len) {
        int c = rt_cmp(x->u.d[i], y->u.d[j]);
        if (c < 0) buf_push(o, x->u.d[i++]);
        else if (c > 0) buf_push(o, y->u.d[j++]);
        else { buf_push(o, x->u.d[i++]); j++; }
    }
    while (i < x->len) buf_push(o, x->u.d[i++]);
    while (j < y->len) buf_push(o, y->u.d[j++]);
    V r = intern(T_SET, 6, 0, o->d, o->n);
    buf_close();
    return r;
}
/* Whether the memo is worth probing for a union with one element (sending a message): it
 * is when the same sets recur (TwoPhase's few messages: nearly every probe hits); when
 * each state's set of messages is a new value (PaxosCommit: one probe in five hits), a
 * probe is a cache miss in a table of MiBs that costs about what inserting the element
 * does. Measured on the probes made: below one hit in four, only one union in 16 probes
 * (so that the rate is still followed). Either way the result is the same value. */
static uint32_t insert_probes, insert_hits, insert_skipped;
static inline int insert_memo_worth(void) {
    if (4 * insert_hits >= insert_probes) return 1;
    return (++insert_skipped & 15) == 0;
}
static inline void insert_memo_count(int hit) {
    insert_hits += hit;
    if (++insert_probes == (1u << 16)) { insert_probes >>= 1; insert_hits >>= 1; }
}

static V set_union(V a, V b) {
    if (VAL(b)->tag == T_SET && VAL(b)->len == 1 && VAL(a)->tag == T_SET) {
        if (!insert_memo_worth()) return set_insert(a, VAL(b)->u.d[0]);
        Memo *m = memo_slot(1, a, b, 0);
        int hit = memo_hit(m, 1, a, b, 0);
        insert_memo_count(hit);
        if (hit) return m->r;
        V r = set_insert(a, VAL(b)->u.d[0]);
        return memo_put(memo_slot(1, a, b, 0), 1, a, b, 0, r);
    }
    Memo *m = memo_slot(1, a, b, 0);
    if (memo_hit(m, 1, a, b, 0)) return m->r;
    V r = set_union_raw(a, b);
    m = memo_slot(1, a, b, 0);
    return memo_put(m, 1, a, b, 0, r);
}

static V set_inter_raw(V a, V b) {
    const Val *x = as_set_(a), *y = as_set_(b);
    Buf *o = buf_open();
    uint32_t i = 0, j = 0;
    while (i < x->len && j < y->len) {
        int c = rt_cmp(x->u.d[i], y->u.d[j]);
        if (c < 0) i++;
        else if (c > 0) j++;
        else { buf_push(o, x->u.d[i++]); j++; }
    }
    V r = intern(T_SET, 6, 0, o->d, o->n);
    buf_close();
    return r;
}
static V set_inter(V a, V b) {
    Memo *m = memo_slot(2, a, b, 0);
    if (memo_hit(m, 2, a, b, 0)) return m->r;
    V r = set_inter_raw(a, b);
    m = memo_slot(2, a, b, 0);
    return memo_put(m, 2, a, b, 0, r);
}

static V set_minus_raw(V a, V b) {
    const Val *x = as_set_(a), *y = as_set_(b);
    Buf *o = buf_open();
    uint32_t i = 0, j = 0;
    while (i < x->len) {
        if (j >= y->len) { buf_push(o, x->u.d[i++]); continue; }
        int c = rt_cmp(x->u.d[i], y->u.d[j]);
        if (c < 0) buf_push(o, x->u.d[i++]);
        else if (c > 0) j++;
        else { i++; j++; }
    }
    V r = intern(T_SET, 6, 0, o->d, o->n);
    buf_close();
    return r;
}
static V set_minus(V a, V b) {
    Memo *m = memo_slot(3, a, b, 0);
    if (memo_hit(m, 3, a, b, 0)) return m->r;
    V r = set_minus_raw(a, b);
    m = memo_slot(3, a, b, 0);
    return memo_put(m, 3, a, b, 0, r);
}

static int set_subseteq(V a, V b) {
    const Val *x = as_set_(a);
    for (uint32_t k = 0; k < x->len; k++) if (!set_has(b, x->u.d[k])) return 0;
    return 1;
}

static V set_range(int64_t lo, int64_t hi) {
    Buf *o = buf_open();
    for (int64_t k = lo; k <= hi; k++) buf_push(o, mk_int(k));
    V r = intern(T_SET, 6, 0, o->d, o->n);
    buf_close();
    return r;
}

static V set_big_union(V s) {
    uint32_t n = as_set_(s)->len;
    V r = intern(T_SET, 6, 0, 0, 0);
    for (uint32_t k = 0; k < n; k++) r = set_union(r, VAL(s)->u.d[k]);
    return r;
}

static V set_powerset(V s) {
    const Val *x = as_set_(s);
    uint32_t n = x->len;
    if (n > 24) rt_fail(4);
    Buf *o = buf_open();
    V tmp[24];
    for (uint64_t mask = 0; mask < (1ULL << n); mask++) {
        uint32_t m = 0;
        for (uint32_t k = 0; k < n; k++) if (mask >> k & 1) tmp[m++] = VAL(s)->u.d[k];
        buf_push(o, intern(T_SET, 6, 0, tmp, m));
    }
    return buf_set(o);
}

static inline uint32_t vlen(V v) { return VAL(v)->len; }
static inline const V *vdata(V v) { return VAL(v)->u.d; }

static int64_t cardinality(V s) { return as_set_(s)->len; }

/* ------------------------------------------------------------------ functions */
/* A function from parallel key and value arrays (keys sorted, distinct), normalised. */
static V fn_from_sorted(const V *keys, const V *values, uint32_t n) {
    int seq = 1;
    for (uint32_t k = 0; k < n && seq; k++) {
        const Val *e = VAL(keys[k]);
        seq = e->tag == T_INT && e->u.i == (int64_t)k + 1;
    }
    if (seq) return intern(T_SEQ, 4, 0, values, n);
    Buf *o = buf_open();
    for (uint32_t k = 0; k < n; k++) buf_push(o, keys[k]);
    for (uint32_t k = 0; k < n; k++) buf_push(o, values[k]);
    V r = intern(T_FN, 7, 0, o->d, n);
    buf_close();
    return r;
}

static inline V mk_seq(const V *d, uint32_t n) { return intern(T_SEQ, 4, 0, d, n); }

static V fn_apply(V f, V x) {
    const Val *e = VAL(f);
    if (e->tag == T_SEQ) {
        const Val *k = VAL(x);
        if (k->tag == T_INT && k->u.i >= 1 && k->u.i <= (int64_t)e->len) return e->u.d[k->u.i - 1];
        rt_fail(5);
    }
    if (e->tag != T_FN) rt_fail(6);
    uint32_t n = e->len;
    const V *keys = e->u.d;
    if (n <= 8) {
        for (uint32_t k = 0; k < n; k++) if (keys[k] == x) return keys[n + k];
        rt_fail(5);
    }
    uint32_t lo = 0, hi = n;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        int c = rt_cmp(keys[mid], x);
        if (c == 0) return keys[n + mid];
        if (c < 0) lo = mid + 1; else hi = mid;
    }
    rt_fail(5);
    return 0;
}

static V fn_domain(V f) {
    const Val *e = VAL(f);
    if (e->tag == T_SEQ) return set_range(1, e->len);
    if (e->tag != T_FN) rt_fail(6);
    return intern(T_SET, 6, 0, e->u.d, e->len);
}

/* [f EXCEPT ![x] = v]: x must be in the domain (TLC: the function is unchanged otherwise,
 * the interpreter too; here: an error, so that the interpreter reports what it does). */
static V fn_except_raw(V f, V x, V v) {
    const Val *e = VAL(f);
    uint32_t n = e->len;
    if (e->tag == T_SEQ) {
        const Val *k = VAL(x);
        if (!(k->tag == T_INT && k->u.i >= 1 && k->u.i <= (int64_t)n)) rt_fail(7);
        if (e->u.d[k->u.i - 1] == v) return f;
        Buf *o = buf_open();
        for (uint32_t j = 0; j < n; j++) buf_push(o, VAL(f)->u.d[j]);
        o->d[k->u.i - 1] = v;
        V r = intern(T_SEQ, 4, 0, o->d, n);
        buf_close();
        return r;
    }
    if (e->tag != T_FN) rt_fail(6);
    Buf *o = buf_open();
    int found = 0;
    for (uint32_t j = 0; j < 2 * n; j++) buf_push(o, VAL(f)->u.d[j]);
    for (uint32_t j = 0; j < n; j++) if (o->d[j] == x) { o->d[n + j] = v; found = 1; break; }
    if (!found) { buf_close(); rt_fail(7); }
    V r = intern(T_FN, 7, 0, o->d, n);
    buf_close();
    return r;
}
static V fn_except(V f, V x, V v) {
    Memo *m = memo_slot(4, f, x, v);
    if (memo_hit(m, 4, f, x, v)) return m->r;
    V r = fn_except_raw(f, x, v);
    m = memo_slot(4, f, x, v);
    return memo_put(m, 4, f, x, v, r);
}

/* A function built key by key in a buffer of pairs (keys may come in any order). */
typedef struct { V k, v; } Pair;
static int cmp_pairs(const void *a, const void *b) { return rt_cmp(((const Pair *)a)->k, ((const Pair *)b)->k); }
static V fn_from_pairs(Buf *b) { /* b holds k0 v0 k1 v1 ...; closes b */
    uint32_t n = b->n / 2;
    qsort(b->d, n, sizeof(Pair), cmp_pairs);
    Buf *keys = buf_open();
    for (uint32_t k = 0; k < n; k++) buf_push(keys, b->d[2 * k]);
    for (uint32_t k = 0; k < n; k++) buf_push(keys, b->d[2 * k + 1]);
    for (uint32_t k = 1; k < n; k++) if (keys->d[k] == keys->d[k - 1]) rt_fail(8);
    V r = fn_from_sorted(keys->d, keys->d + n, n);
    buf_close();
    buf_close();
    return r;
}

/* Every function from the set dom to the set rng, as a set (remembered: a set quantified
 * over, [1..len -> T], is built again for each state the formula is evaluated in). */
static V set_of_functions_raw(V dom, V rng);
static V set_of_functions(V dom, V rng) {
    Memo *m = memo_slot(5, dom, rng, 0);
    if (memo_hit(m, 5, dom, rng, 0)) return m->r;
    V r = set_of_functions_raw(dom, rng);
    return memo_put(memo_slot(5, dom, rng, 0), 5, dom, rng, 0, r);
}
static V set_of_functions_raw(V dom, V rng) {
    const Val *D = as_set_(dom), *R = as_set_(rng);
    uint32_t n = D->len, m = R->len;
    double total = 1;
    for (uint32_t k = 0; k < n; k++) total *= m;
    if (total > 5e7) rt_fail(4);
    Buf *o = buf_open();
    uint32_t idx[64];
    if (n > 64) rt_fail(4);
    if (m == 0 && n > 0) return buf_set(o);
    memset(idx, 0, sizeof idx);
    V vs[64];
    for (;;) {
        for (uint32_t k = 0; k < n; k++) vs[k] = VAL(rng)->u.d[idx[k]];
        buf_push(o, fn_from_sorted(VAL(dom)->u.d, vs, n));
        uint32_t k = 0;
        while (k < n && ++idx[k] == m) idx[k++] = 0;
        if (k == n) break;
    }
    return buf_set(o);
}

/* Every record with these fields (atoms, sorted) and field values from these sets (one
 * field's, remembered as set_of_functions is). */
static V set_of_records_raw(uint32_t n, const V *fields, const V *sets);
static V set_of_records(uint32_t n, const V *fields, const V *sets) {
    if (n != 1) return set_of_records_raw(n, fields, sets);
    Memo *m = memo_slot(6, fields[0], sets[0], 0);
    if (memo_hit(m, 6, fields[0], sets[0], 0)) return m->r;
    V r = set_of_records_raw(n, fields, sets);
    return memo_put(memo_slot(6, fields[0], sets[0], 0), 6, fields[0], sets[0], 0, r);
}
static V set_of_records_raw(uint32_t n, const V *fields, const V *sets) {
    Buf *o = buf_open();
    uint32_t idx[64];
    V vs[64];
    if (n > 64) rt_fail(4);
    for (uint32_t k = 0; k < n; k++) if (as_set_(sets[k])->len == 0) return buf_set(o);
    memset(idx, 0, sizeof idx);
    for (;;) {
        for (uint32_t k = 0; k < n; k++) vs[k] = VAL(sets[k])->u.d[idx[k]];
        buf_push(o, fn_from_sorted(fields, vs, n));
        uint32_t k = 0;
        while (k < n && ++idx[k] == VAL(sets[k])->len) idx[k++] = 0;
        if (k == n) break;
    }
    return buf_set(o);
}

/* Whether f is a function with domain dom (a set value). */
static int fn_has_domain(V f, V dom) {
    const Val *e = VAL(f), *D = as_set_(dom);
    if (e->tag == T_SEQ) {
        if (D->len != e->len) return 0;
        for (uint32_t k = 0; k < e->len; k++) {
            const Val *x = VAL(D->u.d[k]);
            if (x->tag != T_INT || x->u.i != (int64_t)k + 1) return 0;
        }
        return 1;
    }
    if (e->tag != T_FN || e->len != D->len) return 0;
    return memcmp(e->u.d, D->u.d, e->len * sizeof(V)) == 0;
}

/* ------------------------------------------------------------------ sequences */
static inline const Val *as_seq_(V s) {
    const Val *e = VAL(s);
    if (e->tag != T_SEQ) rt_fail(9);
    return e;
}
static V seq_append(V s, V x) {
    const Val *e = as_seq_(s);
    Buf *o = buf_open();
    for (uint32_t k = 0; k < e->len; k++) buf_push(o, VAL(s)->u.d[k]);
    buf_push(o, x);
    V r = mk_seq(o->d, o->n);
    buf_close();
    return r;
}
static V seq_concat(V a, V b) {
    const Val *x = as_seq_(a), *y = as_seq_(b);
    Buf *o = buf_open();
    for (uint32_t k = 0; k < x->len; k++) buf_push(o, VAL(a)->u.d[k]);
    for (uint32_t k = 0; k < y->len; k++) buf_push(o, VAL(b)->u.d[k]);
    (void)y;
    V r = mk_seq(o->d, o->n);
    buf_close();
    return r;
}
static V seq_head(V s) {
    const Val *e = as_seq_(s);
    if (!e->len) rt_fail(10);
    return e->u.d[0];
}
static V seq_tail(V s) {
    const Val *e = as_seq_(s);
    if (!e->len) rt_fail(10);
    return mk_seq(e->u.d + 1, e->len - 1);
}
static int64_t seq_len(V s) { return as_seq_(s)->len; }
static V seq_subseq(V s, int64_t m, int64_t n) {
    const Val *e = as_seq_(s);
    if (n < m) return mk_seq(0, 0);
    if (m < 1 || n > (int64_t)e->len) rt_fail(10);
    return mk_seq(e->u.d + m - 1, (uint32_t)(n - m + 1));
}

/* The k-th of the n parts of a tuple pattern's element (\E <<a, b>> \in S); another value
 * is the interpreter's to judge. */
static V tuple_part(V t, uint32_t k, uint32_t n) {
    const Val *e = VAL(t);
    if (e->tag != T_SEQ || e->len != n) rt_fail(15);
    return e->u.d[k - 1];
}
/* Max(S), Min(S) of a non-empty set of integers (another set: the interpreter's). */
static int64_t set_extreme(V s, int most) {
    const Val *e = as_set_(s);
    if (!e->len) rt_fail(16);
    int64_t best = 0;
    for (uint32_t k = 0; k < e->len; k++) {
        const Val *x = VAL(VAL(s)->u.d[k]);
        if (x->tag != T_INT) rt_fail(16);
        if (!k || (most ? x->u.i > best : x->u.i < best)) best = x->u.i;
    }
    return best;
}
static int64_t set_max(V s) { return set_extreme(s, 1); }
static int64_t set_min(V s) { return set_extreme(s, 0); }

/* ------------------------------------------------------------------ integers */
static inline int64_t int_div(int64_t a, int64_t b) {
    if (b == 0) rt_fail(11);
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0))) q--;
    return q;
}
static inline int64_t int_mod(int64_t a, int64_t b) {
    if (b <= 0) rt_fail(11);
    int64_t r = a % b;
    return r < 0 ? r + b : r;
}
static inline int64_t int_pow(int64_t a, int64_t b) {
    if (b < 0) rt_fail(11);
    int64_t r = 1;
    while (b-- > 0) r *= a;
    return r;
}
static inline int is_int(V v) { return VAL(v)->tag == T_INT; }
static inline int is_set(V v) { return VAL(v)->tag == T_SET; }
static inline int is_fn(V v) { return VAL(v)->tag == T_FN || VAL(v)->tag == T_SEQ; }
static inline int is_string(V v) { return VAL(v)->tag == T_ATOM; }
/* v \in Nat / Int / STRING (member_kind): FALSE for a model value, an error in TLC for a
 * value of another kind than the set's.
 * v \in SUBSET S, Seq(S), [S -> T], [a: S]: 1 if v is of the set's kind (a set; a function or
 * sequence), 0 for a model value, an error in TLC for a value of another kind. */
static inline int kind_check(V v, int tag) {
    const Val *e = VAL(v);
    int fn = tag == T_SEQ || tag == T_FN;
    if (e->tag == tag || (fn && (e->tag == T_SEQ || e->tag == T_FN))) return 1;
    if (is_model(e)) return 0;
    rt_fail(7);
    return 0;
}
static inline int member_kind(V v, int tag) {
    const Val *e = VAL(v);
    if (is_model(e)) return 0;
    if (e->tag == tag) return 1;
    rt_fail(7);
    return 0;
}
static inline int is_seq(V v) { return VAL(v)->tag == T_SEQ; }
/* A function's values, in key order (a sequence's elements). */
static inline const V *fn_values(V f) {
    const Val *e = VAL(f);
    return e->tag == T_FN ? e->u.d + e->len : e->u.d;
}
/* The k-th key of function (or sequence) f. */
static V fn_key(V f, uint32_t k) {
    return VAL(f)->tag == T_SEQ ? mk_int((int64_t)k + 1) : VAL(f)->u.d[k];
}
/* f @@ g: f's pairs, then g's whose key is not in f's domain (keys of kinds TLC does not
 * compare: the interpreter's to judge). */
static V fn_merge(V f, V g) {
    if (!is_fn(f) || !is_fn(g)) rt_fail(6);
    Buf *o = buf_open();
    uint32_t nf = vlen(f), ng = vlen(g);
    for (uint32_t k = 0; k < nf; k++) { V key = fn_key(f, k); buf_push(o, key); buf_push(o, fn_values(f)[k]); }
    for (uint32_t k = 0; k < ng; k++) {
        V key = fn_key(g, k);
        int found = 0;
        for (uint32_t j = 0; j < nf && !found; j++) {
            V other = o->d[2 * j];
            if (other == key) found = 1;
            else if (!rt_comparable(other, key)) rt_fail(7);
        }
        if (!found) { buf_push(o, key); buf_push(o, fn_values(g)[k]); }
    }
    return fn_from_pairs(o);
}
/* Range(f): the set of f's values. */
static V range_of(V f) {
    if (!is_fn(f)) rt_fail(6);
    Buf *o = buf_open();
    for (uint32_t k = 0; k < vlen(f); k++) buf_push(o, fn_values(f)[k]);
    return buf_set(o);
}

/* ------------------------------------------------------------------ symmetry */
/* Under SYMMETRY a state's fingerprint is the least over the images of its values under
 * every renaming of the model values (the identity included): states of one orbit get one
 * fingerprint. An image is never built: its hash is the structural hash the image would have
 * under a hash in which the order of a set's elements and of a function's pairs does not
 * count (a commutative sum of their mixed hashes). A renaming moves elements around in the
 * canonical order, so with the runtime's own (ordered) hash every image would have to be
 * rebuilt, sorted and interned, under each renaming, for every successor: that cost ~10x the
 * rest of the search on models with a set of messages (FastPaxos: 29 renamings). Any hash
 * that is a function of the value alone gives the same orbits, hence the same counts, states
 * and traces; this one is used for the identity image too, so that the images compare.
 *
 * A value's image hashes under all the renamings (image_n of them, the identity first) are
 * computed together, once, and kept in a block of their own (image_at: per value id, 1 + its
 * block's number; 0: not computed yet): a state then costs one look-up per variable, not one
 * per variable and renaming, and most values (whole variables, their parts) recur from state
 * to state. Renaming w is table image_tables[w]: image_sizes[w] quadruples (an atom's rank,
 * its image's rank and class, the image's id once interned, 0 before). */
static int image_n;
static int64_t *const *image_tables;
static const int *image_sizes;
static uint32_t *image_at;
static uint32_t image_cap;
static uint64_t *image_blocks;
static size_t image_used, image_room; /* blocks */

static const uint64_t *image_block(V v) {
    if (v < image_cap && image_at[v]) return image_blocks + (size_t)(image_at[v] - 1) * image_n;
    int n = image_n;
    uint64_t acc[n];
    uint8_t tag = VAL(v)->tag;
    if (tag == T_BOOL || tag == T_INT) {
        for (int w = 0; w < n; w++) acc[w] = VAL(v)->hash;
    } else if (tag == T_ATOM) {
        int64_t rank = VAL(v)->u.i;
        for (int w = 0; w < n; w++) {
            int64_t *t = image_tables[w];
            acc[w] = VAL(v)->hash;
            for (int k = 0; k < image_sizes[w]; k++) {
                if (t[4 * k] != rank) continue;
                if (!t[4 * k + 3]) t[4 * k + 3] = mk_atom(t[4 * k + 1], (int)t[4 * k + 2]);
                acc[w] = VAL((V)t[4 * k + 3])->hash;
                break;
            }
        }
    } else {
        uint32_t len = VAL(v)->len;
        const V *d = VAL(v)->u.d; /* (payloads stay put when the value table grows) */
        for (int w = 0; w < n; w++) acc[w] = 0;
        /* (a child's block is read before the next call, which may move the blocks) */
        if (tag == T_SEQ) {
            for (uint32_t k = 0; k < len; k++) {
                const uint64_t *c = image_block(d[k]);
                for (int w = 0; w < n; w++) acc[w] = (acc[w] ^ c[w]) * 0x9fb21c651e98df25ULL + k;
            }
        } else if (tag == T_SET) {
            for (uint32_t k = 0; k < len; k++) {
                const uint64_t *c = image_block(d[k]);
                for (int w = 0; w < n; w++) acc[w] += mix64(c[w] ^ 0x5851f42d4c957f2dULL);
            }
        } else {
            uint64_t key[n];
            for (uint32_t k = 0; k < len; k++) {
                const uint64_t *c = image_block(d[k]);
                for (int w = 0; w < n; w++) key[w] = c[w] * 0x9e3779b97f4a7c15ULL;
                c = image_block(d[len + k]);
                for (int w = 0; w < n; w++) acc[w] += mix64(key[w] ^ c[w]);
            }
        }
        uint64_t seed = mix64(0x9e3779b97f4a7c15ULL * (tag + 1) + len);
        for (int w = 0; w < n; w++) acc[w] = mix64(acc[w] ^ seed);
    }
    if (v >= image_cap) {
        uint32_t cap = image_cap ? image_cap : 1024;
        while (cap <= v) cap *= 2;
        image_at = realloc(image_at, (size_t)cap * sizeof(uint32_t));
        if (!image_at) rt_fail(100);
        memset(image_at + image_cap, 0, (size_t)(cap - image_cap) * sizeof(uint32_t));
        image_cap = cap;
    }
    if (image_used == image_room) {
        image_room = image_room ? 2 * image_room : 4096;
        image_blocks = realloc(image_blocks, image_room * n * sizeof(uint64_t));
        if (!image_blocks) rt_fail(100);
    }
    uint64_t *out = image_blocks + image_used * n;
    memcpy(out, acc, n * sizeof(uint64_t));
    image_at[v] = (uint32_t)++image_used;
    return out;
}

/* The least fingerprint of the images of state s (values_fp's shape), or, with a VIEW, of
 * the images of its view's value `key`. */
static uint64_t least_image_fp(const V *s, const V *key, int n, int64_t *const *tables, const int *sizes) {
    image_n = n; image_tables = tables; image_sizes = sizes;
    uint64_t acc[n], least = UINT64_MAX;
    if (key) {
        const uint64_t *c = image_block(*key);
        for (int w = 0; w < n; w++) acc[w] = mix64(c[w] ^ 0x51ed270b27a3f1c5ULL);
    } else {
        for (int w = 0; w < n; w++) acc[w] = 0x243f6a8885a308d3ULL;
        for (int k = 0; k < NV; k++) {
            const uint64_t *c = image_block(s[k]);
            for (int w = 0; w < n; w++) acc[w] = mix64(acc[w] ^ c[w]) + (uint64_t)k;
        }
    }
    for (int w = 0; w < n; w++) if (acc[w] < least) least = acc[w];
    return least ? least : 1;
}

/* ------------------------------------------------------------------ printing */
/* Print and PrintT: the values go to the printer the Python side installed (which writes them
 * as the interpreter does, at the moment the spec evaluates them: Print's two, PrintT's one
 * with `then` 0); none installed, nothing. */
static void (*rt_printer)(V, V);
void refute_set_printer(void (*printer)(V, V)) { rt_printer = printer; }
static inline void rt_print(V out, V then) { if (rt_printer) rt_printer(out, then); }

/* ------------------------------------------------------------------ the search */
/* Successors of the state being expanded: NV ids each, with their action name's index. */
static V *succ;
static uint32_t *succ_label, *succ_inst;
static uint64_t *succ_fp;
static uint32_t nsucc, capsucc;
static uint32_t cur_inst; /* the action instance (model.actions' index) being expanded */

/* ------------------------------------------------------------------ action composition */
/* A \cdot B (the generated code's compose): A's extensions, each continued by the rest of
 * the action, are intermediate states, pushed here (NV ids each) while A is enumerated, then
 * B steps from each. One stack for the whole expansion: a composition nested in A, B or the
 * rest pushes above the states of the one enclosing it, and drops its own when it is done
 * (inter_drop; a jump out of an ENABLED or a condition restores the top it saved). inter_top
 * is a count of states; the buffer may move when it grows, so B reads a copy of its state.
 *
 * TLC counts the intermediate states as generated when it computes them (before B's
 * successors from them): the outermost composition adds their number to inter_total, and
 * each successor records (succ_inter) how many were generated before it, so that a search
 * stopped at a successor counts only those (uncount). COMPOSES (the generated code's) is 0
 * where no composition is counted: nothing is recorded then. */
#ifndef COMPOSES
#define COMPOSES 0
#endif
static V *inter_buf;
static size_t inter_top, inter_cap;
static uint64_t inter_total;
static uint64_t *succ_inter;
static void inter_push(const V *t) {
    if (inter_top == inter_cap) {
        inter_cap = inter_cap ? 2 * inter_cap : 64;
        inter_buf = realloc(inter_buf, inter_cap * NV * sizeof(V));
        if (!inter_buf) rt_fail(100);
    }
    memcpy(inter_buf + inter_top++ * NV, t, NV * sizeof(V));
}
/* A composition done with its states [base, end): those pushed above them since (by the
 * composition enclosing it, from its B) move down in their place. */
static void inter_drop(size_t base, size_t end) {
    memmove(inter_buf + base * NV, inter_buf + end * NV, (inter_top - end) * NV * sizeof(V));
    inter_top -= end - base;
}
static inline void rt_intermediate(size_t n) { inter_total += n; }
/* The intermediate states generated before successor o (o = nsucc: by the whole expansion). */
static inline uint64_t inter_before(uint32_t o) {
    return !COMPOSES ? 0 : o < nsucc ? succ_inter[o] : inter_total;
}

static uint64_t values_fp(const V *s) {
    uint64_t h = 0x243f6a8885a308d3ULL;
    for (int k = 0; k < NV; k++) h = mix64(h ^ vals[s[k]].hash) + (uint64_t)k;
    return h ? h : 1;
}
static uint64_t model_fingerprint(const V *s); /* the generated model's: of its VIEW, under its SYMMETRY */

/* ------------------------------------------------------------------ memory limit */
/* --memory-limit on the native search: the resident memory of the process (what
 * refute.limits means by it). The search asks memory_allows before it grows a table of its
 * own (the seen set, the links, a level, the graph's steps) by what the growth adds, and
 * reads the resident size every few hundred expansions (the value table grows inside an
 * expansion); past the limit it stops between two expansions, with ST_MEMORY and the counts
 * of what it did. mem_used and mem_wanted say, for the report, where it stood. */
static uint64_t mem_limit, mem_used, mem_wanted;

static uint64_t rss_now(void) {
    char text[160];
    int fd = open("/proc/self/statm", O_RDONLY);
    if (fd >= 0) {
        ssize_t n = read(fd, text, sizeof text - 1);
        close(fd);
        const char *p = text, *end = text + (n > 0 ? n : 0);
        while (p < end && *p != ' ') p++; /* the first field is the size; the second, resident */
        uint64_t pages = 0;
        int digits = 0;
        for (p++; p < end && *p >= '0' && *p <= '9'; p++, digits++) pages = 10 * pages + (uint64_t)(*p - '0');
        if (digits) return pages * (uint64_t)sysconf(_SC_PAGESIZE);
    }
    struct rusage usage; /* no /proc: the peak, an upper bound */
    getrusage(RUSAGE_SELF, &usage);
    return (uint64_t)usage.ru_maxrss * 1024;
}

static int memory_allows(uint64_t more) {
    if (!mem_limit) return 1;
    uint64_t used = rss_now();
    if (used + more <= mem_limit) return 1;
    mem_used = used;
    mem_wanted = more;
    return 0;
}
void refute_set_memory_limit(uint64_t bytes) { mem_limit = bytes; }

/* ------------------------------------------------------------------ the seen set */
/* The fingerprints of the states found, as one sorted array: ordered linear probing (Amble and
 * Knuth, 1974) without wrap-around. A fingerprint is stored as its key mix64(fp) (a bijection:
 * equal keys are equal fingerprints, and 0, "empty", is the key of no fingerprint); a key's
 * home slot is key * seen_size / 2^64, which grows with the key, and a key sits at its home
 * or just after the key before it: the array is sorted, a lookup scans from the home slot to
 * the first key not below it, an insertion shifts the rest of its cluster one slot right.
 * That layout is what makes the set small and cheap to grow: it is run at a load of up to 0.9
 * (a lookup still reads ~5 consecutive slots, in the cache line the search prefetched when the
 * state was emitted), and it grows by only 1.2x, rehashed in one sequential pass since the
 * keys come out of the old array in order: 8.9-10.7 bytes per state. SEEN_SLACK slots past
 * the last home slot take the keys pushed past it; the very last slot stays empty (it ends
 * every scan), and a cluster that would reach it grows the set early.
 *
 * When the state graph is recorded (graph_mode), seen_index holds each key's state number
 * in the slot beside it (moved with it).
 *
 * The functions below are the whole interface (the one-worker search, and checkpoints, use
 * only them): seen_reset, seen_prefetch, seen_find, seen_add, seen_room, seen_bytes, and
 * seen_next for checkpoints. */
#define SEEN_LOAD 0.9
#define SEEN_GROWTH 1.2
#define SEEN_SLACK 4096
static uint64_t *seen;
static uint32_t *seen_index;
static uint64_t seen_size, seen_slots, seen_count, seen_limit;
static int graph_mode;

static inline uint64_t seen_home(uint64_t key, uint64_t size) {
    return (uint64_t)(((unsigned __int128)key * size) >> 64);
}

static void seen_reset(int graph) {
    free(seen); free(seen_index);
    seen = 0; seen_index = 0;
    seen_size = seen_slots = seen_count = seen_limit = 0;
    graph_mode = graph;
}

/* The bytes the set holds (its slots, and their state numbers when the graph is recorded). */
static uint64_t seen_bytes_for(uint64_t size) {
    return (size + SEEN_SLACK + 8) * (sizeof(uint64_t) + (graph_mode ? sizeof(uint32_t) : 0));
}
static uint64_t seen_bytes(void) { return seen_slots ? seen_bytes_for(seen_size) : 0; }

static int memory_allows(uint64_t more); /* whether growing by `more` bytes stays within the limit */

/* Rebuild the set with `size` home slots (or more); 0 if `checked` and the memory limit does
 * not allow it. */
static int seen_resize(uint64_t size, int checked) {
    for (;;) {
        if (checked && !memory_allows(seen_bytes_for(size))) return 0;
        uint64_t slots = size + SEEN_SLACK;
        uint64_t *t = calloc(slots + 8, sizeof(uint64_t)); /* + 8 empty: seen_scan's windows */
        uint32_t *ti = graph_mode ? malloc(slots * sizeof(uint32_t)) : 0;
        if (!t || (graph_mode && !ti)) rt_fail(100);
        huge_pages(t, slots * sizeof(uint64_t));
        uint64_t at = 0; /* the first free slot: the keys come in order */
        int fits = 1;
        for (uint64_t k = 0; k < seen_slots && fits; k++) {
            uint64_t key = seen[k];
            if (!key) continue;
            uint64_t h = seen_home(key, size);
            if (h > at) at = h;
            if (at >= slots - 1) { fits = 0; break; }
            t[at] = key;
            if (ti) ti[at] = seen_index[k];
            at++;
        }
        if (!fits) { /* a cluster ran into the last slot: more room */
            free(t); free(ti);
            size = (uint64_t)(size * SEEN_GROWTH) + 1;
            continue;
        }
        free(seen); free(seen_index);
        seen = t; seen_index = ti;
        seen_size = size; seen_slots = slots;
        seen_limit = (uint64_t)(size * SEEN_LOAD);
        return 1;
    }
}

/* Room for n more fingerprints without growing during an expansion: 0 if growing would pass
 * the memory limit. */
static uint64_t seen_size_for(uint64_t n) {
    uint64_t size = seen_size ? seen_size : (1u << 16);
    while ((uint64_t)(size * SEEN_LOAD) < n) size = (uint64_t)(size * SEEN_GROWTH) + 1;
    return size;
}
static int seen_room(uint64_t n) {
    if (seen_slots && seen_count + n <= seen_limit) return 1;
    return seen_resize(seen_size_for(seen_count + n), 1);
}

/* Where the scan for fingerprint fp starts (and the slots after it, which a scan at a high
 * load often reads): fetched into the cache when a successor is emitted, so that it is there
 * when the search looks the successor up. (Inlined always: GCC
 * finds a function that only prefetches free of effects and drops its calls.) */
static inline __attribute__((always_inline)) void seen_prefetch(uint64_t fp) {
    if (seen) {
        const uint64_t *at = seen + seen_home(mix64(fp), seen_size);
        __builtin_prefetch(at);
        __builtin_prefetch(at + 7); /* the scan's next cache line, if it goes on into one */
    }
}

/* The slot of key, or of the first key above it (or empty) where it would go. The keys below
 * key from its home slot on are all before the first empty slot (a key below it has its home
 * at or before key's, and no empty slot between its home and itself), so their number in a
 * window of 8 slots is the distance to that slot: counted without a branch (an empty slot, 0,
 * wraps to the largest in seen[] - 1). The array has 8 empty slots past its end. */
static inline uint64_t seen_scan(uint64_t key) {
    uint64_t j = seen_home(key, seen_size);
    for (;;) {
        unsigned below = 0;
        for (int k = 0; k < 8; k++) below += seen[j + k] - 1 < key - 1;
        if (below < 8) return j + below;
        j += 8;
    }
}

/* Whether fp is in the set; its state number in *known (graph_mode). */
static int seen_find(uint64_t fp, uint32_t *known) {
    if (!seen) return 0;
    uint64_t key = mix64(fp), j = seen_scan(key);
    if (seen[j] != key) return 0;
    if (known && seen_index) *known = seen_index[j];
    return 1;
}

/* Add fp (state number `index`): 1 if new; else 0, and its state number in *known
 * (graph_mode). It grows the set as needed; seen_room before it is what keeps the growth
 * within the memory limit. */
static int seen_add(uint64_t fp, uint32_t index, uint32_t *known) {
    uint64_t key = mix64(fp);
    if (!seen_slots || seen_count >= seen_limit) seen_resize(seen_size_for(seen_count + 1), 0);
    for (;;) {
        uint64_t j = seen_scan(key);
        if (seen[j] == key) {
            if (known && seen_index) *known = seen_index[j];
            return 0;
        }
        uint64_t e = j;
        for (;;) { /* the first empty slot from j, 8 slots at a time */
            unsigned empty = 0;
            for (int k = 0; k < 8; k++) empty |= (unsigned)(seen[e + k] == 0) << k;
            if (empty) { e += (uint64_t)__builtin_ctz(empty); break; }
            e += 8;
        }
        if (e + 1 < seen_slots) {
            memmove(seen + j + 1, seen + j, (e - j) * sizeof(uint64_t));
            seen[j] = key;
            if (seen_index) {
                memmove(seen_index + j + 1, seen_index + j, (e - j) * sizeof(uint32_t));
                seen_index[j] = index;
            }
            seen_count++;
            return 1;
        }
        /* the cluster reached the last slot (rare): more room */
        seen_resize((uint64_t)(seen_size * SEEN_GROWTH) + 1, 0);
    }
}

/* The inverse of mix64 (each of its steps undone, last first): a key's fingerprint. */
static inline uint64_t unmix64(uint64_t x) {
    x ^= x >> 33; x *= 0x9cb4b2f8129337dbULL; /* the inverse of 0xc4ceb9fe1a85ec53 mod 2^64 */
    x ^= x >> 33; x *= 0x4f74430c22a54005ULL; /* of 0xff51afd7ed558ccd */
    x ^= x >> 33;
    return x;
}

/* The set's fingerprints one by one (whole, as seen_add takes them), from *at (0 to begin),
 * in the order of their keys; 0 after the last. With seen_add, how a checkpoint writes and
 * reads the set without knowing its layout (read back in this order, each is added at the end
 * of its cluster: no slot is shifted). */
static uint64_t seen_next(uint64_t *at) {
    while (seen && *at < seen_slots) {
        uint64_t key = seen[(*at)++];
        if (key) return unmix64(key);
    }
    return 0;
}

/* ------------------------------------------------------------------ parent links */
/* Each state's parent (its number; ROOT for an initial state) and ordinal (its position among
 * its parent's successors, or among the initial states): what rebuilds a counterexample and
 * tells the state graph. 5 bytes a state: the parent in 4, the ordinal in 1; an ordinal of 255
 * or more (a parent with that many successors) is 255 there, kept whole in a list of
 * exceptions looked up by state number. The interface: links_reset, links_room, links_set,
 * links_parent, links_ordinal, links_bytes (refute_ordinals makes the whole array when asked). */
static uint32_t *parents;
static uint8_t *ordinal8;
typedef struct { uint32_t index, ordinal; } WideOrdinal;
static WideOrdinal *wide;
static uint64_t nwide, capwide;
static int wide_sorted;
static uint32_t *ordinals_out;
static uint32_t capstates, nlinks;
/* Verification: every distinct state (NV ids) and its number of successors, beside the links. */
static int keep_states;
static V *kept;
static uint32_t *succ_counts;

static void links_reset(void) {
    free(parents); free(ordinal8); free(wide); free(ordinals_out);
    free(kept); free(succ_counts);
    parents = 0; ordinal8 = 0; wide = 0; ordinals_out = 0; kept = 0; succ_counts = 0;
    nwide = capwide = 0;
    wide_sorted = 1;
    capstates = nlinks = 0;
}

static uint64_t links_bytes(void) {
    return (uint64_t)nlinks * (sizeof(uint32_t) + sizeof(uint8_t)) + nwide * sizeof(WideOrdinal);
}

/* Room for the links (and kept states) of states up to number n - 1: 0 if growing would pass
 * the memory limit (checked only if `checked`). */
static int links_room(uint64_t n, int checked) {
    if (n <= capstates) return 1;
    if (n > UINT32_MAX) rt_fail(104);
    uint64_t cap = capstates ? capstates + capstates / 2 : (1u << 16);
    if (cap < n) cap = n;
    if (cap > UINT32_MAX) cap = UINT32_MAX;
    uint64_t per = sizeof(uint32_t) + sizeof(uint8_t) + (keep_states ? NV * sizeof(V) + sizeof(uint32_t) : 0);
    if (checked && !memory_allows((cap - capstates) * per)) return 0;
    parents = realloc(parents, cap * sizeof(uint32_t));
    ordinal8 = realloc(ordinal8, cap);
    if (!parents || !ordinal8) rt_fail(100);
    if (keep_states) {
        kept = realloc(kept, cap * NV * sizeof(V));
        succ_counts = realloc(succ_counts, cap * sizeof(uint32_t));
        if (!kept || !succ_counts) rt_fail(100);
    }
    capstates = (uint32_t)cap;
    return 1;
}

static void links_set(uint32_t index, uint32_t parent, uint32_t ordinal) {
    if (index >= capstates) links_room((uint64_t)index + 1, 0);
    if (index >= nlinks) nlinks = index + 1;
    parents[index] = parent;
    ordinal8[index] = ordinal < 255 ? (uint8_t)ordinal : 255;
    if (ordinal < 255) return;
    if (nwide == capwide) {
        capwide = capwide ? 2 * capwide : 256;
        wide = realloc(wide, capwide * sizeof(WideOrdinal));
        if (!wide) rt_fail(100);
    }
    if (nwide && wide[nwide - 1].index > index) wide_sorted = 0; /* the workers' order */
    wide[nwide].index = index;
    wide[nwide++].ordinal = ordinal;
}

static int cmp_wide(const void *a, const void *b) {
    uint32_t x = ((const WideOrdinal *)a)->index, y = ((const WideOrdinal *)b)->index;
    return x < y ? -1 : x > y;
}
static inline uint32_t links_parent(uint32_t index) { return parents[index]; }
static uint32_t links_ordinal(uint32_t index) {
    if (ordinal8[index] < 255) return ordinal8[index];
    if (!wide_sorted) { qsort(wide, nwide, sizeof(WideOrdinal), cmp_wide); wide_sorted = 1; }
    uint64_t lo = 0, hi = nwide;
    while (lo < hi) {
        uint64_t mid = (lo + hi) / 2;
        if (wide[mid].index < index) lo = mid + 1; else hi = mid;
    }
    return wide[lo].ordinal;
}


/* Where a successor's fingerprint is known when it is emitted: a plain model's (no VIEW or
 * SYMMETRY to evaluate, no constraint that may prune the successor first) is its values'
 * hash, which cannot fail. It is computed then and the seen set's slot for it is prefetched:
 * by the time the search probes the set for it, after the rest of the state's actions, the
 * cache line is there (the probes of a table of tens of MiB are otherwise cache misses,
 * most of the time of a model with small states). */
#define FP_AT_EMIT (!NCON && !NACON && !MERGES)

static void rt_emit(const V *P, uint32_t label) {
    if (nsucc == capsucc) {
        capsucc = capsucc ? 2 * capsucc : 256;
        succ = realloc(succ, (size_t)capsucc * NV * sizeof(V));
        succ_label = realloc(succ_label, (size_t)capsucc * sizeof(uint32_t));
        succ_inst = realloc(succ_inst, (size_t)capsucc * sizeof(uint32_t));
        succ_fp = realloc(succ_fp, (size_t)capsucc * sizeof(uint64_t));
        if (COMPOSES) succ_inter = realloc(succ_inter, (size_t)capsucc * sizeof(uint64_t));
        if (!succ || !succ_label || !succ_inst || !succ_fp || (COMPOSES && !succ_inter)) rt_fail(100);
    }
    if (COMPOSES) succ_inter[nsucc] = inter_total;
    memcpy(succ + (size_t)nsucc * NV, P, NV * sizeof(V));
    if (FP_AT_EMIT) {
        uint64_t fp = values_fp(P);
        succ_fp[nsucc] = fp;
        seen_prefetch(fp);
    }
    succ_inst[nsucc] = cur_inst;
    succ_label[nsucc++] = label;
}

/* A state's fingerprint: a successor's as computed when it was emitted, if it was. */
static inline uint64_t state_fp(const V *s) {
    if (FP_AT_EMIT) {
        uintptr_t at = (uintptr_t)s, base = (uintptr_t)succ;
        if (at >= base && at < base + (uintptr_t)nsucc * NV * sizeof(V))
            return succ_fp[(at - base) / (NV * sizeof(V))];
    }
    return model_fingerprint(s);
}

/* The state graph (graph_mode): every step kept (within the constraints), in the search's
 * order, as the liveness check's GraphBuilder is told them: source, target, position among
 * the source's successors, action instance; and, when a VIEW or SYMMETRY merges states
 * (MERGES), the successor's own values (the target is only the state kept for its class). */
static uint32_t *e_src, *e_dst, *e_pos, *e_inst;
static V *e_vals;
static uint64_t nedges, capedges;
/* Room for n more steps: 0 if growing would pass the memory limit (checked if `checked`). */
static int edges_room(uint64_t n, int checked) {
    if (nedges + n <= capedges) return 1;
    uint64_t cap = capedges ? 2 * capedges : (1u << 16);
    while (cap < nedges + n) cap *= 2;
    if (checked && !memory_allows((cap - capedges) * (4 * sizeof(uint32_t) + (MERGES ? NV * sizeof(V) : 0))))
        return 0;
    capedges = cap;
    e_src = realloc(e_src, capedges * sizeof(uint32_t));
    e_dst = realloc(e_dst, capedges * sizeof(uint32_t));
    e_pos = realloc(e_pos, capedges * sizeof(uint32_t));
    e_inst = realloc(e_inst, capedges * sizeof(uint32_t));
    if (MERGES) e_vals = realloc(e_vals, capedges * NV * sizeof(V));
    if (!e_src || !e_dst || !e_pos || !e_inst || (MERGES && !e_vals)) rt_fail(100);
    return 1;
}
static void record_edge(uint32_t source, uint32_t target, uint32_t ordinal, const V *s) {
    if (nedges == capedges) edges_room(1, 0);
    if (MERGES) memcpy(e_vals + nedges * NV, s, NV * sizeof(V));
    e_src[nedges] = source; e_dst[nedges] = target; e_pos[nedges] = ordinal;
    e_inst[nedges++] = succ_inst[ordinal];
}

typedef struct {
    int status;
    int which;          /* the invariant violated */
    uint32_t index;     /* the state it concerns (violation, deadlock) */
    uint32_t distinct;
    uint64_t generated;
    uint32_t depth;
    int error_code;
    uint64_t constrained; /* successors (and initial states) the state constraints pruned */
} RunResult;

static RunResult R;
static uint64_t fired[NLABEL > 0 ? NLABEL : 1], found[NLABEL > 0 ? NLABEL : 1];

static void record_state(uint32_t parent, uint32_t ordinal, const V *s) {
    uint32_t index = R.distinct++;
    links_set(index, parent, ordinal);
    if (keep_states) {
        memcpy(kept + (size_t)index * NV, s, NV * sizeof(V));
        succ_counts[index] = 0;
    }
}

/* A level of the search: states (NV ids each) and their numbers. */
typedef struct { V *s; uint32_t *index; uint32_t n, cap; } Level;
/* Room for n more states in level l: 0 if growing would pass the memory limit (checked if
 * `checked`). */
static int level_room(Level *l, uint64_t n, int checked) {
    if (l->n + n <= l->cap) return 1;
    uint64_t cap = l->cap ? 2 * (uint64_t)l->cap : 1024;
    while (cap < l->n + n) cap *= 2;
    if (checked && !memory_allows((cap - l->cap) * (NV * sizeof(V) + sizeof(uint32_t)))) return 0;
    l->cap = (uint32_t)cap;
    l->s = realloc(l->s, (size_t)l->cap * NV * sizeof(V));
    l->index = realloc(l->index, (size_t)l->cap * sizeof(uint32_t));
    if (!l->s || !l->index) rt_fail(100);
    return 1;
}
static void level_push(Level *l, const V *s, uint32_t index) {
    if (l->n == l->cap) level_room(l, 1, 0);
    memcpy(l->s + (size_t)l->n * NV, s, NV * sizeof(V));
    l->index[l->n++] = index;
}

static void model_setup(void);
static void model_init(void);
static void model_next(const V *S);
static int model_invariant(int k, const V *S);
static int model_constraint(const V *S);
static int model_action_constraint(const V *S, const V *P);
static int model_step_check(int k, const V *S, const V *P);
static int model_initial_check(int k, const V *S);
#ifdef MODEL_TERMINAL  /* states that may end a behaviour (a Python spec's @terminal) */
static int model_terminal(const V *S);
#else
#define model_terminal(S) 0
#endif
/* the invariants, then a PROPERTY's [][A]_v (NINV..) and initial predicates (NINV + NSTEP..) */
static int invariant_selected[NINV + NSTEP + NICHK > 0 ? NINV + NSTEP + NICHK : 1];

#define ROOT 0xffffffffu

/* The value table and the model's constants, made once per process and kept by every later
 * run in it (refute_run, the workers' run, a constant module's ASSUMEs). */
static void values_ready(void) {
    if (nvals) return;
    capvals = 1u << 16;
    vals = rt_alloc((size_t)capvals * sizeof(Val));
    nvals = 1; /* id 0: no value */
    V_FALSE = intern(T_BOOL, 0, 0, 0, 0);
    V_TRUE = intern(T_BOOL, 0, 1, 0, 0);
    model_setup();
}

static int check_invariants(const V *s) {
    for (int k = 0; k < NINV; k++) {
        if (invariant_selected[k] && !model_invariant(k, s)) { R.which = k; return 0; }
    }
    return 1;
}

/* A PROPERTY's [][A]_v and initial predicate, judged as the interpreter judges them
 * (refute.tla.model.TLAModel: init_states and next_states test them on every state they
 * give, before the search looks at any): succ_mark[o] is the first selected check successor
 * o (its step from the state expanded, or as an initial state) fails, -1 if none. The search
 * then treats the successor as TLC's Worker does (refute.engine.bfs): stored if new and
 * within the constraints, its invariants checked if not seen before, then the step's check,
 * a violation whether the state is new or not. */
static int *succ_mark;
static uint32_t capmark;
static int mark_successors(const V *ps) {
    if (!NSTEP && !NICHK) return 0;
    if (nsucc > capmark) {
        capmark = capsucc;
        succ_mark = realloc(succ_mark, (size_t)capmark * sizeof(int));
        if (!succ_mark) rt_fail(100);
    }
    int any = 0;
    for (uint32_t o = 0; o < nsucc; o++) {
        const V *s = succ + (size_t)o * NV;
        succ_mark[o] = -1;
        /* a step's checks are a function of its two states: a successor equal to an earlier
         * one (another action, or other arguments, reaching the same state) is judged alike */
        uint32_t same = 0;
        while (same < o && memcmp(succ + (size_t)same * NV, s, NV * sizeof(V))) same++;
        if (same < o) { succ_mark[o] = succ_mark[same]; any |= succ_mark[o] >= 0; continue; }
        if (ps) {
            for (int k = 0; k < NSTEP; k++)
                if (invariant_selected[NINV + k] && !model_step_check(k, ps, s)) { succ_mark[o] = NINV + k; break; }
        } else {
            for (int k = 0; k < NICHK; k++)
                if (invariant_selected[NINV + NSTEP + k] && !model_initial_check(k, s)) {
                    succ_mark[o] = NINV + NSTEP + k;
                    break;
                }
        }
        any |= succ_mark[o] >= 0;
    }
    return any;
}

/* Whether successor s, marked `mark` (mark_successors), violates an invariant (checked
 * first, as TLC does) or its step's check; R.which says which. */
static int violates(const V *s, int mark) {
    if (!check_invariants(s)) return 1;
    if (mark >= 0) { R.which = mark; return 1; }
    return 0;
}

/* A violation at successor o of `parent` (ROOT: initial state o) that is not stored (seen
 * before, or outside the constraints, where TLC checks it too): its link is kept one past the
 * states found (R.index == R.distinct says so), to rebuild the trace, and the depth is the
 * deepest state found so far (TLC's), one more than the level expanded if `deeper`. */
static int unstored_violation(uint32_t parent, uint32_t o, int deeper) {
    links_set(R.distinct, parent, o);
    R.index = R.distinct;
    if (deeper) R.depth++;
    return R.status = ST_INVARIANT;
}

/* The search stops at successor o of nsucc: those after it, and the intermediate states
 * generated after it, are not generated (TLC checks each successor as it generates it), as
 * refute.engine.bfs._uncount takes them back. */
static void uncount(uint32_t o, uint32_t nsucc) {
    R.generated -= nsucc - o - 1 + inter_before(nsucc) - inter_before(o);
    for (uint32_t k = o + 1; k < nsucc; k++) fired[succ_label[k]]--;
}

/* Room, within the memory limit, for n more states found (in the seen set, the links and
 * `level`) and n more steps recorded: asked before an expansion's successors are counted, so
 * that a search the limit stops has done whole expansions only (the counts are exact). */
static int search_room(Level *level, uint64_t n) {
    return seen_room(n) && links_room((uint64_t)R.distinct + n, 1) && level_room(level, n, 1)
        && (!graph_mode || edges_room(n, 1));
}

/* The search's frontier: the level being expanded and the next one. Kept between calls (not
 * local to refute_run) so that a checkpoint can be written from them (checkpoint.c) and a
 * resumed run can start from them; freed by the next run, whichever way this one ends. */
static Level bfs_cur, bfs_next;

/* Checkpoints (checkpoint.c): the instant of the search a checkpoint describes, set just
 * before one is written or the search stops where it can be resumed: the first position of
 * bfs_cur not wholly expanded, and how many of its successors were already handled (a
 * --max-states stop happens in the middle of a state's successors). */
static uint32_t ckpt_pos, ckpt_skip, ckpt_depth; /* (and bfs_cur's depth) */
static int ckpt_past_depth; /* a state of the last level was past --max-depth (ST_MAX_DEPTH) */
static double ckpt_interval = -1;  /* seconds between checkpoints; < 0: no checkpoint */
static int (*ckpt_writer)(int);    /* the Python side's writer, told why (a CK_* code) */
static const char *ckpt_resume_path; /* a checkpoint to start the next run from */
static int64_t ckpt_resume_offset;
static volatile sig_atomic_t ckpt_interrupted;
enum { CK_PERIODIC = 0 };
static int ckpt_load(const char *path, int64_t offset);
static void ckpt_signals(int on);

/* Explore breadth-first, exactly as refute.engine.bfs.explore does (same counts, same
 * discovery order, same depth bookkeeping). Returns the status (ST_*). A run given a
 * checkpoint (refute_resume_from) starts where it was taken instead of at the initial
 * states, and goes on exactly as the checkpointed run would have. */
static int search(int deadlock, int64_t max_states, int64_t max_depth, double time_limit,
                  int keep, int graph) {
    uint64_t expansions = 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    double ckpt_next = ckpt_interval;
    const char *resume = ckpt_resume_path;
    ckpt_resume_path = 0;
    keep_states = keep;
    memset(&R, 0, sizeof R);
    /* a second run in the same process starts afresh, keeping only the interned values */
    seen_reset(graph);
    links_reset();
    nedges = 0;
    free(bfs_cur.s); free(bfs_cur.index); free(bfs_next.s); free(bfs_next.index);
    memset(&bfs_cur, 0, sizeof bfs_cur);
    memset(&bfs_next, 0, sizeof bfs_next);
    mem_used = mem_wanted = 0;
    memset(fired, 0, sizeof fired);
    memset(found, 0, sizeof found);
    ckpt_past_depth = 0;
    if (setjmp(rt_jump)) {
        R.status = ST_ERROR;
        R.error_code = rt_error_code;
        nbufs = 0;
        return R.status;
    }
    values_ready();
    uint32_t start = 0, skip = 0;
    if (resume) {
        int bad = ckpt_load(resume, ckpt_resume_offset);
        free((void *)resume);
        if (bad) return R.status = bad > 1 ? ST_MEMORY : ST_BAD_CHECKPOINT;
        start = ckpt_pos;
        skip = ckpt_skip;
    } else {
        nsucc = 0;
        model_init();
        if (mem_limit && !search_room(&bfs_cur, nsucc)) { R.status = ST_MEMORY; return R.status; }
        int marked = mark_successors(0);
        for (uint32_t o = 0; o < nsucc; o++) {
            const V *s = succ + (size_t)o * NV;
            R.generated++;
            int mark = marked ? succ_mark[o] : -1;
            if (NCON && !model_constraint(s)) {
                R.constrained++;
                if (violates(s, mark)) return unstored_violation(ROOT, o, 0);
                continue;
            }
            if (!seen_add(state_fp(s), R.distinct, 0)) continue;
            uint32_t index = R.distinct;
            record_state(ROOT, o, s);
            R.depth = 1;
            if (violates(s, mark)) { R.status = ST_INVARIANT; R.index = index; return R.status; }
            level_push(&bfs_cur, s, index);
        }
    }
    while (bfs_cur.n) {
        int last_level = max_depth >= 0 && (int64_t)R.depth >= max_depth;
        for (uint32_t pos = start; pos < bfs_cur.n; pos++) {
            const V *ps = bfs_cur.s + (size_t)pos * NV;
            uint32_t parent = bfs_cur.index[pos];
            if (mem_limit && (++expansions & 255) == 0 && !memory_allows(0)) { R.status = ST_MEMORY; return R.status; }
            nsucc = 0;
            model_next(ps);
            if (mem_limit && !search_room(&bfs_next, nsucc)) { R.status = ST_MEMORY; return R.status; }
            /* a resumed state whose first `skip` successors were handled before the checkpoint */
            uint32_t first = skip;
            skip = 0;
            R.generated += nsucc - first + inter_before(nsucc) - (first ? inter_before(first - 1) : 0);
            if (keep_states) succ_counts[parent] = nsucc;
            if (!nsucc && deadlock && !model_terminal(ps)) { R.status = ST_DEADLOCK; R.index = parent; return R.status; }
            for (uint32_t o = first; o < nsucc; o++) fired[succ_label[o]]++;
            int marked = mark_successors(ps);
            for (uint32_t o = first; o < nsucc; o++) {
                const V *s = succ + (size_t)o * NV;
                int mark = marked ? succ_mark[o] : -1;
                if ((NACON && !model_action_constraint(ps, s)) || (NCON && !model_constraint(s))) {
                    /* TLC (2.16+) checks a successor outside the model before dropping it */
                    R.constrained++;
                    if (!violates(s, mark)) continue;
                    uncount(o, nsucc);
                    return unstored_violation(parent, o, bfs_next.n > 0);
                }
                uint64_t fp = state_fp(s);
                uint32_t known;
                if (last_level) {
                    /* not stored: a state seen before is skipped, a new one stops the search */
                    if (!seen_find(fp, &known)) R.status = ST_MAX_DEPTH, ckpt_past_depth = 1;
                    else if (mark >= 0) {
                        R.which = mark;
                        uncount(o, nsucc);
                        return unstored_violation(parent, o, bfs_next.n > 0);
                    } else if (graph_mode) record_edge(parent, known, o, s);
                    continue;
                }
                if (!seen_add(fp, R.distinct, &known)) {
                    if (mark >= 0) { /* a step into a state seen before */
                        R.which = mark;
                        uncount(o, nsucc);
                        return unstored_violation(parent, o, bfs_next.n > 0);
                    }
                    if (graph_mode) record_edge(parent, known, o, s);
                    continue;
                }
                uint32_t index = R.distinct;
                record_state(parent, o, s);
                if (graph_mode) record_edge(parent, index, o, s);
                found[succ_label[o]]++;
                if (violates(s, mark)) {
                    R.depth++;
                    uncount(o, nsucc);
                    R.status = ST_INVARIANT; R.index = index; return R.status;
                }
                level_push(&bfs_next, s, index);
                if ((int64_t)index + 1 >= max_states) {
                    ckpt_pos = pos; ckpt_skip = o + 1; /* a larger bound resumes from here */
                    ckpt_depth = R.depth;
                    R.depth++;
                    uncount(o, nsucc);
                    R.status = ST_MAX_STATES; return R.status;
                }
            }
            if ((time_limit > 0 || ckpt_interval >= 0) && (pos & 511) == 0) {
                clock_gettime(CLOCK_MONOTONIC, &t1);
                double elapsed = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) * 1e-9;
                ckpt_pos = pos + 1; ckpt_skip = 0; ckpt_depth = R.depth;
                if (time_limit > 0 && elapsed > time_limit) { R.status = ST_TIME; return R.status; }
                if (ckpt_interrupted) { R.status = ST_INTERRUPTED; return R.status; }
                if (ckpt_interval >= 0 && elapsed >= ckpt_next) {
                    if (ckpt_writer(CK_PERIODIC)) { R.status = ST_CHECKPOINT_FAILED; return R.status; }
                    clock_gettime(CLOCK_MONOTONIC, &t1);
                    ckpt_next = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) * 1e-9 + ckpt_interval;
                }
            }
        }
        start = 0;
        Level t = bfs_cur; bfs_cur = bfs_next; bfs_next = t;
        bfs_next.n = 0;
        if (bfs_cur.n) R.depth++;
    }
    return R.status;
}

int refute_run(int deadlock, int64_t max_states, int64_t max_depth, double time_limit, int keep,
               int graph) {
    ckpt_signals(1);
    int status = search(deadlock, max_states, max_depth, time_limit, keep, graph);
    ckpt_signals(0);
    return status;
}

/* ------------------------------------------------------------------ assumptions */
static int model_assumption(int k);

/* ASSUME k of a constant module (no variables): 1 true, 0 false (or not a boolean, which the
 * interpreter reports), -1 an evaluation error (the interpreter's to report, located). */
int refute_assume(int k) {
    if (setjmp(rt_jump)) { nbufs = 0; return -1; }
    values_ready();
    return model_assumption(k);
}
int refute_nassume(void) { return NASSUME; }

#include "workers.c" /* --workers N: the same search in N processes */
#include "checkpoint.c" /* --checkpoint and --resume of refute_run */

/* ------------------------------------------------------------------ exports */
void refute_select_invariant(int k, int on) { invariant_selected[k] = on; }
int refute_counts(uint64_t *out) {
    out[0] = R.distinct; out[1] = R.generated; out[2] = R.depth; out[3] = (uint64_t)R.which;
    out[4] = R.index; out[5] = (uint64_t)R.error_code; out[6] = (uint64_t)R.constrained;
    out[7] = nvals;
    return R.status;
}
const uint32_t *refute_parents(void) { return parents; }
/* Every state's ordinal as one array (made now, kept until the next run). */
const uint32_t *refute_ordinals(void) {
    free(ordinals_out);
    ordinals_out = malloc((nlinks ? nlinks : 1) * sizeof(uint32_t));
    if (!ordinals_out) return 0;
    for (uint32_t k = 0; k < nlinks; k++) ordinals_out[k] = links_ordinal(k);
    return ordinals_out;
}
/* The memory of the last one-worker search: out[0] the bytes of its seen set, out[1] of its
 * parent links; a run --memory-limit stopped: out[2] the resident bytes then, out[3] the
 * bytes it was about to add. */
void refute_memory(uint64_t *out) {
    out[0] = seen_bytes(); out[1] = links_bytes(); out[2] = mem_used; out[3] = mem_wanted;
}
#define REFUTE_MEMORY 1 /* (for benchmarks/bench_runtime.py: this runtime has refute_memory) */
const uint64_t *refute_fired(void) { return fired; }
const uint64_t *refute_found(void) { return found; }
const V *refute_kept_states(void) { return kept; }
const uint32_t *refute_succ_counts(void) { return succ_counts; }
uint64_t refute_nedges(void) { return nedges; }
const V *refute_edge_values(void) { return e_vals; }
const uint32_t *refute_edges(int which) {
    return which == 0 ? e_src : which == 1 ? e_dst : which == 2 ? e_pos : e_inst;
}
int refute_nv(void) { return NV; }
int refute_nlabel(void) { return NLABEL; }
int refute_composes(void) { return COMPOSES; }
int refute_ninv(void) { return NINV; }
/* A value's kind, length, integer (or atom rank) and payload, for decoding into refute values. */
int refute_value(V v, int64_t *i, uint32_t *len, const V **data) {
    const Val *e = VAL(v);
    *len = e->len;
    *i = (e->tag == T_BOOL || e->tag == T_INT || e->tag == T_ATOM) ? e->u.i : 0;
    *data = (e->tag == T_BOOL || e->tag == T_INT || e->tag == T_ATOM) ? 0 : e->u.d;
    return e->tag;
}
