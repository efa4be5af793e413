/* --workers N on the compiled backend: the breadth-first search of runtime.c in N processes,
 * with exactly its result (distinct, generated, depth, coverage, parent links, the first
 * violation and the counts at it).
 *
 * Why processes, not threads: every value of the runtime is an id into one intern table that
 * grows as values are built (runtime.c); threads sharing it would need a lock (or a
 * concurrent hash-consing table) on every value built, which is most of the search's work.
 * Instead the model is set up and its initial states found once, then the process forks
 * N - 1 times: each worker keeps its own copy of the intern table and builds values with no
 * lock at all.
 *
 * The search is level-synchronous. A successor's key is its discovery position in the
 * sequential search, (parent's rank + 1) << 24 | ordinal, and of all the successors with one
 * fingerprint the sequential search keeps the one of least key: so does this one, whatever
 * the interleaving. A worker expands the states it owns (they are in its own intern table)
 * in rank order, so its keys only grow. Each worker keeps its own seen set (runtime.c's,
 * probed as one worker probes it, prefetched when a successor is emitted): every state found
 * at an earlier level, and every fingerprint it has claimed at this one. A successor found
 * there cannot be the one kept (its key is greater than the one that put it there) and is
 * dropped at once: that is most of them. The others are claims {fingerprint, key}, posted
 * after the expansion in the worker's outbox, grouped by the fingerprint's owner (a worker
 * chosen by the fingerprint's bits). After a barrier each owner decides the claims it owns
 * in a private table (least key per fingerprint) and marks the losers in place; after the
 * next, each worker's claims that won are the level's new states it owns, and their ranks
 * (sequential discovery numbers) follow from merging every worker's sorted keys. Every
 * worker then adds the others' new fingerprints to its seen set. No memory is probed at
 * random by two processes, and no atomic operation is done per successor: what the workers
 * share is written and read in sequence.
 *
 * The first event in key order (a deadlock, an invariant violated, --max-states reached)
 * ends the search; the counts at it are recounted by re-expanding the parents before it (a
 * level at most, once per run), since the sequential search stops in the middle of a level.
 * To keep the cores busy the frontier is rebalanced at each barrier: a worker with more than
 * its share serialises states (a canonical DAG of their values) for one with less, which
 * interns them into its own table.
 *
 * Shared memory, set up before the fork: a control block (a barrier, flags, and what each
 * worker publishes at a barrier) and memfds per worker, which the others map: its outbox of
 * claims, its winners' keys and fingerprints, the states it hands to another worker, and at
 * the end its parent links.
 *
 * What stays single-worker (runtime.c's refute_run): recording states or the state graph
 * (--verify, liveness, --dump-graph, PROPERTY invariants checked on the Python side).
 */
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/futex.h>
#include <unistd.h>

#define MAXW 64
#define OBITS 24
#define OMASK ((1ull << OBITS) - 1)
#define KEY(rank, o) ((((uint64_t)(rank) + 1) << OBITS) | (uint64_t)(o))
#define NONE UINT64_MAX
#define NL (NLABEL > 0 ? NLABEL : 1)

/* ------------------------------------------------------------------ shared memory */
/* A growable shared region: a memfd, mapped by every process that reads it (remapped when
 * its owner grew it, which the owner does only between barriers; an outbox is also written
 * by the owners of its claims, each in its own part, between two barriers). */
typedef struct { int fd; char *p; size_t mapped, size; } Region;

typedef struct {
    uint32_t arrived, generation; /* the barrier */
    int abort, error, error_code, timeout;
    uint64_t stop_key;            /* the least event key so far: parents past it wait */
    struct {
        uint64_t nwin, fps_at, inv_key, dead_key, blob_at[MAXW], blob_words;
        uint64_t out_at[MAXW], out_n[MAXW]; /* its claims for each owner, in its outbox */
        int inv_which, depth_hit, finished;
        uint64_t generated, constrained, nrecs, moved, fired[NL], found[NL];
    } w[MAXW];
} Ctl;

static Ctl *ctl;
static int me, nw;
static pid_t kids[MAXW];
static Region wreg[MAXW], xreg[MAXW], oreg[MAXW];

static size_t page_round(size_t n) { return (n + 65535) & ~(size_t)65535; }

static void region_map(Region *r, size_t bytes) {
    if (bytes <= r->mapped && r->p) return;
    size_t want = page_round(bytes ? bytes : 1);
    if (r->p) munmap(r->p, r->mapped);
    /* (populated: one call maps every page, rather than a fault per page as it is first read) */
    void *p = mmap(0, want, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd, 0);
    if (p == MAP_FAILED) rt_fail(100);
    r->p = p;
    r->mapped = want;
}
/* The owner: the file at least `bytes` long, and mapped. */
static void *region_reserve(Region *r, size_t bytes) {
    if (bytes > r->size) {
        size_t want = page_round(bytes + bytes / 2);
        if (ftruncate(r->fd, (off_t)want)) rt_fail(100);
        r->size = want;
    }
    region_map(r, bytes);
    return r->p;
}
static void region_drop(Region *r) {
    if (r->p) munmap(r->p, r->mapped);
    r->p = 0;
    r->mapped = 0;
}

