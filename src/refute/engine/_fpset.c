/*
 * refute.engine._fpset: the in-process sets and maps of 64-bit fingerprints (refute/engine/
 * fpset.py documents their use and holds the pure-Python twins; the two MUST behave the same,
 * tests/engine/test_fpset.py runs one suite against both).
 *
 *   FingerprintSet   a set of int64: the explorers' seen-set, ~11 to 21 bytes a fingerprint
 *   FingerprintMap   an int64 -> int64 map: the liveness graph's fingerprint -> state number
 *
 * Layout. Open addressing with linear probing over a power-of-two table of slots (one int64 a
 * slot in the set; a key word and a value word in the map); the slot of a fingerprint is the
 * top bits of fingerprint * 2^64/phi (fingerprints are XXH64 hashes already; the multiply
 * spreads any that are not, such as small ints in tests). A slot is empty while it holds 0;
 * the fingerprint 0 itself is kept aside (has_zero, zero_value). The table doubles when three
 * quarters of it would be in use, so it is between 3/8 and 3/4 full: 10.7 to 21.3 bytes a
 * fingerprint in the set. Nothing is ever removed (the explorers never forget a state).
 *
 * FingerprintSet.scan is the sequential search's per-successor loop (refute/engine/bfs.py):
 * for one parent's successors, count each one's action, fingerprint it (calling the C
 * fingerprint function directly when it is the one given, as _shared_seen.c's scan does) and
 * add the new ones; it answers the positions of the successors that were new, in order.
 */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

#define MIN_CAPACITY 64
#define SCAN_CHUNK 32  /* successors fingerprinted ahead of their probes (see scan) */
#if defined(__GNUC__) || defined(__clang__)
#define PREFETCH(address) __builtin_prefetch(address)
#else
#define PREFETCH(address) ((void)(address))
#endif

#include "_fingerprint_api.h"

/* The table shared by both types: `words` words a slot (1 in a set, 2 in a map). */
typedef struct {
    int64_t *slots;
    uint64_t mask;      /* capacity - 1 */
    int shift;          /* 64 - log2(capacity) */
    Py_ssize_t used;    /* slots in use (the fingerprint 0 not counted) */
    int has_zero;
    int64_t zero_value;
} Table;

static inline uint64_t slot_of(const Table *t, int64_t fp) {
    return ((uint64_t)fp * UINT64_C(0x9E3779B97F4A7C15)) >> t->shift;
}

