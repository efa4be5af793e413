/*
 * refute.engine._fingerprint: deterministic 64-bit fingerprints of state values, in C.
 *
 * This is the C half of refute/engine/fingerprint.py, which documents the invariants and holds
 * the pure-Python twin (fingerprint_python). The two MUST produce identical numbers: any change
 * here must be made there too, and the golden numbers in tests/engine/test_fingerprint.py
 * updated on purpose.
 *
 * Algorithm. Every fingerprint is an XXH64 (seed 0 plus a per-type tag as the seed) of bytes:
 *   None                 XXH64(b"", TAG_NONE)
 *   int in int64 range   XXH64(8-byte little-endian two's complement, TAG_INT)   (bool: 0 / 1)
 *   other int            XXH64(minimal little-endian two's complement, TAG_BIGINT)
 *   float                integral -> as the equal int; else XXH64(8-byte little-endian IEEE
 *                        bits, TAG_FLOAT), every NaN as 0x7ff8000000000000
 *   str                  XXH64(UTF-8 bytes, 'surrogatepass', TAG_STR)
 *   bytes                XXH64(bytes, TAG_BYTES)
 *   tuple (+subclasses)  XXH64(the items' fingerprints as little-endian uint64s, TAG_TUPLE)
 *   frozenset            XXH64(the elements' fingerprints, sorted as uint64, TAG_FROZENSET)
 *   dict (+subclasses)   XXH64(the (key fp, value fp) pairs, sorted as pairs of uint64, TAG_DICT)
 * XXH64 of exactly 8 bytes is a bijection of the word, so distinct int64 never collide; sorting
 * the fingerprints makes sets and dicts order-independent without weakening the mixing. The
 * tuple, set and dict hashes stream the words through XXH64 without building a byte buffer.
 *
 * Only the stable public C API is used, plus the documented PyUnicode / PyTuple macros.
 *
 * Cache. Successor states share most of their parts with their parent (s.update(x=...) keeps
 * every other field's object), so the same frozenset or FrozenMap object is fingerprinted once
 * per successor. A direct-mapped cache keyed by object identity remembers the fingerprints of
 * immutable values: strings (field names, keys and enum-like values recur in every state),
 * frozensets, the registered immutable mapping type (FrozenMap), and tuples (records, messages)
 * below the top level that hold no plain dict.
 * Each entry holds a strong reference, so a cached object cannot be freed and its address
 * cannot be reused by another object while its entry lives: a hit is always the same object,
 * whose value cannot have changed. Plain dicts are mutable and never cached. Only objects with
 * another reference besides their container's are stored: a part that a successor shares with
 * its parent is referenced by both, while one an action built anew (the successor's new map
 * or set) is referenced by its state alone and would only evict shared parts and keep dead
 * successors' values alive until evicted (releasing those took 8% of a TwoPhase profile).
 *
 * Untracking. Each immutable container whose items are all settled (see settled()) is taken
 * off the cyclic collector's lists as it is fingerprinted (see untrack()).
 */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#define MAX_DEPTH 1000  /* nested containers; keep in sync with fingerprint.py */

/* XXH64 primes. */
#define P1 UINT64_C(0x9E3779B185EBCA87)
#define P2 UINT64_C(0xC2B2AE3D27D4EB4F)
#define P3 UINT64_C(0x165667B19E3779F9)
#define P4 UINT64_C(0x85EBCA77C2B2AE63)
#define P5 UINT64_C(0x27D4EB2F165667C5)

/* Per-type seeds (arbitrary constants; keep in sync with fingerprint.py). */
#define TAG_NONE      UINT64_C(0x6A09E667F3BCC908)
#define TAG_INT       UINT64_C(0xBB67AE8584CAA73B)
#define TAG_BIGINT    UINT64_C(0x3C6EF372FE94F82B)
#define TAG_FLOAT     UINT64_C(0xA54FF53A5F1D36F1)
#define TAG_STR       UINT64_C(0x510E527FADE682D1)
#define TAG_BYTES     UINT64_C(0x9B05688C2B3E6C1F)
#define TAG_TUPLE     UINT64_C(0x1F83D9ABFB41BD6B)
#define TAG_FROZENSET UINT64_C(0xCBBB9D5DC1059ED8)
#define TAG_DICT      UINT64_C(0x629A292A367CD507)
#define NAN_BITS      UINT64_C(0x7FF8000000000000)

