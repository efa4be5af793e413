/* Checkpoints of the one-process search (refute_run): what a run that stopped (a time limit, a
 * --max-states bound, Ctrl-C, a kill after the last checkpoint) needs to go on exactly as if
 * it had not stopped: the counts, the coverage counters, every state's parent link, the seen
 * set and the frontier (the rest of the level being expanded and the next level so far).
 *
 * A checkpoint describes one instant between two expansions (ckpt_pos, ckpt_skip: see
 * runtime.c), so no successor is half handled. Value ids are private to a process (the
 * intern table is built in the order values are met), so the frontier's states are written
 * as a DAG of their values (workers.c's ser_value: each distinct value once, children first)
 * and interned again when read; fingerprints and the order of sets do not depend on ids, so
 * the resumed search is the same search. The seen set is written and read through its
 * functions (seen_next, seen_add), not as its table: its layout is its own.
 *
 * The body written here is a sequence of little-endian 32-bit words (64-bit counts as two),
 * ending with a checksum of all the others: a file cut short or altered is refused before
 * anything of it is used. The Python side (refute/compiled/checkpoint.py) writes the header
 * saying what the checkpoint belongs to, appends this body and renames the file into place.
 */

#define CK_MAGIC 0x4b435246u /* "FRCK" */
#define CK_VERSION 1u

typedef struct { FILE *f; uint64_t hash; uint32_t buf[4096]; uint32_t n; int failed; } CkOut;

static void ck_flush(CkOut *o) {
    if (o->n && fwrite(o->buf, sizeof(uint32_t), o->n, o->f) != o->n) o->failed = 1;
    o->n = 0;
}
/* The checksum: each word xored in, then multiplied by an odd constant (both bijective, so
 * any one word changed changes the sum; cheaper than mix64 on hundreds of MiB). */
#define CK_SEED 0x9e3779b97f4a7c15ULL
#define CK_STEP(h, w) (((h) ^ (w)) * 0x100000001b3ULL)
static inline void ck_word(CkOut *o, uint32_t w) {
    o->hash = CK_STEP(o->hash, w);
    o->buf[o->n++] = w;
    if (o->n == sizeof o->buf / sizeof o->buf[0]) ck_flush(o);
}
static inline void ck_u64(CkOut *o, uint64_t x) { ck_word(o, (uint32_t)x); ck_word(o, (uint32_t)(x >> 32)); }

/* The checkpoint of the instant ckpt_pos/ckpt_skip/ckpt_depth, appended to the file at path.
 * 0 written, 1 an I/O error (errno says which). */
int refute_checkpoint_write(const char *path) {
    CkOut *o = malloc(sizeof *o);
    if (!o) return 1;
    o->f = fopen(path, "ab");
    if (!o->f) { free(o); return 1; }
    /* out of memory serialising the frontier (rt_fail): this write fails, the search does not
     * (it may be running, below a Python callback, or over) */
    jmp_buf search_jump;
    memcpy(search_jump, rt_jump, sizeof search_jump);
    if (setjmp(rt_jump)) {
        memcpy(rt_jump, search_jump, sizeof search_jump);
        nbufs = 0;
        fclose(o->f);
        free(o);
        return 1;
    }
    o->hash = CK_SEED; o->n = 0; o->failed = 0;
    ck_word(o, CK_MAGIC); ck_word(o, CK_VERSION); ck_word(o, NV); ck_word(o, NLABEL);
    ck_word(o, R.distinct); ck_u64(o, R.generated); ck_word(o, ckpt_depth);
    ck_u64(o, R.constrained); ck_word(o, ckpt_skip);
    ck_word(o, (uint32_t)ckpt_past_depth);
    for (int k = 0; k < NLABEL; k++) ck_u64(o, fired[k]);
    for (int k = 0; k < NLABEL; k++) ck_u64(o, found[k]);
    for (uint32_t k = 0; k < R.distinct; k++) ck_word(o, links_parent(k));
    for (uint32_t k = 0; k < R.distinct; k++) ck_word(o, links_ordinal(k));
    ck_u64(o, seen_count);
    uint64_t at = 0, fp;
    while ((fp = seen_next(&at))) ck_u64(o, fp);
    /* the frontier: bfs_cur from ckpt_pos (a state partly expanded first), then bfs_next */
    uint32_t ncur = bfs_cur.n - ckpt_pos, nnext = bfs_next.n;
    Words nodes = {0}, states = {0};
    ser_begin();
    for (uint32_t k = ckpt_pos; k < bfs_cur.n; k++) {
        words_push(&states, bfs_cur.index[k]);
        for (int j = 0; j < NV; j++) words_push(&states, ser_value(&nodes, bfs_cur.s[(size_t)k * NV + j]));
    }
    for (uint32_t k = 0; k < nnext; k++) {
        words_push(&states, bfs_next.index[k]);
        for (int j = 0; j < NV; j++) words_push(&states, ser_value(&nodes, bfs_next.s[(size_t)k * NV + j]));
    }
    ck_word(o, ncur); ck_word(o, nnext); ck_word(o, ser_nodes); ck_u64(o, nodes.n);
    for (uint64_t k = 0; k < nodes.n; k++) ck_word(o, nodes.d[k]);
    for (uint64_t k = 0; k < states.n; k++) ck_word(o, states.d[k]);
    free(nodes.d); free(states.d);
    uint64_t h = o->hash;
    ck_word(o, (uint32_t)h); ck_word(o, (uint32_t)(h >> 32)); /* (ck_word's hash of these: unused) */
    ck_flush(o);
    memcpy(rt_jump, search_jump, sizeof search_jump);
    int failed = o->failed | (fflush(o->f) != 0) | (fclose(o->f) != 0);
    free(o);
    return failed;
}