/* ------------------------------------------------------------------ barrier */
static void check_kids(void) { /* the leader: a worker that ended before its end is dead */
    for (int k = 1; k < nw; k++) {
        int st;
        if (kids[k] > 0 && waitpid(kids[k], &st, WNOHANG) == kids[k]) {
            kids[k] = 0;
            if (!__atomic_load_n(&ctl->w[k].finished, __ATOMIC_ACQUIRE))
                __atomic_store_n(&ctl->abort, 1, __ATOMIC_RELEASE);
        }
    }
}
static void wake_all(void) { syscall(SYS_futex, &ctl->generation, FUTEX_WAKE, INT32_MAX, 0, 0, 0); }
static void abort_run(void) {
    __atomic_store_n(&ctl->abort, 1, __ATOMIC_RELEASE);
    wake_all();
}
/* Wait for every worker; 1 if the run is aborted (an error, a worker gone). */
static int barrier(void) {
    uint32_t gen = __atomic_load_n(&ctl->generation, __ATOMIC_ACQUIRE);
    if (__atomic_add_fetch(&ctl->arrived, 1, __ATOMIC_ACQ_REL) == (uint32_t)nw) {
        __atomic_store_n(&ctl->arrived, 0, __ATOMIC_RELAXED);
        __atomic_store_n(&ctl->generation, gen + 1, __ATOMIC_RELEASE);
        wake_all();
    } else {
        int spins = 0;
        while (__atomic_load_n(&ctl->generation, __ATOMIC_ACQUIRE) == gen) {
            if (__atomic_load_n(&ctl->abort, __ATOMIC_ACQUIRE)) return 1;
            if (spins++ < 2000) { __asm__ volatile("" ::: "memory"); continue; }
            struct timespec ts = {0, 20 * 1000 * 1000};
            syscall(SYS_futex, &ctl->generation, FUTEX_WAIT, gen, &ts, 0, 0);
            if (me == 0) check_kids();
        }
    }
    return __atomic_load_n(&ctl->abort, __ATOMIC_ACQUIRE);
}

/* ------------------------------------------------------------------ claims */
/* A claim: a successor's fingerprint and key, sent to the fingerprint's owner; the owner
 * answers by setting the key of a claim that lost to NONE, in place. */
typedef struct { uint64_t fp, key; } Claim;

/* The worker that decides the claims of fingerprint fp (fingerprints are hashes already). */
static inline int owner_of(uint64_t fp) { return (int)(((fp >> 32) * (uint64_t)nw) >> 32); }

/* The owner's table of the level's claims: for each fingerprint the least key claimed,
 * linear probing, sized afresh at each level for the claims that came in. Private memory
 * (huge pages where granted), so that its random probes cost no more than one worker's
 * probes of its seen set. */
static Claim *least;
static uint64_t least_mask, least_cap;
static void least_reset(uint64_t claims) {
    uint64_t cap = 1u << 12;
    while (cap < 2 * claims) cap <<= 1;
    if (cap > least_cap) {
        free(least);
        least = malloc(cap * sizeof(Claim));
        if (!least) rt_fail(100);
        huge_pages(least, cap * sizeof(Claim));
        least_cap = cap;
    }
    memset(least, 0, cap * sizeof(Claim));
    least_mask = cap - 1;
}
static inline Claim *least_slot(uint64_t fp) {
    uint64_t j = mix64(fp) & least_mask;
    while (least[j].fp && least[j].fp != fp) j = (j + 1) & least_mask;
    return &least[j];
}

/* The owner, between barriers: every worker's claims of fingerprints it owns decided (the
 * least key of each fingerprint wins: the state the sequential search keeps for it). */
static void decide_claims(void) {
    uint64_t total = 0;
    Claim *in[MAXW];
    for (int v = 0; v < nw; v++) {
        const uint64_t *at = ctl->w[v].out_at, *n = ctl->w[v].out_n;
        if (v != me) region_map(&oreg[v], (at[nw - 1] + n[nw - 1] + 1) * sizeof(Claim));
        in[v] = (Claim *)oreg[v].p + at[me];
        total += n[me];
    }
    least_reset(total);
    for (int v = 0; v < nw; v++) {
        const Claim *c = in[v];
        uint64_t n = ctl->w[v].out_n[me];
        for (uint64_t k = 0; k < n; k++) {
            if (k + 16 < n) __builtin_prefetch(&least[mix64(c[k + 16].fp) & least_mask]);
            Claim *l = least_slot(c[k].fp);
            if (!l->fp) *l = c[k];
            else if (c[k].key < l->key) l->key = c[k].key;
        }
    }
    for (int v = 0; v < nw; v++) {
        Claim *c = in[v];
        uint64_t n = ctl->w[v].out_n[me];
        for (uint64_t k = 0; k < n; k++) {
            if (k + 16 < n) __builtin_prefetch(&least[mix64(c[k + 16].fp) & least_mask]);
            if (least_slot(c[k].fp)->key != c[k].key) c[k].key = NONE;
        }
    }
}