#if defined(__GNUC__) || defined(__clang__)
#define NOINLINE __attribute__((noinline))
#else
#define NOINLINE
#endif

static inline uint64_t rotl64(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

/* ---- XXH64 (the reference algorithm; little-endian reads on every platform) ---- */

static inline uint64_t read64(const unsigned char *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    return v;
}

static inline uint32_t read32(const unsigned char *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap32(v);
#endif
    return v;
}

static inline uint64_t xxh_round(uint64_t acc, uint64_t input)
{
    acc += input * P2;
    acc = rotl64(acc, 31);
    return acc * P1;
}

static inline uint64_t xxh_merge(uint64_t acc, uint64_t val)
{
    acc ^= xxh_round(0, val);
    return acc * P1 + P4;
}

static inline uint64_t xxh_tail(uint64_t h, const unsigned char *p, const unsigned char *end)
{
    while (p + 8 <= end) {
        h ^= xxh_round(0, read64(p));
        h = rotl64(h, 27) * P1 + P4;
        p += 8;
    }
    if (p + 4 <= end) {
        h ^= (uint64_t)read32(p) * P1;
        h = rotl64(h, 23) * P2 + P3;
        p += 4;
    }
    while (p < end) {
        h ^= (uint64_t)(*p) * P5;
        h = rotl64(h, 11) * P1;
        p++;
    }
    h ^= h >> 33;
    h *= P2;
    h ^= h >> 29;
    h *= P3;
    h ^= h >> 32;
    return h;
}

static NOINLINE uint64_t xxh64_long(const unsigned char *p, size_t len, uint64_t seed)
{
    const unsigned char *end = p + len;
    const unsigned char *limit = end - 32;
    uint64_t v1 = seed + P1 + P2, v2 = seed + P2, v3 = seed, v4 = seed - P1;
    do {
        v1 = xxh_round(v1, read64(p));
        v2 = xxh_round(v2, read64(p + 8));
        v3 = xxh_round(v3, read64(p + 16));
        v4 = xxh_round(v4, read64(p + 24));
        p += 32;
    } while (p <= limit);
    uint64_t h = rotl64(v1, 1) + rotl64(v2, 7) + rotl64(v3, 12) + rotl64(v4, 18);
    h = xxh_merge(h, v1);
    h = xxh_merge(h, v2);
    h = xxh_merge(h, v3);
    h = xxh_merge(h, v4);
    return xxh_tail(h + (uint64_t)len, p, end);
}

/* XXH64; inputs under 32 bytes (most strings in states) are hashed inline. */
static inline uint64_t xxh64(const void *data, size_t len, uint64_t seed)
{
    const unsigned char *p = (const unsigned char *)data;
    if (len >= 32)
        return xxh64_long(p, len, seed);
    return xxh_tail(seed + P5 + (uint64_t)len, p, p + len);
}

/* XXH64 of a sequence of uint64 words taken as little-endian bytes, fed one word at a time. */
typedef struct {
    uint64_t v1, v2, v3, v4, seed;
    uint64_t pending[4];
    int npending;
    int striped;      /* at least one 32-byte stripe consumed */
    size_t nwords;
} xxh64_words;

static inline void words_init(xxh64_words *w, uint64_t seed)
{
    w->v1 = seed + P1 + P2;
    w->v2 = seed + P2;
    w->v3 = seed;
    w->v4 = seed - P1;
    w->seed = seed;
    w->npending = 0;
    w->striped = 0;
    w->nwords = 0;
}

static inline void words_add(xxh64_words *w, uint64_t word)
{
    w->pending[w->npending++] = word;
    w->nwords++;
    if (w->npending == 4) {
        w->v1 = xxh_round(w->v1, w->pending[0]);
        w->v2 = xxh_round(w->v2, w->pending[1]);
        w->v3 = xxh_round(w->v3, w->pending[2]);
        w->v4 = xxh_round(w->v4, w->pending[3]);
        w->npending = 0;
        w->striped = 1;
    }
}

static inline uint64_t words_finish(const xxh64_words *w)
{
    uint64_t h;
    if (w->striped) {
        h = rotl64(w->v1, 1) + rotl64(w->v2, 7) + rotl64(w->v3, 12) + rotl64(w->v4, 18);
        h = xxh_merge(h, w->v1);
        h = xxh_merge(h, w->v2);
        h = xxh_merge(h, w->v3);
        h = xxh_merge(h, w->v4);
    }
    else {
        h = w->seed + P5;
    }
    h += (uint64_t)w->nwords * 8;
    for (int i = 0; i < w->npending; i++) {
        h ^= xxh_round(0, w->pending[i]);
        h = rotl64(h, 27) * P1 + P4;
    }
    h ^= h >> 33;
    h *= P2;
    h ^= h >> 29;
    h *= P3;
    h ^= h >> 32;
    return h;
}

/* XXH64 of one 8-byte little-endian word (a bijection of the word). */
static inline uint64_t xxh64_word(uint64_t word, uint64_t seed)
{
    uint64_t h = seed + P5 + 8;
    h ^= xxh_round(0, word);
    h = rotl64(h, 27) * P1 + P4;
    h ^= h >> 33;
    h *= P2;
    h ^= h >> 29;
    h *= P3;
    h ^= h >> 32;
    return h;
}

/* ---- per-type fingerprints ---- */

static PyObject *zero;  /* the int 0, created at module init */

static inline uint64_t fp_int64(long long v) { return xxh64_word((uint64_t)v, TAG_INT); }

/* An int that does not fit in int64: XXH64 over its minimal two's-complement little-endian
 * bytes. Rare, so it goes through the Python-level int methods (public API only). */
static int fp_bigint(PyObject *v, uint64_t *out)
{
    /* An exact int, so that an int subclass's operators cannot intervene. */
    PyObject *exact = PyNumber_Index(v);
    if (exact == NULL)
        return -1;
    Py_ssize_t bits;
    PyObject *bytes = NULL;
    PyObject *magnitude = NULL, *bits_obj = NULL, *method = NULL, *args = NULL, *kwargs = NULL;
    int negative = PyObject_RichCompareBool(exact, zero, Py_LT);
    if (negative < 0)
        goto done;
    /* Minimal signed length: bit_length of v (or of ~v when v < 0), plus a sign bit. */
    magnitude = negative ? PyNumber_Invert(exact) : (Py_INCREF(exact), exact);
    if (magnitude == NULL)
        goto done;
    bits_obj = PyObject_CallMethod(magnitude, "bit_length", NULL);
    if (bits_obj == NULL)
        goto done;
    bits = PyLong_AsSsize_t(bits_obj);
    if (bits == -1 && PyErr_Occurred())
        goto done;
    method = PyObject_GetAttrString(exact, "to_bytes");
    args = Py_BuildValue("(ns)", (bits + 8) / 8, "little");
    kwargs = Py_BuildValue("{s:O}", "signed", Py_True);
    if (method == NULL || args == NULL || kwargs == NULL)
        goto done;
    bytes = PyObject_Call(method, args, kwargs);
    if (bytes != NULL && !PyBytes_Check(bytes)) {
        Py_CLEAR(bytes);
        PyErr_SetString(PyExc_SystemError, "int.to_bytes did not return bytes");
    }
    if (bytes != NULL)
        *out = xxh64(PyBytes_AS_STRING(bytes), (size_t)PyBytes_GET_SIZE(bytes), TAG_BIGINT);
done:
    Py_DECREF(exact);
    Py_XDECREF(magnitude);
    Py_XDECREF(bits_obj);
    Py_XDECREF(method);
    Py_XDECREF(args);
    Py_XDECREF(kwargs);
    if (bytes == NULL)
        return -1;
    Py_DECREF(bytes);
    return 0;
}

static int fp_long(PyObject *v, uint64_t *out)
{
    int overflow;
    long long x = PyLong_AsLongLongAndOverflow(v, &overflow);
    if (overflow == 0) {
        if (x == -1 && PyErr_Occurred())
            return -1;
        *out = fp_int64(x);
        return 0;
    }
    return fp_bigint(v, out);
}

static int fp_float(PyObject *v, uint64_t *out)
{
    double d = PyFloat_AS_DOUBLE(v);
    if (isfinite(d) && floor(d) == d) {
        /* Integral: equal to an int, so fingerprint as that int (covers -0.0 == 0). */
        if (d >= -9223372036854775808.0 && d < 9223372036854775808.0) {
            *out = fp_int64((long long)d);
            return 0;
        }
        PyObject *as_int = PyLong_FromDouble(d);
        if (as_int == NULL)
            return -1;
        int rc = fp_bigint(as_int, out);
        Py_DECREF(as_int);
        return rc;
    }
    uint64_t bits;
    if (isnan(d))
        bits = NAN_BITS;
    else
        memcpy(&bits, &d, 8);
    *out = xxh64_word(bits, TAG_FLOAT);
    return 0;
}

static int fp_str(PyObject *v, uint64_t *out)
{
    if (PyUnicode_IS_READY(v) && PyUnicode_IS_ASCII(v)) {
        /* ASCII strings (compact, or a str subclass's separate buffer) are UTF-8 already. */
        *out = xxh64(PyUnicode_DATA(v), (size_t)PyUnicode_GET_LENGTH(v), TAG_STR);
        return 0;
    }
    Py_ssize_t size;
    const char *utf8 = PyUnicode_AsUTF8AndSize(v, &size);
    if (utf8 != NULL) {
        *out = xxh64(utf8, (size_t)size, TAG_STR);
        return 0;
    }
    if (!PyErr_ExceptionMatches(PyExc_UnicodeEncodeError))
        return -1;
    /* Lone surrogates: encode with 'surrogatepass', as the Python twin does. */
    PyErr_Clear();
    PyObject *bytes = PyUnicode_AsEncodedString(v, "utf-8", "surrogatepass");
    if (bytes == NULL)
        return -1;
    *out = xxh64(PyBytes_AS_STRING(bytes), (size_t)PyBytes_GET_SIZE(bytes), TAG_STR);
    Py_DECREF(bytes);
    return 0;
}

static void set_type_error(PyObject *v)
{
    const char *hint;
    PyTypeObject *type = Py_TYPE(v);
    if (PyList_Check(v))
        hint = "states must be immutable (use tuple)";
    else if (PySet_Check(v))
        hint = "states must be immutable (use frozenset)";
    else if (PyByteArray_Check(v))
        hint = "states must be immutable (use bytes)";
    else
        hint = "states may hold only None, bool, int, float, str, bytes, tuple, "
               "frozenset and dict/FrozenMap (and their subclasses)";
    PyObject *name = PyType_GetName(type);
    if (name == NULL) {
        PyErr_Clear();
        PyErr_Format(PyExc_TypeError, "cannot fingerprint a %s: %s", type->tp_name, hint);
        return;
    }
    PyErr_Format(PyExc_TypeError, "cannot fingerprint a %U: %s", name, hint);
    Py_DECREF(name);
}

static int fp_any(PyObject *v, uint64_t *out, int depth);

#define CACHE_SIZE 4096  /* a power of two */
typedef struct {
    PyObject *object;  /* strong reference, or NULL */
    uint64_t fingerprint;
} cache_entry;
static cache_entry cache[CACHE_SIZE];
static PyTypeObject *immutable_mapping_type;  /* FrozenMap, once registered */

/* Set whenever a plain (mutable) dict is fingerprinted: a tuple that holds one, at any depth,
 * is not cached (fp_tuple_cached), since the dict may change while the tuple stays. */
static int mutable_seen;

/* True for the containers that untrack() may take off the collector's lists: exact tuples and
 * frozensets, the registered immutable mapping type, and tuple subclasses that add no field
 * (no instance dict, no slot: Record, State, Bag), whose only references are their items. */
static inline int untrackable_type(PyTypeObject *type)
{
    if (type == &PyTuple_Type || type == &PyFrozenSet_Type || type == immutable_mapping_type)
        return 1;
    return PyType_FastSubclass(type, Py_TPFLAGS_TUPLE_SUBCLASS) && type->tp_dictoffset == 0 &&
           type->tp_basicsize == PyTuple_Type.tp_basicsize;
}

/* True for subclasses of str and int that add no field (ModelValue): the collector tracks
 * their instances only for the reference to their class, which holds no state. */
static inline int atom_type(PyTypeObject *type)
{
    if (type->tp_dictoffset != 0)
        return 0;
    if (PyType_FastSubclass(type, Py_TPFLAGS_UNICODE_SUBCLASS))
        return type->tp_basicsize == PyUnicode_Type.tp_basicsize;
    return PyType_FastSubclass(type, Py_TPFLAGS_LONG_SUBCLASS) &&
           type->tp_basicsize == PyLong_Type.tp_basicsize;
}

/* True if `v` can be no part of a reference cycle the collector must find: not a container
 * it tracks, an immutable one (untrackable_type) it no longer tracks, or an atom (atom_type).
 * (The reference every instance of a class defined in Python holds to its class is left out:
 * a cycle through a class and its module is no garbage while the module lives.) */
static inline int settled(PyObject *v)
{
    PyTypeObject *type = Py_TYPE(v);
    if (!PyType_IS_GC(type) || atom_type(type))  /* checks of the type first: no calls */
        return 1;
    return untrackable_type(type) && !PyObject_GC_IsTracked(v);
}

/* `v`, fingerprinted, whose items are all settled: if it is immutable it cannot be part of a
 * cycle now or later, so the collector need not traverse it again. This is CPython's own
 * untracking of tuples of atoms (done at each collection, for exact tuples only) applied as
 * the value is fingerprinted and to the immutable containers states are made of: the search
 * keeps millions of states in its frontier, and the collector's young collections traversed
 * each twice, about a tenth of a Python spec's search (TwoPhase). Only tracking changes, never
 * the object, and the collector still frees every cycle a spec builds from other objects. */
static inline void untrack(PyObject *v)
{
    if (untrackable_type(Py_TYPE(v)))
        PyObject_GC_UnTrack(v);
}

static inline cache_entry *cache_slot(PyObject *v)
{
    uintptr_t address = (uintptr_t)v;
    return &cache[((address >> 4) ^ (address >> 16)) & (CACHE_SIZE - 1)];
}

static inline void cache_store(cache_entry *entry, PyObject *v, uint64_t fingerprint)
{
    if (Py_REFCNT(v) < 2)
        return;  /* held by its container alone: seen again only with it (see Cache above) */
    PyObject *old = entry->object;
    Py_INCREF(v);
    entry->object = v;
    entry->fingerprint = fingerprint;
    Py_XDECREF(old);  /* last: freeing old must not observe a half-written entry */
}

static NOINLINE int fp_tuple(PyObject *v, uint64_t *out, int depth)
{
    Py_ssize_t n = PyTuple_GET_SIZE(v);
    xxh64_words w;
    uint64_t h;
    int all_settled = 1;
    words_init(&w, TAG_TUPLE);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *item = PyTuple_GET_ITEM(v, i);
        if (fp_any(item, &h, depth) < 0)
            return -1;
        all_settled &= settled(item);
        words_add(&w, h);
    }
    *out = words_finish(&w);
    if (all_settled)
        untrack(v);
    return 0;
}