static int table_init(Table *t, Py_ssize_t capacity, int words) {
    int bits = 0;
    while (((Py_ssize_t)1 << bits) < capacity)
        bits++;
    t->slots = PyMem_Calloc((size_t)1 << bits, (size_t)words * sizeof(int64_t));
    if (t->slots == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    t->mask = ((uint64_t)1 << bits) - 1;
    t->shift = 64 - bits;
    t->used = 0;
    t->has_zero = 0;
    t->zero_value = 0;
    return 0;
}

/* The slot holding fp, or the empty slot where it belongs. */
static inline int64_t *probe(const Table *t, int64_t fp, int words) {
    uint64_t index = slot_of(t, fp);
    for (;;) {
        int64_t *slot = t->slots + words * index;
        if (*slot == fp || *slot == 0)
            return slot;
        index = (index + 1) & t->mask;
    }
}

/* Double the table (its load would pass three quarters). */
static int grow(Table *t, int words) {
    Table bigger;
    if (table_init(&bigger, (Py_ssize_t)(t->mask + 1) * 2, words) < 0)
        return -1;
    for (uint64_t i = 0; i <= t->mask; i++) {
        int64_t *from = t->slots + words * i;
        if (*from == 0)
            continue;
        memcpy(probe(&bigger, *from, words), from, (size_t)words * sizeof(int64_t));
    }
    bigger.used = t->used;
    bigger.has_zero = t->has_zero;
    bigger.zero_value = t->zero_value;
    PyMem_Free(t->slots);
    *t = bigger;
    return 0;
}

/* The slot of fp (never for 0), adding it if absent: *added says whether it was. NULL when
 * out of memory. */
static inline int64_t *insert(Table *t, int64_t fp, int words, int *added) {
    int64_t *slot = probe(t, fp, words);
    if (*slot == fp) {
        *added = 0;
        return slot;
    }
    if ((uint64_t)(t->used + 1) * 4 > (t->mask + 1) * 3) {
        if (grow(t, words) < 0)
            return NULL;
        slot = probe(t, fp, words);
    }
    *slot = fp;
    t->used++;
    *added = 1;
    return slot;
}

static inline int contains(const Table *t, int64_t fp, int words) {
    if (fp == 0)
        return t->has_zero;
    return *probe(t, fp, words) == fp;
}

static Py_ssize_t table_bytes(const Table *t, int words) {
    return (Py_ssize_t)(t->mask + 1) * words * (Py_ssize_t)sizeof(int64_t);
}

/* PyLong_AsLongLongAndOverflow reads the digits in a loop; PyLong_AsLongLong goes through
 * _PyLong_AsByteArray, several times slower for the 64-bit numbers fingerprints are. */
static int as_int64(PyObject *object, int64_t *out) {
    int overflow;
    *out = PyLong_AsLongLongAndOverflow(object, &overflow);
    if (overflow) {
        PyErr_SetString(PyExc_OverflowError, "a fingerprint must fit in 64 bits (int64)");
        return -1;
    }
    return (*out == -1 && PyErr_Occurred()) ? -1 : 0;
}

/* -1: error; 0: not an int64 (so in no set); 1: *out holds it. */
static int as_key(PyObject *object, int64_t *out) {
    if (!PyLong_Check(object) && !PyIndex_Check(object))
        return 0;
    int overflow;
    *out = PyLong_AsLongLongAndOverflow(object, &overflow);
    if (overflow)
        return 0;
    return (*out == -1 && PyErr_Occurred()) ? -1 : 1;
}

/* A C-contiguous buffer of int64 (format q, l on LP64, or their unsigned twins). */
static int int64_view(PyObject *object, Py_buffer *view, int writable, const char *what) {
    if (PyObject_GetBuffer(object, view, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT |
                           (writable ? PyBUF_WRITABLE : 0)) < 0)
        return 0;
    const char *f = view->format ? view->format : "B";
    if (*f == '<' || *f == '=' || *f == '@')
        f++;
    if (view->itemsize != 8 || strchr("qlQL", *f) == NULL || f[0] == '\0' || f[1] != '\0') {
        PyErr_Format(PyExc_TypeError, "%s must be a contiguous int64 array", what);
        PyBuffer_Release(view);
        return 0;
    }
    return 1;
}

/* ==== FingerprintSet ==== */

typedef struct {
    PyObject_HEAD
    Table table;
} FingerprintSet;

static int FingerprintSet_init(FingerprintSet *self, PyObject *args, PyObject *kwds) {
    static char *keywords[] = {NULL};
    if (!PyArg_ParseTupleAndKeywords(args, kwds, ":FingerprintSet", keywords))
        return -1;
    PyMem_Free(self->table.slots);
    return table_init(&self->table, MIN_CAPACITY, 1);
}

static void FingerprintSet_dealloc(FingerprintSet *self) {
    PyMem_Free(self->table.slots);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int set_ready(FingerprintSet *self) {
    if (self->table.slots == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "FingerprintSet is not initialised");
        return 0;
    }
    return 1;
}

/* Add fp; 1 if it was new, 0 if present, -1 on error. */
static inline int set_add(FingerprintSet *self, int64_t fp) {
    if (fp == 0) {
        int was = self->table.has_zero;
        self->table.has_zero = 1;
        return !was;
    }
    int added;
    return insert(&self->table, fp, 1, &added) == NULL ? -1 : added;
}

static PyObject *FingerprintSet_add(FingerprintSet *self, PyObject *arg) {
    int64_t fp;
    if (!set_ready(self) || as_int64(arg, &fp) < 0 || set_add(self, fp) < 0)
        return NULL;
    Py_RETURN_NONE;
}

static int FingerprintSet_contains(FingerprintSet *self, PyObject *arg) {
    int64_t fp;
    if (!set_ready(self))
        return -1;
    int is_key = as_key(arg, &fp);  /* like a set of ints: anything else is not in it */
    return is_key <= 0 ? is_key : contains(&self->table, fp, 1);
}

static Py_ssize_t FingerprintSet_len(FingerprintSet *self) {
    return self->table.used + self->table.has_zero;
}

static PyObject *FingerprintSet_add_array(FingerprintSet *self, PyObject *arg) {
    Py_buffer fps;
    if (!set_ready(self) || !int64_view(arg, &fps, 0, "fingerprints"))
        return NULL;
    const int64_t *fp = fps.buf;
    Py_ssize_t n = fps.len / 8, added = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        int result = set_add(self, fp[i]);
        if (result < 0) {
            PyBuffer_Release(&fps);
            return NULL;
        }
        added += result;
    }
    PyBuffer_Release(&fps);
    return PyLong_FromSsize_t(added);
}