/* The words of a checkpoint body, read whole and checked one field at a time. */
typedef struct { const uint32_t *w; uint64_t n, at; int bad; } CkIn;
static uint32_t ck_take(CkIn *in) {
    if (in->at >= in->n) { in->bad = 1; return 0; }
    return in->w[in->at++];
}
static uint64_t ck_take64(CkIn *in) { uint64_t lo = ck_take(in); return lo | (uint64_t)ck_take(in) << 32; }

/* Whether the nn nodes at p (nwords words) form a DAG deser_nodes can intern: known kinds,
 * children before their parents, atoms of this model. */
static int ck_nodes_valid(const uint32_t *p, uint64_t nwords, uint32_t nn) {
    uint64_t at = 0;
    for (uint32_t k = 0; k < nn; k++) {
        if (at + 2 > nwords) return 0;
        uint8_t tag = (uint8_t)(p[at] & 0xff);
        if (tag == T_BOOL || tag == T_INT || tag == T_ATOM) {
            if (at + 3 > nwords) return 0;
            if (tag == T_ATOM && (p[at + 2] || p[at + 1] >= sizeof atom_model)) return 0;
            if (tag == T_BOOL && (p[at + 2] || p[at + 1] > 1)) return 0;
            at += 3;
        } else if (tag == T_SEQ || tag == T_SET || tag == T_FN) {
            uint64_t words = tag == T_FN ? 2 * (uint64_t)p[at + 1] : p[at + 1];
            if (at + 2 + words > nwords) return 0;
            for (uint64_t j = 0; j < words; j++) if (p[at + 2 + j] >= k) return 0;
            at += 2 + words;
        } else {
            return 0;
        }
    }
    return at == nwords;
}

/* Put the search where the checkpoint at path (its body from offset) was taken: R, the
 * coverage counters, parent links, the seen set, bfs_cur (from position 0) and bfs_next.
 * Called by search() after its reset. 0 done, 1 the file cannot be read or is not a
 * checkpoint of this model, 2 its tables would pass --memory-limit (nothing of it used then:
 * the search stops with nothing found, which no checkpoint is written of). */