/* ------------------------------------------------------------------ per-worker state */
typedef struct { V *s; uint64_t *rank; uint64_t n, cap; } Front;
static Front cur_f, next_f;
static void front_push(Front *f, const V *s, uint64_t rank) {
    if (f->n == f->cap) {
        f->cap = f->cap ? 2 * f->cap : 1024;
        f->s = realloc(f->s, f->cap * NV * sizeof(V));
        f->rank = realloc(f->rank, f->cap * sizeof(uint64_t));
        if (!f->s || !f->rank) rt_fail(100);
    }
    memcpy(f->s + f->n * NV, s, NV * sizeof(V));
    f->rank[f->n++] = rank;
}

/* The successors this worker claimed in the level, in key order: key, fingerprint, action,
 * state, the invariant it violates; c_win, after the claims are decided, lists the claims won. */
static uint64_t *c_key, *c_fp, *c_win;
static uint32_t *c_label;
static uint8_t *c_inv; /* the invariant violated + 1, or 0 */
static V *c_s;
static uint64_t nclaims, capclaims, c_per_owner[MAXW];
static void claim_push(uint64_t key, uint64_t fp, uint32_t label, const V *s, int inv) {
    if (nclaims == capclaims) {
        capclaims = capclaims ? 2 * capclaims : 4096;
        c_key = realloc(c_key, capclaims * sizeof(uint64_t));
        c_fp = realloc(c_fp, capclaims * sizeof(uint64_t));
        c_win = realloc(c_win, capclaims * sizeof(uint64_t));
        c_label = realloc(c_label, capclaims * sizeof(uint32_t));
        c_inv = realloc(c_inv, capclaims);
        c_s = realloc(c_s, capclaims * NV * sizeof(V));
        if (!c_key || !c_fp || !c_win || !c_label || !c_inv || !c_s) rt_fail(100);
    }
    c_key[nclaims] = key; c_fp[nclaims] = fp; c_label[nclaims] = label;
    c_inv[nclaims] = (uint8_t)inv;
    memcpy(c_s + nclaims * NV, s, NV * sizeof(V));
    c_per_owner[owner_of(fp)]++;
    nclaims++;
}

/* After the expansion: the claims, sorted by owner (each owner's in key order), in this
 * worker's outbox, for the owners to decide. */
static void post_claims(void) {
    uint64_t at = 0;
    for (int d = 0; d < nw; d++) {
        ctl->w[me].out_at[d] = at;
        ctl->w[me].out_n[d] = c_per_owner[d];
        at += c_per_owner[d];
    }
    Claim *out = region_reserve(&oreg[me], (at + 1) * sizeof(Claim));
    uint64_t next[MAXW];
    for (int d = 0; d < nw; d++) next[d] = ctl->w[me].out_at[d];
    for (uint64_t k = 0; k < nclaims; k++) {
        Claim *c = &out[next[owner_of(c_fp[k])]++];
        c->fp = c_fp[k];
        c->key = c_key[k];
    }
}

/* The parent links of the states this worker won: their ranks and keys. */
static uint64_t *r_rank, *r_key;
static uint64_t nrecs, caprecs;
static void rec_push(uint64_t rank, uint64_t key) {
    if (nrecs == caprecs) {
        caprecs = caprecs ? 2 * caprecs : 4096;
        r_rank = realloc(r_rank, caprecs * sizeof(uint64_t));
        r_key = realloc(r_key, caprecs * sizeof(uint64_t));
        if (!r_rank || !r_key) rt_fail(100);
    }
    r_rank[nrecs] = rank; r_key[nrecs++] = key;
}

static uint64_t my_generated, my_constrained, my_fired[NL], my_found[NL], my_moved;
static uint64_t lv_generated, lv_constrained, lv_fired[NL];