static PyObject *FingerprintSet_contains_array(FingerprintSet *self, PyObject *args) {
    PyObject *fps_object, *out_object;
    if (!PyArg_ParseTuple(args, "OO:contains_array", &fps_object, &out_object) ||
        !set_ready(self))
        return NULL;
    Py_buffer fps, out;
    if (!int64_view(fps_object, &fps, 0, "fingerprints"))
        return NULL;
    if (PyObject_GetBuffer(out_object, &out, PyBUF_C_CONTIGUOUS | PyBUF_WRITABLE) < 0) {
        PyBuffer_Release(&fps);
        return NULL;
    }
    Py_ssize_t n = fps.len / 8;
    if (out.len < n) {
        PyBuffer_Release(&fps);
        PyBuffer_Release(&out);
        PyErr_SetString(PyExc_ValueError, "out (one byte a fingerprint) is too short");
        return NULL;
    }
    const int64_t *fp = fps.buf;
    unsigned char *found = out.buf;
    for (Py_ssize_t i = 0; i < n; i++)
        found[i] = (unsigned char)contains(&self->table, fp[i], 1);
    PyBuffer_Release(&fps);
    PyBuffer_Release(&out);
    Py_RETURN_NONE;
}

static PyObject *FingerprintSet_fingerprints(FingerprintSet *self, PyObject *arg) {
    Py_buffer out;
    if (!set_ready(self) || !int64_view(arg, &out, 1, "out"))
        return NULL;
    int64_t *dest = out.buf;
    Py_ssize_t room = out.len / 8, n = 0;
    if (room < FingerprintSet_len(self)) {
        PyBuffer_Release(&out);
        PyErr_SetString(PyExc_ValueError, "out is shorter than the set");
        return NULL;
    }
    if (self->table.has_zero)
        dest[n++] = 0;
    for (uint64_t i = 0; i <= self->table.mask; i++)
        if (self->table.slots[i] != 0)
            dest[n++] = self->table.slots[i];
    PyBuffer_Release(&out);
    return PyLong_FromSsize_t(n);
}

/* scan(successors, fingerprint, actions, fired[, found, tests, kept, room, where])
 *   -> [positions of the new successors], or (positions, stop) when stopped early
 *
 * successors: [(label, state)], label[0] the action's name; fingerprint: state -> int;
 * actions: name -> action number; fired: a writable int64 array of counts by action number,
 * each successor's action counted (a name missing from actions in fired's last slot). A
 * successor is new when its fingerprint was not in the set (nor an earlier successor's of this
 * call): it is added and its position answered. An exception from `fingerprint` propagates,
 * with the successors before it counted and added.
 *
 * With the five more arguments it also does what the search does with each new successor,
 * in order (refute/engine/bfs.py): count its action in `found` (an int64 array like fired),
 * call each of `tests` (the invariants) on its state in order, and append the state to the
 * list `kept`; it stops at the first new successor a test fails (its result false), and after
 * the `room`th new successor kept (the search's state limit), answering (positions, stop) with
 * stop the index of the failed test, or -1 for the limit. Successors after the one it stops
 * at are neither counted, fingerprinted nor added. On an exception, where[0] is the index of
 * the test that raised it (-1 if none did) and where[1] the successor's position. */