static int ckpt_load(const char *path, int64_t offset) {
    FILE *f = fopen(path, "rb");
    if (!f) return 1;
    if (fseek(f, 0, SEEK_END) || ftell(f) < offset) { fclose(f); return 1; }
    uint64_t bytes = (uint64_t)(ftell(f) - offset);
    if (bytes % 4 || bytes < 8 || fseek(f, offset, SEEK_SET)) { fclose(f); return 1; }
    uint32_t *w = malloc(bytes);
    if (!w) { fclose(f); rt_fail(100); }
    int short_read = fread(w, 1, bytes, f) != bytes;
    fclose(f);
    uint64_t n = bytes / 4 - 2, h = CK_SEED;
    for (uint64_t k = 0; !short_read && k < n; k++) h = CK_STEP(h, w[k]);
    CkIn in = {w, n, 0, short_read || w[n] != (uint32_t)h || w[n + 1] != (uint32_t)(h >> 32)};
    if (in.bad || ck_take(&in) != CK_MAGIC || ck_take(&in) != CK_VERSION || ck_take(&in) != NV
            || ck_take(&in) != NLABEL) { free(w); return 1; }
    uint32_t distinct = ck_take(&in);
    uint64_t generated = ck_take64(&in);
    uint32_t depth = ck_take(&in);
    uint64_t constrained = ck_take64(&in);
    uint32_t skip = ck_take(&in), depth_hit = ck_take(&in);
    uint64_t fired_at = in.at;
    in.at += 4 * (uint64_t)NLABEL;
    uint64_t links_at = in.at;
    in.at += 2 * (uint64_t)distinct;
    uint64_t nseen = in.at <= n ? ck_take64(&in) : 0;
    uint64_t seen_at = in.at;
    in.at += 2 * nseen;
    uint32_t ncur = in.at <= n ? ck_take(&in) : 0, nnext = ck_take(&in), nn = ck_take(&in);
    uint64_t nwords = ck_take64(&in), nodes_at = in.at;
    uint64_t states_at = nodes_at + nwords;
    if (in.bad || nseen != distinct || states_at > n
            || (uint64_t)(ncur + (uint64_t)nnext) * (1 + NV) != n - states_at
            || !ck_nodes_valid(w + nodes_at, nwords, nn)) { free(w); return 1; }
    for (uint64_t k = 0; k < (uint64_t)(ncur + (uint64_t)nnext) * (1 + NV); k++) {
        uint32_t x = w[states_at + k];
        if (k % (1 + NV) ? x >= nn : x >= distinct) { free(w); return 1; }
    }
    for (uint32_t k = 0; k < distinct; k++)
        if ((w[links_at + k] != ROOT && w[links_at + k] >= k)) { free(w); return 1; }
    /* the checkpoint is whole and of this model: apply it, if its tables fit within the
     * memory limit (sized once, not grown state by state) */
    if (!seen_room(nseen) || !links_room(distinct, 1) || !level_room(&bfs_cur, ncur, 1)
            || !level_room(&bfs_next, nnext, 1)) { free(w); return 2; }
    for (int k = 0; k < NLABEL; k++) {
        fired[k] = w[fired_at + 2 * k] | (uint64_t)w[fired_at + 2 * k + 1] << 32;
        found[k] = w[fired_at + 2 * (NLABEL + k)] | (uint64_t)w[fired_at + 2 * (NLABEL + k) + 1] << 32;
    }
    for (uint32_t k = 0; k < distinct; k++)
        record_state(w[links_at + k], w[links_at + distinct + k], 0);
    for (uint64_t k = 0; k < nseen; k++)
        seen_add(w[seen_at + 2 * k] | (uint64_t)w[seen_at + 2 * k + 1] << 32, 0, 0);
    V *map = rt_alloc((size_t)(nn ? nn : 1) * sizeof(V));
    deser_nodes(w + nodes_at, nn, map);
    V s[NV];
    const uint32_t *p = w + states_at;
    for (uint32_t k = 0; k < ncur + nnext; k++, p += 1 + NV) {
        for (int j = 0; j < NV; j++) s[j] = map[p[1 + j]];
        level_push(k < ncur ? &bfs_cur : &bfs_next, s, p[0]);
    }
    free(map);
    free(w);
    R.generated = generated;
    R.depth = depth;
    if (!ncur) { /* taken at a level's end: the next level is the one to expand, as search() swaps */
        Level t = bfs_cur; bfs_cur = bfs_next; bfs_next = t;
        bfs_next.n = 0;
        if (bfs_cur.n) R.depth++;
    }
    R.constrained = constrained;
    R.status = depth_hit ? ST_MAX_DEPTH : ST_OK;
    ckpt_past_depth = depth_hit != 0;
    ckpt_pos = 0;
    ckpt_skip = skip;
    return 0;
}

/* Ctrl-C while a checkpointing run explores: the search stops at its next check (every 512
 * expansions, as for the time limit) with ST_INTERRUPTED, so that the Python side writes a
 * checkpoint of that instant before it reports the interruption. */
static struct sigaction ckpt_previous;
static void ckpt_on_interrupt(int signal) { (void)signal; ckpt_interrupted = 1; }
static void ckpt_signals(int on) {
    if (ckpt_interval < 0) return;
    if (on) {
        struct sigaction action;
        memset(&action, 0, sizeof action);
        action.sa_handler = ckpt_on_interrupt;
        sigemptyset(&action.sa_mask);
        ckpt_interrupted = 0;
        sigaction(SIGINT, &action, &ckpt_previous);
        if (ckpt_previous.sa_handler == SIG_IGN) sigaction(SIGINT, &ckpt_previous, 0); /* (nohup, &) */
    } else {
        sigaction(SIGINT, &ckpt_previous, 0);
    }
}

/* ------------------------------------------------------------------ exports */
/* Checkpoint every `interval` seconds (< 0: never) through `writer`, which calls
 * refute_checkpoint_write and returns 0, or 1 when it could not (the run then stops). */
void refute_checkpoint_every(double interval, int (*writer)(int)) {
    ckpt_interval = writer ? interval : -1;
    ckpt_writer = writer;
}
/* The next refute_run starts from the checkpoint in path (its body at offset). */
void refute_resume_from(const char *path, int64_t offset) {
    free((void *)ckpt_resume_path);
    ckpt_resume_path = path ? strdup(path) : 0;
    ckpt_resume_offset = offset;
}
uint32_t refute_checkpoint_depth(void) { return ckpt_depth; }