static inline void sort_words(uint64_t *a, Py_ssize_t n)
{
    for (Py_ssize_t i = 1; i < n; i++) {  /* insertion sort: sets in states are small */
        uint64_t x = a[i];
        Py_ssize_t j = i;
        for (; j > 0 && a[j - 1] > x; j--)
            a[j] = a[j - 1];
        a[j] = x;
    }
}

static int compare_words(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static int compare_pairs(const void *a, const void *b)
{
    const uint64_t *x = (const uint64_t *)a, *y = (const uint64_t *)b;
    if (x[0] != y[0])
        return (x[0] > y[0]) - (x[0] < y[0]);
    return (x[1] > y[1]) - (x[1] < y[1]);
}

#define STACK_WORDS 32

static NOINLINE int fp_frozenset(PyObject *v, uint64_t *out, int depth)
{
    uint64_t stack[STACK_WORDS];
    Py_ssize_t n = PySet_Size(v), count = 0;
    if (n < 0)
        return -1;
    uint64_t *fps = n <= STACK_WORDS ? stack : PyMem_Malloc((size_t)n * sizeof(uint64_t));
    if (fps == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    int rc = -1, all_settled = 1;
    PyObject *it = PyObject_GetIter(v), *item;
    if (it == NULL)
        goto done;
    while ((item = PyIter_Next(it)) != NULL) {
        int item_rc = count < n ? fp_any(item, &fps[count], depth) : 0;
        all_settled &= settled(item);
        Py_DECREF(item);
        if (item_rc < 0)
            goto done;
        count++;
    }
    if (PyErr_Occurred())
        goto done;
    if (count != n) {  /* a frozenset cannot change size; refuse rather than misbehave */
        PyErr_SetString(PyExc_RuntimeError, "frozenset changed size during fingerprinting");
        goto done;
    }
    if (n <= 64)
        sort_words(fps, n);
    else
        qsort(fps, (size_t)n, sizeof(uint64_t), compare_words);
    xxh64_words w;
    words_init(&w, TAG_FROZENSET);
    for (Py_ssize_t i = 0; i < n; i++)
        words_add(&w, fps[i]);
    *out = words_finish(&w);
    if (all_settled)
        untrack(v);
    rc = 0;
done:
    Py_XDECREF(it);
    if (fps != stack)
        PyMem_Free(fps);
    return rc;
}

/* The keys of the last dict fingerprinted that had at most MEMO_KEYS of them, in its order:
 * each key (a strong reference, as the cache's), its fingerprint, and the order of the keys'
 * fingerprints (order[j]: the position of the j-th smallest; all distinct). A state's maps
 * (TwoPhase's RM -> state, Paxos's acceptor -> ballot) have the same key objects in the same
 * order in every state, so the next map's keys are read here, without the cache, and its
 * pairs, which sort by their keys' fingerprints alone, need no sort. `version` changes with
 * every update, so that a nested map updating the memo mid-loop is noticed. */
#define MEMO_KEYS 16
static struct {
    Py_ssize_t n;  /* -1: empty */
    PyObject *keys[MEMO_KEYS];
    uint64_t fps[MEMO_KEYS];
    unsigned char order[MEMO_KEYS];
    uint64_t version;
} memo = {.n = -1};

/* Remember the n <= MEMO_KEYS keys and their fingerprints (pairs[2 i]), unless two of the
 * fingerprints are equal (then the values decide the order: the caller sorts pairs). */
static void memo_store(PyObject *const *keys, const uint64_t *pairs, Py_ssize_t n)
{
    unsigned char order[MEMO_KEYS];
    for (Py_ssize_t i = 0; i < n; i++) {  /* insertion sort of positions by key fingerprint */
        uint64_t k = pairs[2 * i];
        Py_ssize_t j = i;
        for (; j > 0 && pairs[2 * order[j - 1]] > k; j--)
            order[j] = order[j - 1];
        order[j] = (unsigned char)i;
    }
    for (Py_ssize_t j = 1; j < n; j++)
        if (pairs[2 * order[j - 1]] == pairs[2 * order[j]])
            return;
    PyObject *old[MEMO_KEYS];
    Py_ssize_t old_n = memo.n < 0 ? 0 : memo.n;
    memcpy(old, memo.keys, (size_t)old_n * sizeof(PyObject *));
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_INCREF(keys[i]);
        memo.keys[i] = keys[i];
        memo.fps[i] = pairs[2 * i];
        memo.order[i] = order[i];
    }
    memo.n = n;
    memo.version++;
    for (Py_ssize_t i = 0; i < old_n; i++)  /* last: freeing one must see a whole memo */
        Py_DECREF(old[i]);
}

static NOINLINE int fp_dict(PyObject *v, uint64_t *out, int depth)
{
    uint64_t stack[STACK_WORDS];
    PyObject *keys[MEMO_KEYS];  /* borrowed, for memo_store (the dict cannot change) */
    Py_ssize_t n = PyDict_Size(v), count = 0, pos = 0;
    if (n < 0)
        return -1;
    uint64_t *fps = 2 * n <= STACK_WORDS ? stack : PyMem_Malloc((size_t)n * 2 * sizeof(uint64_t));
    if (fps == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    int rc = -1, all_settled = 1;
    uint64_t version = memo.version;
    int memo_hit = memo.n == n;  /* so far, every key is the memo's at its position */
    PyObject *key, *value;
    while (PyDict_Next(v, &pos, &key, &value)) {
        if (count >= n) {
            count++;
            break;
        }
        /* Borrowed references: hold them while recursing. */
        Py_INCREF(key);
        Py_INCREF(value);
        int item_rc = 0;
        if (memo_hit && memo.version == version && memo.keys[count] == key)
            fps[2 * count] = memo.fps[count];
        else {
            memo_hit = 0;
            item_rc = fp_any(key, &fps[2 * count], depth);
        }
        if (item_rc == 0)
            item_rc = fp_any(value, &fps[2 * count + 1], depth);
        all_settled &= settled(key) & settled(value);
        if (n <= MEMO_KEYS)
            keys[count] = key;
        Py_DECREF(key);
        Py_DECREF(value);
        if (item_rc < 0)
            goto done;
        count++;
    }
    if (count != n) {
        PyErr_SetString(PyExc_RuntimeError, "dict changed size during fingerprinting");
        goto done;
    }
    xxh64_words w;
    words_init(&w, TAG_DICT);
    if (memo_hit && memo.version == version) {
        for (Py_ssize_t j = 0; j < n; j++) {  /* the pairs in the memo's order */
            words_add(&w, fps[2 * memo.order[j]]);
            words_add(&w, fps[2 * memo.order[j] + 1]);
        }
    }
    else {
        if (n <= MEMO_KEYS)
            memo_store(keys, fps, n);
        if (n <= 32) {
            for (Py_ssize_t i = 1; i < n; i++) {  /* insertion sort of (key, value) pairs */
                uint64_t k = fps[2 * i], x = fps[2 * i + 1];
                Py_ssize_t j = i;
                for (; j > 0 && (fps[2 * j - 2] > k || (fps[2 * j - 2] == k && fps[2 * j - 1] > x)); j--) {
                    fps[2 * j] = fps[2 * j - 2];
                    fps[2 * j + 1] = fps[2 * j - 1];
                }
                fps[2 * j] = k;
                fps[2 * j + 1] = x;
            }
        }
        else {
            qsort(fps, (size_t)n, 2 * sizeof(uint64_t), compare_pairs);
        }
        for (Py_ssize_t i = 0; i < 2 * n; i++)
            words_add(&w, fps[i]);
    }
    *out = words_finish(&w);
    if (all_settled)
        untrack(v);  /* a plain dict is not untrackable_type: only the immutable mapping */
    rc = 0;
done:
    if (fps != stack)
        PyMem_Free(fps);
    return rc;
}

static int fp_str_at(PyObject *v, uint64_t *out, int depth)
{
    (void)depth;
    return fp_str(v, out);
}

/* The fingerprint of an immutable object, from the identity cache or computed and stored. */
static inline int fp_cached(PyObject *v, uint64_t *out, int depth,
                            int (*compute)(PyObject *, uint64_t *, int))
{
    cache_entry *entry = cache_slot(v);
    if (entry->object == v) {
        *out = entry->fingerprint;
        return 0;
    }
    if (compute(v, out, depth) < 0)
        return -1;
    cache_store(entry, v, *out);
    return 0;
}

/* A tuple inside a state (a message in a set of messages, a record in a map), from the cache
 * or computed; cached only if it holds no plain dict. The state itself (depth 1) is never
 * cached: it is new for every successor, and would only evict the parts it shares. */
static NOINLINE int fp_tuple_cached(PyObject *v, uint64_t *out, int depth)
{
    cache_entry *entry = cache_slot(v);
    if (entry->object == v) {
        *out = entry->fingerprint;
        return 0;
    }
    int outer = mutable_seen;
    mutable_seen = 0;
    int rc = fp_tuple(v, out, depth);
    if (rc == 0 && !mutable_seen)
        cache_store(entry, v, *out);
    mutable_seen |= outer;
    return rc;
}

/* Containers are kept out of line so that the recursion's per-level stack frame stays small. */
static int fp_any(PyObject *v, uint64_t *out, int depth)
{
    PyTypeObject *type = Py_TYPE(v);
    /* Exact-type fast paths, most frequent first. */
    if (type == &PyUnicode_Type)
        return fp_cached(v, out, depth, fp_str_at);
    if (type == &PyLong_Type || type == &PyBool_Type)
        return fp_long(v, out);
    if (PyTuple_Check(v)) {  /* tuple, Record, Bag */
        if (++depth > MAX_DEPTH)
            goto too_deep;
        return depth > 1 ? fp_tuple_cached(v, out, depth) : fp_tuple(v, out, depth);
    }
    if (v == Py_None) {
        *out = xxh64(NULL, 0, TAG_NONE);
        return 0;
    }
    if (PyUnicode_Check(v))  /* ModelValue and other str subclasses: the text is immutable */
        return fp_cached(v, out, depth, fp_str_at);
    if (PyFrozenSet_Check(v)) {
        if (++depth > MAX_DEPTH)
            goto too_deep;
        return fp_cached(v, out, depth, fp_frozenset);
    }
    if (PyDict_Check(v)) {  /* dict, FrozenMap */
        if (++depth > MAX_DEPTH)
            goto too_deep;
        if (type == immutable_mapping_type)
            return fp_cached(v, out, depth, fp_dict);
        mutable_seen = 1;
        return fp_dict(v, out, depth);
    }
    if (PyLong_Check(v))
        return fp_long(v, out);
    if (PyFloat_Check(v))
        return fp_float(v, out);
    if (PyBytes_Check(v)) {
        *out = xxh64(PyBytes_AS_STRING(v), (size_t)PyBytes_GET_SIZE(v), TAG_BYTES);
        return 0;
    }
    set_type_error(v);
    return -1;

too_deep:
    PyErr_Format(PyExc_RecursionError,
                 "cannot fingerprint a value nested more than %d levels deep", MAX_DEPTH);
    return -1;
}

static PyObject *fingerprint(PyObject *module, PyObject *v)
{
    (void)module;
    uint64_t h;
    if (fp_any(v, &h, 0) < 0)
        return NULL;
    return PyLong_FromLongLong((long long)h);  /* two's-complement reinterpretation */
}

/* The C API other extensions reach through the capsule "refute.engine._fingerprint._C_API"
 * (refute.engine._shared_seen fingerprints successors without a Python int in between):
 * 0 and the fingerprint in *out, or -1 with an exception set. */
static int fingerprint_c(PyObject *v, int64_t *out)
{
    uint64_t h;
    if (fp_any(v, &h, 0) < 0)
        return -1;
    *out = (int64_t)h;
    return 0;
}

static PyObject *xxh64_py(PyObject *module, PyObject *args)
{
    (void)module;
    Py_buffer buf;
    unsigned long long seed = 0;
    if (!PyArg_ParseTuple(args, "y*|K:xxh64", &buf, &seed))
        return NULL;
    uint64_t h = xxh64(buf.buf, (size_t)buf.len, (uint64_t)seed);
    PyBuffer_Release(&buf);
    return PyLong_FromUnsignedLongLong(h);
}

static PyObject *register_immutable_mapping(PyObject *module, PyObject *type)
{
    (void)module;
    if (!PyType_Check(type) || !PyType_IsSubtype((PyTypeObject *)type, &PyDict_Type)) {
        PyErr_SetString(PyExc_TypeError, "register_immutable_mapping expects a dict subclass");
        return NULL;
    }
    Py_INCREF(type);
    Py_XSETREF(immutable_mapping_type, (PyTypeObject *)type);
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"register_immutable_mapping", register_immutable_mapping, METH_O,
     "register_immutable_mapping(type)\n\nDeclare a dict subclass whose instances never change "
     "(FrozenMap), so that their fingerprints may be cached by identity."},
    {"fingerprint", fingerprint, METH_O,
     "fingerprint(value) -> int\n\n"
     "A deterministic signed 64-bit fingerprint of an immutable state value; see "
     "refute.engine.fingerprint for the invariants."},
    {"xxh64", xxh64_py, METH_VARARGS,
     "xxh64(data, seed=0) -> int\n\nThe unsigned XXH64 of a bytes-like object (for tests)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT,
    "refute.engine._fingerprint",
    "C implementation of refute.engine.fingerprint (see that module).",
    -1,
    methods,
    NULL,
    NULL,
    NULL,
    NULL,
};

PyMODINIT_FUNC PyInit__fingerprint(void)
{
    if (zero == NULL && (zero = PyLong_FromLong(0)) == NULL)
        return NULL;
    PyObject *module = PyModule_Create(&module_def);
    if (module == NULL)
        return NULL;
    if (PyModule_AddIntConstant(module, "MAX_DEPTH", MAX_DEPTH) < 0) {
        Py_DECREF(module);
        return NULL;
    }
    PyObject *capsule = PyCapsule_New((void *)fingerprint_c, "refute.engine._fingerprint._C_API",
                                      NULL);
    if (capsule == NULL || PyModule_AddObject(module, "_C_API", capsule) < 0) {
        Py_XDECREF(capsule);
        Py_DECREF(module);
        return NULL;
    }
    return module;
}