static PyObject *FingerprintSet_scan(FingerprintSet *self, PyObject *const *args,
                                     Py_ssize_t nargs) {
    if (nargs != 4 && nargs != 9) {
        PyErr_SetString(PyExc_TypeError, "scan(successors, fingerprint, actions, fired"
                                         "[, found, tests, kept, room, where])");
        return NULL;
    }
    PyObject *successors = args[0], *fingerprint = args[1], *actions = args[2];
    if (!set_ready(self))
        return NULL;
    if (!PyList_Check(successors) || !PyDict_Check(actions)) {
        PyErr_SetString(PyExc_TypeError, "scan: successors must be a list, actions a dict");
        return NULL;
    }
    int keeping = nargs == 9;
    PyObject *tests = NULL, *kept = NULL, *where = NULL, *new = NULL;
    Py_ssize_t room = 0, i = 0;
    PyObject *pending_type = NULL, *pending_value = NULL, *pending_traceback = NULL;
    Py_ssize_t pending_at = -1;  /* the successor whose fingerprint failed, or -1 */
    if (keeping) {
        tests = args[5], kept = args[6], where = args[8];
        if (!PyTuple_Check(tests) || !PyList_Check(kept) || !PyList_Check(where) ||
            PyList_GET_SIZE(where) != 2) {
            PyErr_SetString(PyExc_TypeError, "scan: tests must be a tuple, kept a list, where "
                                             "a list of two");
            return NULL;
        }
        room = PyLong_AsSsize_t(args[7]);
        if (room == -1 && PyErr_Occurred())
            return NULL;
    }
    Py_buffer fired, found;
    if (!int64_view(args[3], &fired, 1, "fired"))
        return NULL;
    if (keeping && !int64_view(args[4], &found, 1, "found")) {
        PyBuffer_Release(&fired);
        return NULL;
    }
    int64_t *counts = fired.buf, *found_counts = keeping ? found.buf : NULL;
    Py_ssize_t actions_known = fired.len / 8;
    if (keeping && found.len != fired.len) {
        PyErr_SetString(PyExc_ValueError, "scan: found and fired must be as long");
        goto error_early;
    }
    Py_ssize_t stop = -2;  /* -2: not stopped; else the failed test, or -1 for room */
    Py_ssize_t failing_test = -1;
    new = PyList_New(0);
    if (new == NULL)
        goto error;
    Py_ssize_t n = PyList_GET_SIZE(successors);
    /* The fingerprints of a chunk of successors first, each one's slot prefetched, then the
     * chunk's successors in order: the seen-set's table is far larger than the caches, so
     * its probes would otherwise wait on memory one after another. A fingerprint that fails
     * ends the chunk there; its error is raised when the loop reaches that successor (after
     * counting it, as before), unless the search stops earlier or fails otherwise first. */
    PyObject *last_name = NULL;  /* the last successor's action name and number */
    Py_ssize_t action = 0;
    int64_t chunk_fps[SCAN_CHUNK];
    Py_ssize_t chunk_start = 0, chunk_end = 0;  /* chunk_fps[k] is successor chunk_start + k's */
    for (; i < n && stop == -2; i++) {
        if (i == chunk_end && i != pending_at) {
            chunk_start = i;
            Py_ssize_t limit = n - i < SCAN_CHUNK ? n : i + SCAN_CHUNK;
            for (chunk_end = i; chunk_end < limit; chunk_end++) {
                PyObject *item = PyList_GET_ITEM(successors, chunk_end);
                if (!PyTuple_Check(item) || PyTuple_GET_SIZE(item) != 2)
                    break;  /* successor_action_name raises on reaching it */
                int64_t *slot = &chunk_fps[chunk_end - chunk_start];
                if (state_fingerprint(fingerprint, PyTuple_GET_ITEM(item, 1), slot) < 0) {
                    PyErr_Fetch(&pending_type, &pending_value, &pending_traceback);
                    pending_at = chunk_end;
                    break;
                }
                if (*slot != 0)
                    PREFETCH(self->table.slots + slot_of(&self->table, *slot));
            }
        }
        PyObject *pair = PyList_GET_ITEM(successors, i);
        PyObject *name = successor_action_name(pair);
        if (name == NULL)
            goto error;
        if (name != last_name) {  /* an action's successors come in a row, sharing its name */
            PyObject *number = PyDict_GetItemWithError(actions, name);
            if (number == NULL && PyErr_Occurred())
                goto error;
            action = number == NULL ? actions_known - 1 : PyLong_AsSsize_t(number);
            if (action < 0 || action >= actions_known) {
                if (!PyErr_Occurred())
                    PyErr_SetString(PyExc_IndexError, "scan: an action number beyond fired");
                goto error;
            }
            last_name = name;  /* borrowed: the successors list holds it during the call */
        }
        counts[action]++;
        PyObject *state = PyTuple_GET_ITEM(pair, 1);
        if (i == pending_at) {
            PyErr_Restore(pending_type, pending_value, pending_traceback);
            pending_type = pending_value = pending_traceback = NULL;
            goto error;
        }
        int64_t fp = chunk_fps[i - chunk_start];
        int added = set_add(self, fp);
        if (added < 0)
            goto error;
        if (!added)
            continue;
        PyObject *position = PyLong_FromSsize_t(i);
        if (position == NULL || PyList_Append(new, position) < 0) {
            Py_XDECREF(position);
            goto error;
        }
        Py_DECREF(position);
        if (!keeping)
            continue;
        found_counts[action]++;
        Py_ssize_t t_count = PyTuple_GET_SIZE(tests);
        for (Py_ssize_t t = 0; t < t_count; t++) {
            PyObject *result = PyObject_CallOneArg(PyTuple_GET_ITEM(tests, t), state);
            if (result == NULL) {
                failing_test = t;
                goto error;
            }
            int holds = result == Py_True ? 1 : result == Py_False ? 0 : PyObject_IsTrue(result);
            Py_DECREF(result);
            if (holds < 0) {
                failing_test = t;
                goto error;
            }
            if (!holds) {
                stop = t;
                break;
            }
        }
        if (stop != -2)
            break;
        if (PyList_Append(kept, state) < 0)
            goto error;
        if (--room <= 0)
            stop = -1;
    }
    Py_XDECREF(pending_type);  /* stopped before the successor whose fingerprint failed */
    Py_XDECREF(pending_value);
    Py_XDECREF(pending_traceback);
    PyBuffer_Release(&fired);
    if (keeping)
        PyBuffer_Release(&found);
    if (stop == -2)
        return new;
    return Py_BuildValue("(Nn)", new, stop);  /* steals new */
error:
    if (keeping) {
        PyObject *test_index = PyLong_FromSsize_t(failing_test);
        PyObject *at = PyLong_FromSsize_t(i);
        if (test_index != NULL && at != NULL) {
            PyObject *type, *value, *traceback;
            PyErr_Fetch(&type, &value, &traceback);
            PyList_SetItem(where, 0, test_index);  /* steal */
            PyList_SetItem(where, 1, at);
            PyErr_Restore(type, value, traceback);
        }
        else {
            Py_XDECREF(test_index);
            Py_XDECREF(at);
        }
    }
    Py_XDECREF(new);
    Py_XDECREF(pending_type);  /* another error came first */
    Py_XDECREF(pending_value);
    Py_XDECREF(pending_traceback);
error_early:
    PyBuffer_Release(&fired);
    if (keeping)
        PyBuffer_Release(&found);
    return NULL;
}


