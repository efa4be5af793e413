/* refute.history._listappend: prove a Jepsen list-append history clean at C speed.
 *
 * certify(text, ordered[, seconds, memory_limit]) reads the EDN text of a list-append history and returns
 * (transactions, edges) when it can prove that the Python checker (refute.history.checker with
 * refute.history.list_append) would find nothing at all in it: no non-cycle anomaly, no
 * reader warning, and an acyclic dependency graph (with process and real-time edges when
 * `ordered`, i.e. strict serializability). `edges` is the number of distinct (u, v) pairs
 * the Python graph would hold, so the report is identical. In every other case it returns
 * None and the caller runs the Python checker, which finds, explains and reports; False when
 * the time or memory budget ran out before it could tell (checked every 4096 units of work).
 *
 * Soundness is by construction, not by heuristics: the input grammar accepted is a strict
 * subset of EDN (one operation map per form with only the keys :type :f :value :process
 * :index :time, integer keys and elements within 32 bits, micro-ops [:append k v] and
 * [:r k nil-or-list]); anything else returns None. Every rule below mirrors, line for line,
 * one in list_append.py, realtime.py or formats.py; where a rule would produce a finding,
 * an error or a warning, the function returns None instead of reproducing it.
 *
 * Memory is linear in the input: a few int32 arrays per micro-op, per element read and per
 * edge; hash tables are open-addressed arrays of twice the entries.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------------ growable arrays */

typedef struct { int32_t *a; size_t n, cap; } I32;
typedef struct { int64_t *a; size_t n, cap; } I64;

static int i32_push(I32 *v, int32_t x) {
    if (v->n == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 1024;
        int32_t *a = realloc(v->a, cap * sizeof *a);
        if (!a) return -1;
        v->a = a; v->cap = cap;
    }
    v->a[v->n++] = x;
    return 0;
}

static int i64_push(I64 *v, int64_t x) {
    if (v->n == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 1024;
        int64_t *a = realloc(v->a, cap * sizeof *a);
        if (!a) return -1;
        v->a = a; v->cap = cap;
    }
    v->a[v->n++] = x;
    return 0;
}

/* ------------------------------------------------------------------ hash map uint64 -> int32 */

typedef struct { uint64_t *keys; int32_t *vals; size_t cap, n; } Map;