static inline void atomic_min(uint64_t *a, uint64_t v) {
    uint64_t c = __atomic_load_n(a, __ATOMIC_ACQUIRE);
    while (v < c && !__atomic_compare_exchange_n(a, &c, v, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {}
}

static double seconds_since(const struct timespec *t0) {
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (t1.tv_sec - t0->tv_sec) + (t1.tv_nsec - t0->tv_nsec) * 1e-9;
}

/* Expand this worker's frontier: claims, the level's counts, the events it sees. */
static void expand_level(int last_level, int deadlock, double time_limit, const struct timespec *t0) {
    uint64_t dead_key = NONE;
    int depth_hit = 0;
    for (uint64_t pos = 0; pos < cur_f.n; pos++) {
        uint64_t rank = cur_f.rank[pos];
        if (KEY(rank, 0) > __atomic_load_n(&ctl->stop_key, __ATOMIC_RELAXED)) break;
        if ((pos & 63) == 0) {
            if (ctl->abort || ctl->timeout) break;
            if (time_limit > 0 && (pos & 511) == 0 && seconds_since(t0) > time_limit) {
                ctl->timeout = 1;
                break;
            }
        }
        const V *ps = cur_f.s + pos * NV;
        nsucc = 0;
        model_next(ps);
        lv_generated += nsucc;
        if (!nsucc && deadlock && !model_terminal(ps)) {
            dead_key = KEY(rank, 0) - 1; /* after every child of the parents before it */
            atomic_min(&ctl->stop_key, dead_key);
            break;
        }
        if (nsucc > OMASK) rt_fail(102);
        for (uint32_t o = 0; o < nsucc; o++) lv_fired[succ_label[o]]++;
        /* a successor this worker has seen (found at an earlier level, or claimed by this
         * worker at this one, with a lesser key: its frontier is expanded in rank order)
         * cannot be the state kept for its fingerprint: it is not claimed */
        for (uint32_t o = 0; o < nsucc; o++) {
            const V *s = succ + (size_t)o * NV;
            if (NACON && !model_action_constraint(ps, s)) { lv_constrained++; continue; }
            if (NCON && !model_constraint(s)) { lv_constrained++; continue; }
            uint64_t fp = state_fp(s), key = KEY(rank, o);
            if (last_level) {
                if (!seen_find(fp, 0)) depth_hit = 1;
                continue;
            }
            if (!seen_add(fp, 0, 0)) continue;
            int ok = check_invariants(s);
            claim_push(key, fp, succ_label[o], s, ok ? 0 : R.which + 1);
            if (!ok && !MERGES) {
                /* the same state violates wherever it is found: nothing after it matters */
                atomic_min(&ctl->stop_key, key);
                break;
            }
        }
    }
    ctl->w[me].dead_key = dead_key;
    ctl->w[me].depth_hit = depth_hit;
}


/* The counts of the level up to event key `e` (inclusive), by expanding again the parents
 * before it: what the sequential search had counted when it stopped there. */
static void recount_until(uint64_t e) {
    lv_generated = lv_constrained = 0;
    memset(lv_fired, 0, sizeof lv_fired);
    for (uint64_t pos = 0; pos < cur_f.n; pos++) {
        uint64_t rank = cur_f.rank[pos];
        if (KEY(rank, 0) > e) break;
        const V *ps = cur_f.s + pos * NV;
        nsucc = 0;
        model_next(ps);
        for (uint32_t o = 0; o < nsucc && KEY(rank, o) <= e; o++) {
            const V *s = succ + (size_t)o * NV;
            lv_generated++;
            lv_fired[succ_label[o]]++;
            if (KEY(rank, o) == e) break; /* the event's own state passed the constraints */
            if ((NACON && !model_action_constraint(ps, s)) || (NCON && !model_constraint(s)))
                lv_constrained++;
        }
    }
}

/* ------------------------------------------------------------------ moving states */
/* A state moves as a DAG of its values, children first, each distinct value once: nodes
 * (tag | cls << 8, then the integer in two words or the length and the children's node
 * numbers), then the states (rank in two words, then NV node numbers). Set elements and
 * function keys keep their order, which rt_cmp fixes from the values alone, not from ids. */
static uint32_t *ser_stamp, *ser_index, ser_gen, ser_cap;
typedef struct { uint32_t *d; uint64_t n, cap; } Words;
static void words_push(Words *w, uint32_t x) {
    if (w->n == w->cap) {
        w->cap = w->cap ? 2 * w->cap : 4096;
        w->d = realloc(w->d, w->cap * sizeof(uint32_t));
        if (!w->d) rt_fail(100);
    }
    w->d[w->n++] = x;
}
static uint32_t ser_nodes;
static uint32_t ser_value(Words *w, V v) {
    if (ser_stamp[v] == ser_gen) return ser_index[v];
    const Val *e = VAL(v);
    uint32_t words = e->tag == T_FN ? 2 * e->len : e->len;
    int scalar = e->tag == T_BOOL || e->tag == T_INT || e->tag == T_ATOM;
    if (!scalar)
        for (uint32_t k = 0; k < words; k++) ser_value(w, VAL(v)->u.d[k]);
    e = VAL(v);
    words_push(w, (uint32_t)e->tag | (uint32_t)e->cls << 8);
    if (scalar) {
        words_push(w, (uint32_t)(uint64_t)e->u.i);
        words_push(w, (uint32_t)((uint64_t)e->u.i >> 32));
    } else {
        words_push(w, e->len);
        for (uint32_t k = 0; k < words; k++) words_push(w, ser_index[e->u.d[k]]);
    }
    ser_stamp[v] = ser_gen;
    return ser_index[v] = ser_nodes++;
}
/* A new DAG: every value is serialised (again) once, the first time ser_value meets it. */
static void ser_begin(void) {
    if (ser_cap < nvals) {
        ser_stamp = realloc(ser_stamp, (size_t)nvals * sizeof(uint32_t));
        ser_index = realloc(ser_index, (size_t)nvals * sizeof(uint32_t));
        if (!ser_stamp || !ser_index) rt_fail(100);
        memset(ser_stamp + ser_cap, 0, (size_t)(nvals - ser_cap) * sizeof(uint32_t));
        ser_cap = nvals;
    }
    ser_gen++;
    ser_nodes = 0;
}
/* States [from, from + count) of the frontier, as one blob appended to out. */
static void ser_states(Words *out, uint64_t from, uint64_t count) {
    ser_begin();
    Words nodes = {0}, states = {0};
    for (uint64_t k = from; k < from + count; k++) {
        uint64_t r = cur_f.rank[k];
        words_push(&states, (uint32_t)r);
        words_push(&states, (uint32_t)(r >> 32));
        for (int j = 0; j < NV; j++) words_push(&states, ser_value(&nodes, cur_f.s[k * NV + j]));
    }
    words_push(out, ser_nodes);
    words_push(out, (uint32_t)count);
    for (uint64_t k = 0; k < nodes.n; k++) words_push(out, nodes.d[k]);
    for (uint64_t k = 0; k < states.n; k++) words_push(out, states.d[k]);
    free(nodes.d);
    free(states.d);
}
/* The nn nodes of a DAG that ser_value wrote at p, interned: map[k] is node k's id. Returns
 * the word after them. */
static const uint32_t *deser_nodes(const uint32_t *p, uint32_t nn, V *map) {
    Buf *b = buf_open();
    for (uint32_t k = 0; k < nn; k++) {
        uint8_t tag = (uint8_t)(p[0] & 0xff), cls = (uint8_t)(p[0] >> 8);
        if (tag == T_BOOL || tag == T_INT || tag == T_ATOM) {
            map[k] = intern(tag, cls, (int64_t)((uint64_t)p[1] | (uint64_t)p[2] << 32), 0, 0);
            p += 3;
        } else {
            uint32_t len = p[1], words = tag == T_FN ? 2 * len : len;
            b->n = 0;
            for (uint32_t j = 0; j < words; j++) buf_push(b, map[p[2 + j]]);
            map[k] = intern(tag, cls, 0, b->d, len);
            p += 2 + words;
        }
    }
    buf_close();
    return p;
}
static const uint32_t *deser_states(const uint32_t *p, Front *into) {
    uint32_t nn = p[0], count = p[1];
    V *map = rt_alloc((size_t)(nn ? nn : 1) * sizeof(V));
    p = deser_nodes(p + 2, nn, map);
    V s[NV];
    for (uint32_t k = 0; k < count; k++) {
        uint64_t r = (uint64_t)p[0] | (uint64_t)p[1] << 32;
        for (int j = 0; j < NV; j++) s[j] = map[p[2 + j]];
        front_push(into, s, r);
        p += 2 + NV;
    }
    free(map);
    return p;
}

/* The frontier's states [0, mid) and [mid, end), each in rank order, merged in place (by way
 * of next_f, free between levels). */
static void merge_runs(uint64_t mid, uint64_t end) {
    uint64_t i = 0, j = mid;
    next_f.n = 0;
    while (i < mid || j < end) {
        uint64_t k = (j >= end || (i < mid && cur_f.rank[i] < cur_f.rank[j])) ? i++ : j++;
        front_push(&next_f, cur_f.s + k * NV, cur_f.rank[k]);
    }
    memcpy(cur_f.s, next_f.s, end * NV * sizeof(V));
    memcpy(cur_f.rank, next_f.rank, end * sizeof(uint64_t));
    next_f.n = 0;
}

/* Put `give` states taken evenly across the frontier at its end, both parts in rank order:
 * the taker gets low and high ranks alike, so that the claims the workers contend for
 * (where the least key wins) do not all go the same way the next level. */
static void spread_out(uint64_t give) {
    uint64_t n = cur_f.n, kept = 0;
    next_f.n = 0;
    for (uint64_t k = 0, j = 0; k < n; k++) {
        /* state k is given if it is the j-th of `give` evenly spaced positions */
        if (j < give && k == (2 * j + 1) * n / (2 * give)) {
            front_push(&next_f, cur_f.s + k * NV, cur_f.rank[k]);
            j++;
        } else {
            memmove(cur_f.s + kept * NV, cur_f.s + k * NV, NV * sizeof(V));
            cur_f.rank[kept++] = cur_f.rank[k];
        }
    }
    memcpy(cur_f.s + kept * NV, next_f.s, next_f.n * NV * sizeof(V));
    memcpy(cur_f.rank + kept, next_f.rank, next_f.n * sizeof(uint64_t));
    next_f.n = 0;
}

/* Who gives how many states to whom so that every worker holds its share (computed alike by
 * every worker from the published frontier sizes); 0 when the frontier is balanced enough. */
static int plan_moves(const uint64_t *sizes, uint64_t moves[MAXW][MAXW]) {
    uint64_t total = 0, most = 0;
    for (int k = 0; k < nw; k++) { total += sizes[k]; if (sizes[k] > most) most = sizes[k]; }
    uint64_t share = (total + nw - 1) / nw;
    if (total < 2 * (uint64_t)nw || most <= share + share / 16) return 0;
    int64_t surplus[MAXW];
    for (int k = 0; k < nw; k++)
        surplus[k] = (int64_t)sizes[k] - (int64_t)(total / nw + ((uint64_t)k < total % nw));
    memset(moves, 0, sizeof(uint64_t) * MAXW * MAXW);
    int t = 0;
    for (int g = 0; g < nw; g++) {
        while (surplus[g] > 0) {
            while (t < nw && surplus[t] >= 0) t++;
            if (t == nw) return 1;
            int64_t m = surplus[g] < -surplus[t] ? surplus[g] : -surplus[t];
            moves[g][t] = (uint64_t)m;
            surplus[g] -= m;
            surplus[t] += m;
        }
    }
    return 1;
}

/* ------------------------------------------------------------------ the level loop */
typedef struct {
    int deadlock;
    int64_t max_states, max_depth;
    double time_limit;
    struct timespec t0;
    uint64_t level_base;  /* states found before the level being expanded's successors */
    uint32_t depth;
    int status, which;
    uint64_t index;
} Search;

/* The k-th least key (from 0) of all workers' winners, merging their sorted lists. */
static uint64_t kth_key(const uint64_t **lists, const uint64_t *ns, uint64_t k) {
    uint64_t pos[MAXW] = {0};
    for (;;) {
        int best = -1;
        for (int v = 0; v < nw; v++)
            if (pos[v] < ns[v] && (best < 0 || lists[v][pos[v]] < lists[best][pos[best]])) best = v;
        if (k-- == 0) return lists[best][pos[best]];
        pos[best]++;
    }
}

static void add_level_counts(void) {
    my_generated += lv_generated;
    my_constrained += lv_constrained;
    for (int k = 0; k < NL; k++) my_fired[k] += lv_fired[k];
}

/* Expand levels until the search ends (S->status) ; 1 if the run was aborted. */
static int work(Search *S) {
    static uint64_t moves[MAXW][MAXW];
    for (;;) {
        int last_level = S->max_depth >= 0 && (int64_t)S->depth >= S->max_depth;
        nclaims = 0;
        memset(c_per_owner, 0, sizeof c_per_owner);
        lv_generated = lv_constrained = 0;
        memset(lv_fired, 0, sizeof lv_fired);
        expand_level(last_level, S->deadlock, S->time_limit, &S->t0);
        post_claims();
        if (barrier()) return 1; /* A: the level is expanded, its claims posted */
        if (ctl->timeout) { S->status = ST_TIME; return 0; }
        decide_claims();
        if (barrier()) return 1; /* B: every claim is decided */
        /* the states this worker won, and the first invariant violated among them (their keys
         * in order, then from fps_at their fingerprints, for every worker's copy of the states
         * found) */
        uint64_t nwin = 0, inv_key = NONE;
        int inv_which = 0;
        const Claim *answer[MAXW];
        for (int d = 0; d < nw; d++) answer[d] = (const Claim *)oreg[me].p + ctl->w[me].out_at[d];
        uint64_t *keys = region_reserve(&wreg[me], (2 * nclaims + 1) * sizeof(uint64_t));
        uint64_t *fps = keys + nclaims;
        for (uint64_t k = 0; k < nclaims; k++) {
            if (answer[owner_of(c_fp[k])]++->key != c_key[k]) continue;
            if (c_inv[k] && inv_key == NONE) { inv_key = c_key[k]; inv_which = c_inv[k] - 1; }
            fps[nwin] = c_fp[k];
            c_win[nwin] = k;
            keys[nwin++] = c_key[k];
        }
        ctl->w[me].nwin = nwin;
        ctl->w[me].fps_at = nclaims;
        ctl->w[me].inv_key = inv_key;
        ctl->w[me].inv_which = inv_which;
        if (barrier()) return 1; /* C: every worker's winners are known */
        const uint64_t *lists[MAXW];
        uint64_t ns[MAXW], total = 0;
        for (int v = 0; v < nw; v++) {
            ns[v] = ctl->w[v].nwin;
            total += ns[v];
            if (v != me) region_map(&wreg[v], (ctl->w[v].fps_at + ns[v] + 1) * sizeof(uint64_t));
            lists[v] = (const uint64_t *)wreg[v].p;
        }
        /* the first event in key order (a deadlock's key comes after every successor of the
         * parents before it, and is never a successor's); an invariant is checked before the
         * --max-states bound on one state */
        uint64_t event = NONE;
        int kind = ST_OK, which = 0;
        for (int v = 0; v < nw; v++) {
            if (ctl->w[v].dead_key < event) { event = ctl->w[v].dead_key; kind = ST_DEADLOCK; }
            if (ctl->w[v].inv_key < event) {
                event = ctl->w[v].inv_key; kind = ST_INVARIANT; which = ctl->w[v].inv_which;
            }
        }
        uint64_t m = (uint64_t)S->max_states > S->level_base + 1
                     ? (uint64_t)S->max_states - 1 - S->level_base : 0;
        if (m < total) {
            uint64_t k = kth_key(lists, ns, m);
            if (k < event) { event = k; kind = ST_MAX_STATES; }
        }
        /* my winners (up to the event): their ranks, parent links, coverage; the next frontier */
        uint64_t p[MAXW] = {0};
        next_f.n = 0;
        for (uint64_t k = 0; k < nwin && keys[k] <= event; k++) {
            uint64_t key = keys[k], rank = S->level_base + k;
            for (int v = 0; v < nw; v++) {
                if (v == me) continue;
                while (p[v] < ns[v] && lists[v][p[v]] < key) p[v]++;
                rank += p[v];
            }
            uint64_t c = c_win[k];
            rec_push(rank, key);
            my_found[c_label[c]]++;
            front_push(&next_f, c_s + c * NV, rank);
        }
        if (kind != ST_OK) {
            uint64_t before = 0; /* every worker's winners with a key less than the event's */
            for (int v = 0; v < nw; v++) {
                uint64_t lo = 0, hi = ns[v];
                while (lo < hi) {
                    uint64_t mid = (lo + hi) / 2;
                    if (lists[v][mid] < event) lo = mid + 1; else hi = mid;
                }
                before += lo;
            }
            recount_until(event);
            add_level_counts();
            S->status = kind;
            S->which = which;
            if (kind == ST_DEADLOCK) {
                S->index = event >> OBITS; /* the key is (rank + 1) << 24, less one */
                S->level_base += before;
            } else {
                S->index = S->level_base + before;
                S->level_base += before + 1;
                S->depth++;
            }
            return 0;
        }
        add_level_counts();
        /* every worker's copy of the states found gains the level's (its own are there) */
        for (int v = 0; v < nw; v++) {
            if (v == me) continue;
            const uint64_t *f = lists[v] + ctl->w[v].fps_at;
            for (uint64_t k = 0; k < ns[v]; k++) {
                if (k + 16 < ns[v]) seen_prefetch(f[k + 16]);
                seen_add(f[k], 0, 0);
            }
        }
        for (int v = 0; v < nw; v++) if (ctl->w[v].depth_hit) S->status = ST_MAX_DEPTH;
        S->level_base += total;
        { Front t = cur_f; cur_f = next_f; next_f = t; }
        if (!total) return 0;
        S->depth++;
        /* rebalance: a giver serialises the tail of its frontier, one blob per taker */
        int moving = plan_moves(ns, moves);
        if (moving) {
            uint64_t give = 0;
            for (int t = 0; t < nw; t++) give += moves[me][t];
            if (give) spread_out(give);
            Words out = {0};
            uint64_t from = cur_f.n - give;
            for (int t = 0; t < nw; t++) {
                ctl->w[me].blob_at[t] = out.n;
                if (moves[me][t]) {
                    ser_states(&out, from, moves[me][t]);
                    from += moves[me][t];
                    my_moved += moves[me][t];
                }
            }
            ctl->w[me].blob_words = out.n;
            if (out.n) memcpy(region_reserve(&xreg[me], out.n * 4), out.d, out.n * 4);
            cur_f.n -= give;
            free(out.d);
        }
        if (barrier()) return 1; /* D: the moving states are ready, what C published read */
        if (moving) {
            uint64_t before_n = cur_f.n;
            for (int g = 0; g < nw; g++) {
                if (!moves[g][me]) continue;
                region_map(&xreg[g], ctl->w[g].blob_words * 4);
                deser_states((const uint32_t *)xreg[g].p + ctl->w[g].blob_at[me], &cur_f);
            }
            /* expanded in rank order: merge what came in (each giver's run is in order) */
            for (uint64_t start = before_n; start < cur_f.n;) {
                uint64_t end = start + 1;
                while (end < cur_f.n && cur_f.rank[end] > cur_f.rank[end - 1]) end++;
                merge_runs(start, end);
                start = end;
            }
        }
    }
}

/* After the search: this worker's counts and parent links, for the leader. */
static void publish_totals(void) {
    ctl->w[me].generated = my_generated;
    ctl->w[me].constrained = my_constrained;
    ctl->w[me].moved = my_moved;
    memcpy(ctl->w[me].fired, my_fired, sizeof my_fired);
    memcpy(ctl->w[me].found, my_found, sizeof my_found);
    ctl->w[me].nrecs = nrecs;
    uint64_t *out = region_reserve(&xreg[me], (2 * nrecs + 1) * sizeof(uint64_t));
    for (uint64_t k = 0; k < nrecs; k++) { out[2 * k] = r_rank[k]; out[2 * k + 1] = r_key[k]; }
}

static void reset_worker(void) {
    nclaims = nrecs = 0;
    cur_f.n = next_f.n = 0;
    my_generated = my_constrained = my_moved = 0;
    memset(my_fired, 0, sizeof my_fired);
    memset(my_found, 0, sizeof my_found);
}

/* This worker's share of the initial states (all in cur_f, as found before the fork):
 * every nw-th, from its own number. */
static void take_initial_share(void) {
    uint64_t n = 0;
    for (uint64_t j = 0; j < cur_f.n; j++) {
        if (j % (uint64_t)nw != (uint64_t)me) continue;
        memmove(cur_f.s + n * NV, cur_f.s + j * NV, NV * sizeof(V));
        cur_f.rank[n++] = cur_f.rank[j];
    }
    cur_f.n = n;
}

static uint64_t moved_states;
static void shared_free(void) {
    Region *all[] = {wreg, xreg, oreg};
    for (int r = 0; r < 3; r++)
        for (int k = 0; k < MAXW; k++) {
            region_drop(&all[r][k]);
            if (all[r][k].fd > 0) close(all[r][k].fd);
            all[r][k].fd = 0;
            all[r][k].size = 0;
        }
    if (ctl) munmap(ctl, sizeof(Ctl));
    ctl = 0;
}

static int new_region(Region *r) {
    r->fd = (int)syscall(SYS_memfd_create, "refute-workers", 0);
    r->p = 0; r->mapped = r->size = 0;
    return r->fd >= 0;
}

/* The search of refute_run with `workers` processes (see the head of this file); the same
 * status, counts, coverage and parent links. Not for keep (verification) or graph runs. */
int refute_run_workers(int workers, int deadlock, int64_t max_states, int64_t max_depth,
                       double time_limit) {
    Search S = {0};
    clock_gettime(CLOCK_MONOTONIC, &S.t0);
    S.deadlock = deadlock; S.max_states = max_states; S.max_depth = max_depth;
    S.time_limit = time_limit;
    keep_states = 0;
    seen_reset(0); /* (each worker's copy of the states found before the level it expands) */
    memset(&R, 0, sizeof R);
    links_reset();
    nedges = 0;
    memset(fired, 0, sizeof fired);
    memset(found, 0, sizeof found);
    moved_states = 0;
    nw = workers < 2 ? 2 : workers > MAXW ? MAXW : workers;
    me = 0;
    memset(kids, 0, sizeof kids);
    reset_worker();
    if (setjmp(rt_jump)) {
        if (ctl) {
            abort_run();
            for (int k = 1; k < nw; k++) if (kids[k] > 0) { kill(kids[k], SIGKILL); waitpid(kids[k], 0, 0); }
        }
        shared_free();
        R.status = ST_ERROR;
        R.error_code = rt_error_code;
        nbufs = 0;
        return R.status;
    }
    values_ready();
    ctl = mmap(0, sizeof(Ctl), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (ctl == MAP_FAILED) { ctl = 0; rt_fail(100); }
    memset(ctl, 0, sizeof(Ctl));
    ctl->stop_key = NONE;
    for (int k = 0; k < nw; k++)
        if (!new_region(&wreg[k]) || !new_region(&xreg[k]) || !new_region(&oreg[k])) rt_fail(100);
    /* the initial states, as refute_run finds them */
    nsucc = 0;
    model_init();
    for (uint32_t o = 0; o < nsucc; o++) {
        const V *s = succ + (size_t)o * NV;
        R.generated++;
        if (NCON && !model_constraint(s)) { R.constrained++; continue; }
        if (!seen_add(state_fp(s), 0, 0)) continue;
        uint64_t index = R.distinct;
        record_state(ROOT, o, s);
        R.depth = 1;
        if (!check_invariants(s)) {
            R.status = ST_INVARIANT; R.index = (uint32_t)index;
            shared_free();
            return R.status;
        }
        front_push(&cur_f, s, index);
    }
    S.level_base = R.distinct;
    S.depth = R.depth;
    /* the other workers: forked now, with the model set up and the initial states known */
    pid_t leader = getpid();
    for (int k = 1; k < nw; k++) {
        fflush(0);
        pid_t pid = fork();
        if (pid < 0) rt_fail(103);
        if (pid == 0) {
            prctl(PR_SET_PDEATHSIG, SIGKILL);
            if (getppid() != leader) _exit(0);
            signal(SIGINT, SIG_DFL);
            me = k;
            if (setjmp(rt_jump)) {
                ctl->error = 1;
                ctl->error_code = rt_error_code;
                abort_run();
                _exit(0);
            }
            take_initial_share();
            if (!work(&S)) {
                publish_totals();
                barrier();
            }
            __atomic_store_n(&ctl->w[k].finished, 1, __ATOMIC_RELEASE);
            _exit(0);
        }
        kids[k] = pid;
    }
    take_initial_share();
    int aborted = work(&S);
    if (!aborted) {
        publish_totals();
        aborted = barrier(); /* every worker's totals and links are published */
    }
    if (aborted) {
        int code = ctl->error ? ctl->error_code : 200; /* 200: a worker process died */
        for (int k = 1; k < nw; k++) if (kids[k] > 0) { kill(kids[k], SIGKILL); waitpid(kids[k], 0, 0); }
        shared_free();
        R.status = ST_ERROR;
        R.error_code = code;
        return R.status;
    }
    for (int k = 1; k < nw; k++) if (kids[k] > 0) waitpid(kids[k], 0, 0);
    /* the leader's counts: the initial states' (R), then every worker's */
    uint64_t distinct = S.level_base;
    if (distinct > UINT32_MAX) rt_fail(104);
    links_room(distinct ? distinct : 1, 0);
    for (int v = 0; v < nw; v++) {
        R.generated += ctl->w[v].generated;
        R.constrained += ctl->w[v].constrained;
        moved_states += ctl->w[v].moved;
        for (int k = 0; k < NLABEL; k++) {
            fired[k] += ctl->w[v].fired[k];
            found[k] += ctl->w[v].found[k];
        }
        uint64_t n = ctl->w[v].nrecs;
        region_map(&xreg[v], (2 * n + 1) * sizeof(uint64_t));
        const uint64_t *recs = (const uint64_t *)xreg[v].p;
        for (uint64_t k = 0; k < n; k++) {
            uint64_t rank = recs[2 * k], key = recs[2 * k + 1];
            links_set((uint32_t)rank, (uint32_t)((key >> OBITS) - 1), (uint32_t)(key & OMASK));
        }
    }
    R.distinct = (uint32_t)distinct;
    R.depth = S.depth;
    R.status = S.status;
    R.which = S.which;
    if (S.status == ST_INVARIANT || S.status == ST_DEADLOCK) R.index = (uint32_t)S.index;
    shared_free();
    return R.status;
}

uint64_t refute_moved(void) { return moved_states; }