static PyObject *FingerprintSet_memory_bytes(FingerprintSet *self, void *closure) {
    return PyLong_FromSsize_t(self->table.slots ? table_bytes(&self->table, 1) : 0);
}

static PyMethodDef FingerprintSet_methods[] = {
    {"add", (PyCFunction)FingerprintSet_add, METH_O, "add(fingerprint): add one int64"},
    {"add_array", (PyCFunction)FingerprintSet_add_array, METH_O,
     "add_array(fingerprints) -> how many were new: add an int64 array"},
    {"contains_array", (PyCFunction)FingerprintSet_contains_array, METH_VARARGS,
     "contains_array(fingerprints, out): out[i] = 1 if fingerprints[i] is in the set, else 0 "
     "(out: a writable buffer of one byte a fingerprint, e.g. a numpy bool array)"},
    {"fingerprints", (PyCFunction)FingerprintSet_fingerprints, METH_O,
     "fingerprints(out) -> n: every fingerprint written into the int64 array out"},
    {"scan", (PyCFunction)(void (*)(void))FingerprintSet_scan, METH_FASTCALL,
     "scan(successors, fingerprint, actions, fired[, found, tests, kept, room, where]) -> "
     "positions of the new successors, or (positions, stop) (the sequential search's "
     "per-successor loop, see _fpset.c)"},
    {NULL, NULL, 0, NULL}};

static PyGetSetDef FingerprintSet_getset[] = {
    {"memory_bytes", (getter)FingerprintSet_memory_bytes, NULL, "bytes of the table", NULL},
    {NULL, NULL, NULL, NULL, NULL}};

static PySequenceMethods FingerprintSet_as_sequence = {
    .sq_length = (lenfunc)FingerprintSet_len,
    .sq_contains = (objobjproc)FingerprintSet_contains,
};

static PyTypeObject FingerprintSetType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "refute.engine._fpset.FingerprintSet",
    .tp_basicsize = sizeof(FingerprintSet),
    .tp_dealloc = (destructor)FingerprintSet_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "FingerprintSet(): a set of 64-bit fingerprints (int64), about 16 bytes each",
    .tp_methods = FingerprintSet_methods,
    .tp_getset = FingerprintSet_getset,
    .tp_as_sequence = &FingerprintSet_as_sequence,
    .tp_init = (initproc)FingerprintSet_init,
    .tp_new = PyType_GenericNew,
};

/* ==== FingerprintMap ==== */

typedef struct {
    PyObject_HEAD
    Table table;
} FingerprintMap;