static uint64_t mix(uint64_t x) {
    x ^= x >> 33; x *= 0xff51afd7ed558ccdULL; x ^= x >> 33; x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

static int map_init(Map *m, size_t cap) {
    m->cap = 16;
    while (m->cap < cap * 2) m->cap *= 2;
    m->n = 0;
    m->keys = malloc(m->cap * sizeof *m->keys);
    m->vals = malloc(m->cap * sizeof *m->vals);
    if (!m->keys || !m->vals) return -1;
    memset(m->vals, 0xff, m->cap * sizeof *m->vals);  /* -1: empty slot */
    return 0;
}

static void map_free(Map *m) { free(m->keys); free(m->vals); }

static int map_grow(Map *m) {
    Map bigger;
    if (map_init(&bigger, m->cap) < 0) { map_free(&bigger); return -1; }
    for (size_t i = 0; i < m->cap; i++) {
        if (m->vals[i] < 0) continue;
        size_t j = mix(m->keys[i]) & (bigger.cap - 1);
        while (bigger.vals[j] >= 0) j = (j + 1) & (bigger.cap - 1);
        bigger.keys[j] = m->keys[i]; bigger.vals[j] = m->vals[i];
    }
    bigger.n = m->n;
    map_free(m);
    *m = bigger;
    return 0;
}

/* The slot of `key`: its value is -1 when the key is absent (the slot to insert it in). */
static size_t map_slot(const Map *m, uint64_t key) {
    size_t j = mix(key) & (m->cap - 1);
    while (m->vals[j] >= 0 && m->keys[j] != key) j = (j + 1) & (m->cap - 1);
    return j;
}

static int32_t map_get(const Map *m, uint64_t key) { return m->vals[map_slot(m, key)]; }

/* The value of `key`, inserting `fresh` when absent (*added says which); -2 on no memory. */
static int32_t map_put(Map *m, uint64_t key, int32_t fresh, int *added) {
    if ((m->n + 1) * 2 > m->cap && map_grow(m) < 0) return -2;
    size_t j = map_slot(m, key);
    if (m->vals[j] >= 0) { *added = 0; return m->vals[j]; }
    m->keys[j] = key; m->vals[j] = fresh; m->n++;
    *added = 1;
    return fresh;
}

/* ------------------------------------------------------------------ the budget */

/* --time-limit and --memory-limit, checked every 4096 units of work (a form read, a
 * transaction analysed, a vertex sorted): the clock, and the resident set from /proc. */
typedef struct { double deadline; long long memory_limit; unsigned counter; int stopped; } Budget;

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static long long resident_bytes(void) {
    FILE *statm = fopen("/proc/self/statm", "r");
    long long pages = 0, resident = 0;
    if (!statm) return 0;
    if (fscanf(statm, "%lld %lld", &pages, &resident) != 2) resident = 0;
    fclose(statm);
    return resident * sysconf(_SC_PAGESIZE);
}

static int over_budget(Budget *b) {
    if ((++b->counter & 4095) != 0 || b->stopped) return b->stopped;
    if (b->deadline > 0 && now() >= b->deadline) b->stopped = 1;
    if (b->memory_limit > 0 && resident_bytes() > b->memory_limit) b->stopped = 1;
    return b->stopped;
}

/* ------------------------------------------------------------------ the history */

enum { OK = 0, FAIL = 1, INFO = 2, PENDING = 3 };
enum { APPEND = 0, READ = 1 };
#define NIL (-1)        /* a read whose value is nil */
#define NONE (-1)

typedef struct {
    /* micro-ops of every operation's :value, in file order */
    I32 mop_f, mop_key, mop_arg, mop_len;  /* append: arg = element; read: arg = offset */
    I32 elems;                             /* the elements of every list read */
    Map keys;                              /* history key -> dense key index */
    int32_t nkeys;
    /* transactions, in order of their first event (= the Python ids) */
    I32 t_outcome, t_invoked, t_completed, t_mstart, t_mcount;
    I64 t_process;
    /* real-time events in file order: txn * 2 + (1 if completion) */
    I32 events;
    Budget budget;
} Hist;

static void hist_free(Hist *h) {
    free(h->mop_f.a); free(h->mop_key.a); free(h->mop_arg.a); free(h->mop_len.a);
    free(h->elems.a); map_free(&h->keys);
    free(h->t_outcome.a); free(h->t_invoked.a); free(h->t_completed.a);
    free(h->t_mstart.a); free(h->t_mcount.a); free(h->t_process.a); free(h->events.a);
}

/* ------------------------------------------------------------------ the reader */

typedef struct { const char *p, *end; } Cursor;

static int is_space(char c) { return c == ' ' || c == ',' || c == '\n' || c == '\t' || c == '\r'; }

static int is_delimiter(const Cursor *c) {
    if (c->p >= c->end) return 1;
    char ch = *c->p;
    return is_space(ch) || ch == ']' || ch == '}' || ch == '[' || ch == '{' || ch == '('
        || ch == ')' || ch == '"' || ch == ';' || ch == '#';
}

static void skip_space(Cursor *c) { while (c->p < c->end && is_space(*c->p)) c->p++; }

/* An integer token; 0 on success. Leading zeros, signs other than '-', suffixes (1N, 1.5,
 * 1e3) and more than 18 digits are refused (the general reader decides those). */
static int read_int(Cursor *c, int64_t *out) {
    int negative = 0;
    if (c->p < c->end && *c->p == '-') { negative = 1; c->p++; }
    const char *start = c->p;
    int64_t value = 0;
    while (c->p < c->end && *c->p >= '0' && *c->p <= '9') value = value * 10 + (*c->p++ - '0');
    size_t digits = (size_t)(c->p - start);
    if (digits == 0 || digits > 18 || (digits > 1 && *start == '0') || !is_delimiter(c))
        return -1;
    *out = negative ? -value : value;
    return 0;
}

static int read_small_int(Cursor *c, int32_t *out) {
    int64_t v;
    if (read_int(c, &v) < 0 || v < INT32_MIN || v > INT32_MAX) return -1;
    *out = (int32_t)v;
    return 0;
}

/* A keyword token after ':'; returns its length and sets *name. */
static size_t read_keyword(Cursor *c, const char **name) {
    if (c->p >= c->end || *c->p != ':') return 0;
    c->p++;
    *name = c->p;
    while (!is_delimiter(c)) c->p++;
    return (size_t)(c->p - *name);
}

static int word_is(const char *s, size_t n, const char *word) {
    return strlen(word) == n && memcmp(s, word, n) == 0;
}

static int read_nil(Cursor *c) {
    if (c->end - c->p >= 3 && memcmp(c->p, "nil", 3) == 0) {
        c->p += 3;
        if (is_delimiter(c)) return 0;
    }
    return -1;
}

static int key_index(Hist *h, int32_t key, int32_t *out) {
    int added;
    int32_t k = map_put(&h->keys, (uint64_t)(uint32_t)key, h->nkeys, &added);
    if (k == -2) return -1;
    if (added) h->nkeys++;
    *out = k;
    return 0;
}

/* A micro-op vector [[:append k v] [:r k nil-or-list] ...] into the mop arrays. */
static int read_value(Hist *h, Cursor *c, int32_t *start, int32_t *count) {
    if (c->p >= c->end || *c->p != '[') return -1;
    c->p++;
    *start = (int32_t)h->mop_f.n;
    for (;;) {
        skip_space(c);
        if (c->p >= c->end) return -1;
        if (*c->p == ']') { c->p++; break; }
        if (*c->p != '[') return -1;
        c->p++;
        skip_space(c);
        const char *name;
        size_t n = read_keyword(c, &name);
        int f;
        if (word_is(name, n, "append")) f = APPEND;
        else if (word_is(name, n, "r")) f = READ;
        else return -1;
        int32_t key, k, arg, len = 0;
        skip_space(c);
        if (read_small_int(c, &key) < 0 || key_index(h, key, &k) < 0) return -1;
        skip_space(c);
        if (f == APPEND) {
            if (read_small_int(c, &arg) < 0) return -1;
        } else if (c->p < c->end && *c->p == '[') {
            c->p++;
            arg = (int32_t)h->elems.n;
            for (;;) {
                skip_space(c);
                if (c->p < c->end && *c->p == ']') { c->p++; break; }
                int32_t element;
                if (read_small_int(c, &element) < 0 || i32_push(&h->elems, element) < 0)
                    return -1;
                len++;
            }
        } else {
            if (read_nil(c) < 0) return -1;
            arg = 0; len = NIL;
        }
        skip_space(c);
        if (c->p >= c->end || *c->p != ']') return -1;
        c->p++;
        if (i32_push(&h->mop_f, f) < 0 || i32_push(&h->mop_key, k) < 0
            || i32_push(&h->mop_arg, arg) < 0 || i32_push(&h->mop_len, len) < 0)
            return -1;
    }
    *count = (int32_t)h->mop_f.n - *start;
    return 0;
}

typedef struct {
    int type;                 /* OK, FAIL, INFO or PENDING (:invoke); -1 absent */
    int has_process, has_value;
    int64_t process;
    int32_t mstart, mcount;
} Op;

enum { K_TYPE = 1, K_F = 2, K_VALUE = 4, K_PROCESS = 8, K_INDEX = 16, K_TIME = 32 };

static int read_op(Hist *h, Cursor *c, Op *op) {
    if (c->p >= c->end || *c->p != '{') return -1;
    c->p++;
    int seen = 0;
    op->type = -1; op->has_process = op->has_value = 0;
    for (;;) {
        skip_space(c);
        if (c->p >= c->end) return -1;
        if (*c->p == '}') { c->p++; break; }
        const char *name, *word;
        size_t n = read_keyword(c, &name), m;
        int which;
        if (word_is(name, n, "type")) which = K_TYPE;
        else if (word_is(name, n, "f")) which = K_F;
        else if (word_is(name, n, "value")) which = K_VALUE;
        else if (word_is(name, n, "process")) which = K_PROCESS;
        else if (word_is(name, n, "index")) which = K_INDEX;
        else if (word_is(name, n, "time")) which = K_TIME;
        else return -1;
        if (seen & which) return -1;  /* a duplicate key is the general reader's error */
        seen |= which;
        skip_space(c);
        int64_t number;
        switch (which) {
        case K_TYPE:
            m = read_keyword(c, &word);
            if (word_is(word, m, "invoke")) op->type = PENDING;
            else if (word_is(word, m, "ok")) op->type = OK;
            else if (word_is(word, m, "fail")) op->type = FAIL;
            else if (word_is(word, m, "info")) op->type = INFO;
            else return -1;
            break;
        case K_F:
            m = read_keyword(c, &word);
            if (!word_is(word, m, "txn")) return -1;
            break;
        case K_VALUE:
            if (c->p < c->end && *c->p == 'n') {
                if (read_nil(c) < 0) return -1;
            } else {
                if (read_value(h, c, &op->mstart, &op->mcount) < 0) return -1;
                op->has_value = 1;
            }
            break;
        case K_PROCESS:
            if (read_int(c, &op->process) < 0) return -1;
            op->has_process = 1;
            break;
        default:  /* :index and :time: integers the check does not use */
            if (read_int(c, &number) < 0) return -1;
        }
    }
    return op->type >= 0 && op->has_process ? 0 : -1;
}

/* Whether two micro-op ranges append the same (key, element) sequence. */
static int same_appends(const Hist *h, int32_t a, int32_t na, int32_t b, int32_t nb) {
    int32_t i = a, j = b;
    for (;;) {
        while (i < a + na && h->mop_f.a[i] != APPEND) i++;
        while (j < b + nb && h->mop_f.a[j] != APPEND) j++;
        if (i == a + na || j == b + nb) return i == a + na && j == b + nb;
        if (h->mop_key.a[i] != h->mop_key.a[j] || h->mop_arg.a[i] != h->mop_arg.a[j]) return 0;
        i++; j++;
    }
}

static int new_txn(Hist *h, int64_t process, int32_t invoked, int32_t mstart, int32_t mcount) {
    if (i32_push(&h->t_outcome, PENDING) < 0 || i64_push(&h->t_process, process) < 0
        || i32_push(&h->t_invoked, invoked) < 0 || i32_push(&h->t_completed, NONE) < 0
        || i32_push(&h->t_mstart, mstart) < 0 || i32_push(&h->t_mcount, mcount) < 0)
        return -1;
    return 0;
}

/* formats._pair_operations: invocations paired with the next completion of their process. */
static int read_history(Hist *h, const char *text, size_t size) {
    Cursor c = {text, text + size};
    Map processes;      /* process -> its index in `open` */
    I32 open = {0};     /* per process: the txn awaiting its completion, or NONE */
    if (map_init(&processes, 64) < 0) { map_free(&processes); return -1; }
    int status = -1;
    for (int32_t number = 0;; number++) {
        skip_space(&c);
        if (c.p >= c.end) break;
        if (over_budget(&h->budget)) goto done;
        Op op;
        if (read_op(h, &c, &op) < 0) goto done;
        int added;
        int32_t p = map_put(&processes, (uint64_t)op.process, (int32_t)open.n, &added);
        if (p == -2 || (added && i32_push(&open, NONE) < 0)) goto done;
        int32_t waiting = open.a[p];
        if (op.type == PENDING) {
            if (!op.has_value) goto done;
            if (waiting != NONE) h->t_outcome.a[waiting] = INFO;  /* never completed */
            int32_t t = (int32_t)h->t_outcome.n;
            if (new_txn(h, op.process, number, op.mstart, op.mcount) < 0
                || i32_push(&h->events, t * 2) < 0)
                goto done;
            open.a[p] = t;
            continue;
        }
        int32_t t;
        if (waiting != NONE) {
            t = waiting;
            open.a[p] = NONE;
            if (op.has_value) {
                if (op.type == OK && !same_appends(h, h->t_mstart.a[t], h->t_mcount.a[t],
                                                   op.mstart, op.mcount))
                    goto done;  /* the reader warns: leave it to the Python path */
                h->t_mstart.a[t] = op.mstart; h->t_mcount.a[t] = op.mcount;
            }
            if (op.type == OK && i32_push(&h->events, t * 2 + 1) < 0) goto done;
        } else {
            if (!op.has_value) goto done;  /* the reader's error: no value to check */
            t = (int32_t)h->t_outcome.n;
            if (new_txn(h, op.process, NONE, op.mstart, op.mcount) < 0) goto done;
        }
        h->t_outcome.a[t] = op.type;
        if (op.type == OK) h->t_completed.a[t] = number;
    }
    for (size_t t = 0; t < h->t_outcome.n; t++)
        if (h->t_outcome.a[t] == PENDING) h->t_outcome.a[t] = INFO;
    status = 0;
done:
    map_free(&processes);
    free(open.a);
    return status;
}

/* ------------------------------------------------------------------ the analysis */

typedef struct {
    Map elements;                       /* (key, element) -> entry */
    I32 writer, intermediate, position, readers;  /* per entry */
    I32 node_txn, node_next;            /* reader lists */
    int32_t *init_readers, *order_off, *order_len;  /* per key */
    I32 edge_u, edge_v;
} Analysis;

static void analysis_free(Analysis *a) {
    map_free(&a->elements);
    free(a->writer.a); free(a->intermediate.a); free(a->position.a); free(a->readers.a);
    free(a->node_txn.a); free(a->node_next.a);
    free(a->init_readers); free(a->order_off); free(a->order_len);
    free(a->edge_u.a); free(a->edge_v.a);
}

static uint64_t pair(int32_t key, int32_t element) {
    return ((uint64_t)(uint32_t)key << 32) | (uint32_t)element;
}

static int32_t entry_of(const Analysis *a, int32_t key, int32_t element) {
    return map_get(&a->elements, pair(key, element));
}

static int add_edge(Analysis *a, int32_t u, int32_t v) {
    if (u == v) return 0;  /* Graph.add drops self-edges */
    return i32_push(&a->edge_u, u) < 0 || i32_push(&a->edge_v, v) < 0 ? -1 : 0;
}

static int push_reader(Analysis *a, int32_t *head, int32_t txn) {
    if (i32_push(&a->node_txn, txn) < 0 || i32_push(&a->node_next, *head) < 0) return -1;
    *head = (int32_t)a->node_txn.n - 1;
    return 0;
}

/* ListAppendAnalysis._internal for one committed transaction: 1 if it has a finding. */
static int internal_anomaly(const Hist *h, int32_t start, int32_t count) {
    const int32_t *F = h->mop_f.a, *K = h->mop_key.a, *A = h->mop_arg.a, *L = h->mop_len.a;
    const int32_t *E = h->elems.a;
    for (int32_t i = start; i < start + count; i++) {
        int32_t key = K[i];
        if (F[i] == APPEND) {  /* future-read: an earlier read of the key saw this element */
            for (int32_t j = start; j < i; j++)
                if (F[j] == READ && K[j] == key)
                    for (int32_t x = 0; x < L[j]; x++)
                        if (E[A[j] + x] == A[i]) return 1;
            continue;
        }
        /* the state before mop i: the last read of the key, then the appends after it */
        int32_t last_read = NONE, any = 0;
        for (int32_t j = start; j < i; j++)
            if (K[j] == key) { any = 1; if (F[j] == READ) last_read = j; }
        if (!any) continue;
        int32_t from = last_read == NONE ? start : last_read + 1;
        int32_t base = last_read == NONE ? 0 : (L[last_read] < 0 ? 0 : L[last_read]);
        int32_t appended = 0;
        for (int32_t j = from; j < i; j++) if (K[j] == key && F[j] == APPEND) appended++;
        int32_t expected = base + appended, got = L[i] < 0 ? 0 : L[i];
        const int32_t *value = E + A[i];
        if (last_read != NONE) {  /* the whole list is known: it must be equal */
            if (got != expected) return 1;
            for (int32_t x = 0; x < base; x++) if (value[x] != E[A[last_read] + x]) return 1;
        } else if (got < expected) {
            return 1;  /* only a suffix is known: the list must end with it */
        }
        int32_t x = got - appended;
        for (int32_t j = from; j < i; j++)
            if (K[j] == key && F[j] == APPEND && value[x++] != A[j]) return 1;
    }
    return 0;
}

/* 0 when the history is clean (edges in a->edge_u/v), 1 when not provably so, -1 no memory. */
static int analyse(Hist *h, Analysis *a, int ordered) {
    const int32_t *F = h->mop_f.a, *K = h->mop_key.a, *A = h->mop_arg.a, *L = h->mop_len.a;
    const int32_t *E = h->elems.a, *outcome = h->t_outcome.a;
    const int32_t *mstart = h->t_mstart.a, *mcount = h->t_mcount.a;
    int32_t n = (int32_t)h->t_outcome.n, nkeys = h->nkeys;
    int any_append = 0, any_ok = 0;
    if (map_init(&a->elements, 1024) < 0) return -1;
    a->init_readers = malloc((nkeys + 1) * sizeof(int32_t));
    a->order_off = calloc(nkeys + 1, sizeof(int32_t));
    a->order_len = calloc(nkeys + 1, sizeof(int32_t));
    if (!a->init_readers || !a->order_off || !a->order_len) return -1;
    for (int32_t k = 0; k < nkeys; k++) a->init_readers[k] = NONE;

    /* _index_writes: every append's writer; an element appended twice is an input error */
    for (int32_t t = 0; t < n; t++) {
        if (over_budget(&h->budget)) return 1;
        any_ok |= outcome[t] == OK;
        for (int32_t i = mstart[t]; i < mstart[t] + mcount[t]; i++) {
            if (F[i] != APPEND) continue;
            any_append = 1;
            int added;
            int32_t e = map_put(&a->elements, pair(K[i], A[i]), (int32_t)a->writer.n, &added);
            if (e == -2) return -1;
            if (!added) return 1;
            int later = 0;  /* appended to again later in the transaction: intermediate */
            for (int32_t j = i + 1; j < mstart[t] + mcount[t]; j++)
                if (F[j] == APPEND && K[j] == K[i]) later = 1;
            if (i32_push(&a->writer, t) < 0 || i32_push(&a->intermediate, later) < 0
                || i32_push(&a->position, NONE) < 0 || i32_push(&a->readers, NONE) < 0)
                return -1;
        }
    }
    if (!any_append || !any_ok) return 1;  /* workload detection / "nothing committed" */

    /* _index_reads and the longest read of each key */
    for (int32_t t = 0; t < n; t++) {
        if (over_budget(&h->budget)) return 1;
        if (outcome[t] == FAIL) continue;
        for (int32_t i = mstart[t]; i < mstart[t] + mcount[t]; i++) {
            if (F[i] != READ) continue;
            if (L[i] == NIL && outcome[t] == INFO) continue;  /* unknown, not empty */
            if (L[i] <= 0) {
                if (push_reader(a, &a->init_readers[K[i]], t) < 0) return -1;
                continue;
            }
            int32_t e = entry_of(a, K[i], E[A[i] + L[i] - 1]);
            if (e < 0) return 1;  /* garbage-read */
            if (push_reader(a, &a->readers.a[e], t) < 0) return -1;
            if (L[i] > a->order_len[K[i]]) {
                a->order_len[K[i]] = L[i];
                a->order_off[K[i]] = A[i];
            }
        }
    }

    /* _version_orders, duplicate-elements, garbage-read and dirty-update, per key */
    for (int32_t k = 0; k < nkeys; k++) {
        int last_kind = OK;
        for (int32_t x = 0; x < a->order_len[k]; x++) {
            int32_t e = entry_of(a, k, E[a->order_off[k] + x]);
            if (e < 0 || a->position.a[e] != NONE) return 1;
            a->position.a[e] = x;
            int kind = outcome[a->writer.a[e]];
            if (kind == OK && last_kind == FAIL) return 1;
            if (kind == INFO || (kind == FAIL && last_kind == FAIL)) continue;
            last_kind = kind;
        }
    }

    /* incompatible-order (every read a prefix of the longest), G1a and G1b */
    for (int32_t t = 0; t < n; t++) {
        if (over_budget(&h->budget)) return 1;
        if (outcome[t] == FAIL) continue;
        for (int32_t i = mstart[t]; i < mstart[t] + mcount[t]; i++) {
            if (F[i] != READ || L[i] <= 0) continue;
            const int32_t *order = E + a->order_off[K[i]];
            for (int32_t x = 0; x < L[i]; x++) {
                if (E[A[i] + x] != order[x]) return 1;
                if (outcome[t] == OK
                    && outcome[a->writer.a[entry_of(a, K[i], order[x])]] == FAIL)
                    return 1;  /* G1a */
            }
            int32_t last = entry_of(a, K[i], order[L[i] - 1]);
            if (outcome[t] == OK && a->intermediate.a[last] && a->writer.a[last] != t)
                return 1;  /* G1b */
        }
    }

    /* internal, future-read and lost-update, per committed transaction. Since every read is
     * a prefix of its key's order, a read's value is its (key, length). */
    Map lost;
    if (map_init(&lost, 1024) < 0) { map_free(&lost); return -1; }
    int verdict = 0;
    for (int32_t t = 0; t < n && verdict == 0; t++) {
        if (over_budget(&h->budget)) { verdict = 1; break; }
        if (outcome[t] != OK) continue;
        if (internal_anomaly(h, mstart[t], mcount[t])) { verdict = 1; break; }
        for (int32_t i = mstart[t]; i < mstart[t] + mcount[t]; i++) {
            if (F[i] != APPEND) continue;
            int32_t first_read = NONE, earlier_append = 0;
            for (int32_t j = mstart[t]; j < i; j++) {
                if (K[j] != K[i]) continue;
                if (F[j] == APPEND) earlier_append = 1;
                else if (first_read == NONE) first_read = j;
            }
            if (earlier_append || first_read == NONE) continue;
            int32_t length = L[first_read] < 0 ? 0 : L[first_read];
            int added;
            int32_t r = map_put(&lost, ((uint64_t)(uint32_t)K[i] << 32) | (uint32_t)length,
                                t, &added);
            if (r == -2) { verdict = -1; break; }
            if (!added) { verdict = 1; break; }  /* two transactions: a lost update */
        }
    }
    map_free(&lost);
    if (verdict) return verdict;

    /* _edges: wr, ww and rw */
    for (int32_t t = 0; t < n; t++) {
        if (over_budget(&h->budget)) return 1;
        if (outcome[t] == FAIL) continue;
        for (int32_t i = mstart[t]; i < mstart[t] + mcount[t]; i++) {
            int32_t k = K[i];
            if (F[i] == READ) {
                if (L[i] > 0) {
                    int32_t w = a->writer.a[entry_of(a, k, E[A[i] + L[i] - 1])];
                    if (outcome[w] != FAIL && add_edge(a, w, t) < 0) return -1;
                }
                continue;
            }
            int32_t self = entry_of(a, k, A[i]), index = a->position.a[self], previous;
            if (index == NONE)  /* unseen: after the last element any read saw */
                index = a->order_len[k];
            previous = index ? entry_of(a, k, E[a->order_off[k] + index - 1]) : NONE;
            int32_t r = a->init_readers[k];
            if (previous != NONE) {
                int32_t w = a->writer.a[previous];
                if (outcome[w] != FAIL && add_edge(a, w, t) < 0) return -1;
                r = a->readers.a[previous];
            }
            for (; r != NONE; r = a->node_next.a[r])
                if (add_edge(a, a->node_txn.a[r], t) < 0) return -1;
        }
    }
    if (!ordered) return 0;

    /* realtime.add_order_edges: process order, then the real-time frontier */
    Map processes;
    if (map_init(&processes, 64) < 0) { map_free(&processes); return -1; }
    for (int32_t t = 0; t < n; t++) {
        if (outcome[t] == FAIL) continue;
        int added;
        int32_t previous = map_put(&processes, (uint64_t)h->t_process.a[t], t, &added);
        if (previous == -2) { map_free(&processes); return -1; }
        if (!added) {
            if (outcome[previous] == OK && add_edge(a, previous, t) < 0) {
                map_free(&processes); return -1;
            }
            processes.vals[map_slot(&processes, (uint64_t)h->t_process.a[t])] = t;
        }
    }
    map_free(&processes);
    I32 frontier = {0};
    int32_t *preceded_start = malloc((n + 1) * sizeof(int32_t));
    int32_t *preceded_count = malloc((n + 1) * sizeof(int32_t));
    char *in_frontier = calloc(n + 1, 1);
    I32 preceded = {0};
    verdict = -1;
    if (!preceded_start || !preceded_count || !in_frontier) goto realtime_done;
    for (size_t x = 0; x < h->events.n; x++) {
        if (over_budget(&h->budget)) { verdict = 1; goto realtime_done; }
        int32_t t = h->events.a[x] >> 1;
        if (outcome[t] == FAIL || h->t_invoked.a[t] == NONE) continue;
        if (h->events.a[x] & 1) {
            for (int32_t y = 0; y < preceded_count[t]; y++)
                in_frontier[preceded.a[preceded_start[t] + y]] = 0;
            in_frontier[t] = 1;
            if (i32_push(&frontier, t) < 0) goto realtime_done;
        } else {
            size_t kept = 0;
            preceded_start[t] = (int32_t)preceded.n;
            for (size_t y = 0; y < frontier.n; y++) {
                int32_t u = frontier.a[y];
                if (!in_frontier[u]) continue;
                frontier.a[kept++] = u;
                if (i32_push(&preceded, u) < 0 || add_edge(a, u, t) < 0) goto realtime_done;
            }
            frontier.n = kept;
            preceded_count[t] = (int32_t)(preceded.n - preceded_start[t]);
        }
    }
    verdict = 0;
realtime_done:
    free(frontier.a); free(preceded.a);
    free(preceded_start); free(preceded_count); free(in_frontier);
    return verdict;
}

/* The distinct edges (Graph.edge_count) and whether they form a cycle (Kahn's algorithm). */
static int count_and_sort(const Analysis *a, int32_t n, int64_t *distinct, Budget *budget) {
    size_t m = a->edge_u.n;
    int32_t *start = calloc(n + 2, sizeof(int32_t)), *succ = malloc((m + 1) * sizeof(int32_t));
    int32_t *mark = malloc((n + 1) * sizeof(int32_t)), *indegree = calloc(n + 1, sizeof(int32_t));
    int32_t *queue = malloc((n + 1) * sizeof(int32_t));
    int status = -1;
    if (!start || !succ || !mark || !indegree || !queue) goto done;
    for (size_t x = 0; x < m; x++) start[a->edge_u.a[x] + 2]++;
    for (int32_t v = 0; v < n; v++) start[v + 2] += start[v + 1];
    for (size_t x = 0; x < m; x++) succ[start[a->edge_u.a[x] + 1]++] = a->edge_v.a[x];
    /* now start[u]..start[u+1] are u's successors; keep the first of each in place */
    for (int32_t v = 0; v < n; v++) mark[v] = NONE;
    int64_t count = 0;
    int32_t *end = malloc((n + 1) * sizeof(int32_t));
    if (!end) goto done;
    for (int32_t u = 0; u < n; u++) {
        if (over_budget(budget)) { status = 1; free(end); goto done; }
        int32_t kept = start[u];
        for (int32_t x = start[u]; x < start[u + 1]; x++) {
            int32_t v = succ[x];
            if (mark[v] == u) continue;
            mark[v] = u;
            succ[kept++] = v;
            indegree[v]++;
        }
        end[u] = kept;
        count += kept - start[u];
    }
    *distinct = count;
    int32_t head = 0, tail = 0;
    for (int32_t v = 0; v < n; v++) if (!indegree[v]) queue[tail++] = v;
    while (head < tail) {
        int32_t u = queue[head++];
        for (int32_t x = start[u]; x < end[u]; x++)
            if (--indegree[succ[x]] == 0) queue[tail++] = succ[x];
    }
    free(end);
    status = tail == n ? 0 : 1;
done:
    free(start); free(succ); free(mark); free(indegree); free(queue);
    return status;
}

static PyObject *certify(PyObject *module, PyObject *args) {
    const char *text;
    Py_ssize_t size;
    int ordered;
    double seconds = -1;
    long long memory_limit = 0;
    if (!PyArg_ParseTuple(args, "s#p|dL:certify", &text, &size, &ordered, &seconds,
                          &memory_limit))
        return NULL;
    Hist h;
    Analysis a;
    memset(&h, 0, sizeof h);
    memset(&a, 0, sizeof a);
    h.budget.deadline = seconds >= 0 ? now() + seconds : 0;
    h.budget.memory_limit = memory_limit;
    int status = -1;
    int64_t edges = 0;
    Py_BEGIN_ALLOW_THREADS
    if (map_init(&h.keys, 1024) == 0) {
        status = read_history(&h, text, (size_t)size) < 0 ? 1 : 0;
        if (status == 0 && h.t_outcome.n >= INT32_MAX / 2) status = 1;
        if (status == 0) status = analyse(&h, &a, ordered);
        if (status == 0)
            status = count_and_sort(&a, (int32_t)h.t_outcome.n, &edges, &h.budget);
    }
    Py_END_ALLOW_THREADS
    size_t transactions = h.t_outcome.n;
    hist_free(&h);
    analysis_free(&a);
    if (h.budget.stopped) Py_RETURN_FALSE;
    if (status < 0) return PyErr_NoMemory();
    if (status > 0) Py_RETURN_NONE;
    return Py_BuildValue("(nL)", (Py_ssize_t)transactions, (long long)edges);
}

static PyMethodDef methods[] = {
    {"certify", certify, METH_VARARGS,
     "certify(text, ordered, seconds=-1, memory_limit=0) -> (transactions, edges) when the "
     "list-append history is provably clean, False when the time (seconds from now) or the "
     "resident memory (bytes) ran out first, else None."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "refute.history._listappend",
    "Proof that a list-append history is clean, at C speed (see list_append.py).", -1,
    methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__listappend(void) { return PyModule_Create(&module); }