static int FingerprintMap_init(FingerprintMap *self, PyObject *args, PyObject *kwds) {
    static char *keywords[] = {NULL};
    if (!PyArg_ParseTupleAndKeywords(args, kwds, ":FingerprintMap", keywords))
        return -1;
    PyMem_Free(self->table.slots);
    return table_init(&self->table, MIN_CAPACITY, 2);
}

static void FingerprintMap_dealloc(FingerprintMap *self) {
    PyMem_Free(self->table.slots);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static Py_ssize_t FingerprintMap_len(FingerprintMap *self) {
    return self->table.used + self->table.has_zero;
}

static PyObject *FingerprintMap_get_item(FingerprintMap *self, PyObject *key) {
    int64_t fp;
    if (self->table.slots == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "FingerprintMap is not initialised");
        return NULL;
    }
    if (as_int64(key, &fp) < 0)
        return NULL;
    if (fp == 0) {
        if (self->table.has_zero)
            return PyLong_FromLongLong(self->table.zero_value);
    } else {
        int64_t *slot = probe(&self->table, fp, 2);
        if (*slot == fp)
            return PyLong_FromLongLong(slot[1]);
    }
    PyErr_SetObject(PyExc_KeyError, key);
    return NULL;
}

static int FingerprintMap_set_item(FingerprintMap *self, PyObject *key, PyObject *value) {
    int64_t fp, number;
    if (self->table.slots == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "FingerprintMap is not initialised");
        return -1;
    }
    if (value == NULL) {
        PyErr_SetString(PyExc_TypeError, "a FingerprintMap never forgets a fingerprint");
        return -1;
    }
    if (as_int64(key, &fp) < 0 || as_int64(value, &number) < 0)
        return -1;
    if (fp == 0) {
        self->table.has_zero = 1;
        self->table.zero_value = number;
        return 0;
    }
    int added;
    int64_t *slot = insert(&self->table, fp, 2, &added);
    if (slot == NULL)
        return -1;
    slot[1] = number;
    return 0;
}

static int FingerprintMap_contains(FingerprintMap *self, PyObject *key) {
    int64_t fp;
    int is_key = as_key(key, &fp);
    return is_key <= 0 ? is_key : contains(&self->table, fp, 2);
}

static PyObject *FingerprintMap_memory_bytes(FingerprintMap *self, void *closure) {
    return PyLong_FromSsize_t(self->table.slots ? table_bytes(&self->table, 2) : 0);
}

static PyGetSetDef FingerprintMap_getset[] = {
    {"memory_bytes", (getter)FingerprintMap_memory_bytes, NULL, "bytes of the table", NULL},
    {NULL, NULL, NULL, NULL, NULL}};

static PyMappingMethods FingerprintMap_as_mapping = {
    .mp_length = (lenfunc)FingerprintMap_len,
    .mp_subscript = (binaryfunc)FingerprintMap_get_item,
    .mp_ass_subscript = (objobjargproc)FingerprintMap_set_item,
};

static PySequenceMethods FingerprintMap_as_sequence = {
    .sq_contains = (objobjproc)FingerprintMap_contains,
};

static PyTypeObject FingerprintMapType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "refute.engine._fpset.FingerprintMap",
    .tp_basicsize = sizeof(FingerprintMap),
    .tp_dealloc = (destructor)FingerprintMap_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "FingerprintMap(): an int64 -> int64 map (fingerprint -> state number)",
    .tp_getset = FingerprintMap_getset,
    .tp_as_mapping = &FingerprintMap_as_mapping,
    .tp_as_sequence = &FingerprintMap_as_sequence,
    .tp_init = (initproc)FingerprintMap_init,
    .tp_new = PyType_GenericNew,
};

/* ==== module ==== */

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "refute.engine._fpset",
    "Sets and maps of 64-bit fingerprints, and the sequential search's per-successor loop "
    "(see fpset.py).", -1, NULL};

PyMODINIT_FUNC PyInit__fpset(void) {
    if (PyType_Ready(&FingerprintSetType) < 0 || PyType_Ready(&FingerprintMapType) < 0)
        return NULL;
    PyObject *m = PyModule_Create(&module);
    if (m == NULL)
        return NULL;
    Py_INCREF(&FingerprintSetType);
    Py_INCREF(&FingerprintMapType);
    if (PyModule_AddObject(m, "FingerprintSet", (PyObject *)&FingerprintSetType) < 0 ||
        PyModule_AddObject(m, "FingerprintMap", (PyObject *)&FingerprintMapType) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    import_fingerprint_api();
    return m;
}
