/*
 * refute.engine._shared_seen: the fingerprint set that the worker processes of one machine
 * share (refute/engine/shared_seen.py documents its use; this file its layout and atomics).
 *
 * The set lives in a writable buffer (a memory map of one file, mapped MAP_SHARED by every
 * worker): a 64-byte header, then `capacity` (a power of two) slots of two int64 each,
 * {fingerprint, key}, with open addressing and linear probing. A slot is empty while its
 * fingerprint is 0; the fingerprint 0 itself is kept in the header (zero_present, zero_key).
 *
 *   header: [0] magic  [1] capacity  [2] count (slots in use)  [3] zero_present  [4] zero_key
 *
 * What a slot means. `key` is the least discovery key (parent rank << 20 | position) of any
 * successor with that fingerprint claimed so far; INT64_MAX while none is (a slot whose
 * fingerprint has just been written). Keys are stored encoded (see encode) so that a zeroed
 * slot reads as INT64_MAX. States of earlier levels were claimed with smaller keys
 * than any successor of the level being expanded (their parents have smaller ranks), or with
 * key -1 (initial and restored states), so "not new" and "not the least key" are the same
 * test: `claim` answers 1 exactly when the caller's key became the slot's key.
 *
 * Concurrency. Writers in several processes race only through compare-and-swap: a slot's
 * fingerprint goes once from 0 to its value, a key only ever decreases, so the least key wins
 * whatever the interleaving and every fingerprint has at most one slot (a probe that sees a
 * slot taken by another fingerprint moves on; one that loses the race for an empty slot
 * re-reads it). Nothing is ever deleted while workers run: the set grows, when it must, by
 * being copied into a bigger one between levels (`copy_into`), by the coordinator alone.
 */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

#define MAGIC INT64_C(0x7265667574655331) /* "refuteS1" */
#define HEADER_WORDS 8
#define UNSET INT64_MAX

#include "_fingerprint_api.h"

typedef struct {
    PyObject_HEAD
    Py_buffer view;
    int64_t *header;
    int64_t *slots;   /* 2 * capacity words */
    uint64_t mask;
    int shift;        /* 64 - log2(capacity) */
    int64_t limit;    /* slots in use past which claim refuses new fingerprints */
} SharedSeen;

static inline uint64_t slot_of(const SharedSeen *self, int64_t fp) {
    return ((uint64_t)fp * UINT64_C(0x9E3779B97F4A7C15)) >> self->shift;
}

/* A key is stored as INT64_MAX - key, unsigned, so that a zeroed slot holds INT64_MAX (no
 * key yet) and a smaller key is a larger stored word; keys range over -1 .. INT64_MAX. */
static inline uint64_t encode(int64_t key) { return (uint64_t)INT64_MAX - (uint64_t)key; }
static inline int64_t decode(uint64_t stored) { return (int64_t)((uint64_t)INT64_MAX - stored); }

/* Lower the slot's key to `key` if that is less; 1 if it was lowered by this call. */
static inline int lower_key(int64_t *slot_key, int64_t key) {
    uint64_t *slot = (uint64_t *)slot_key, wanted = encode(key);
    uint64_t current = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
    while (wanted > current) {
        if (__atomic_compare_exchange_n(slot, &current, wanted, 0, __ATOMIC_ACQ_REL,
                                        __ATOMIC_ACQUIRE))
            return 1;
    }
    return 0;
}

static inline int64_t read_key(int64_t *slot_key) {
    return decode(__atomic_load_n((uint64_t *)slot_key, __ATOMIC_ACQUIRE));
}

/* The key slot of `fp`, adding it if `add` (then *added says whether this call did); NULL
 * if absent and not added (not asked to, or the set is full). */
static int64_t *find_or_add(SharedSeen *self, int64_t fp, int add, int *added) {
    if (fp == 0) {
        if (add)
            *added = !__atomic_exchange_n(&self->header[3], 1, __ATOMIC_ACQ_REL);
        else if (!__atomic_load_n(&self->header[3], __ATOMIC_ACQUIRE))
            return NULL;
        return &self->header[4];
    }
    uint64_t index = slot_of(self, fp);
    for (uint64_t probes = 0; probes <= self->mask; probes++) {
        int64_t *slot = self->slots + 2 * index;
        int64_t seen = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
        if (seen == 0) {
            if (!add)
                return NULL;
            if (__atomic_load_n(&self->header[2], __ATOMIC_RELAXED) >= self->limit)
                return NULL;
            int64_t expected = 0;
            if (__atomic_compare_exchange_n(slot, &expected, fp, 0, __ATOMIC_ACQ_REL,
                                            __ATOMIC_ACQUIRE)) {
                __atomic_fetch_add(&self->header[2], 1, __ATOMIC_RELAXED);
                *added = 1;
                return slot + 1;
            }
            seen = expected;  /* another process took it first: is it ours? */
        }
        if (seen == fp) {
            if (add)
                *added = 0;
            return slot + 1;
        }
        index = (index + 1) & self->mask;
    }
    return NULL;
}

static int SharedSeen_init(SharedSeen *self, PyObject *args, PyObject *kwds) {
    static char *keywords[] = {"buffer", "capacity", "create", NULL};
    PyObject *buffer;
    long long capacity;
    int create = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OL|p", keywords, &buffer, &capacity, &create))
        return -1;
    if (capacity < 2 || (capacity & (capacity - 1)) != 0) {
        PyErr_SetString(PyExc_ValueError, "capacity must be a power of two, at least 2");
        return -1;
    }
    if (self->view.obj != NULL) {
        PyErr_SetString(PyExc_RuntimeError, "SharedSeen is already initialised");
        return -1;
    }
    if (PyObject_GetBuffer(buffer, &self->view, PyBUF_WRITABLE | PyBUF_C_CONTIGUOUS) < 0)
        return -1;
    Py_ssize_t need = (Py_ssize_t)(HEADER_WORDS + 2 * capacity) * 8;
    if (self->view.len < need) {
        PyBuffer_Release(&self->view);
        PyErr_Format(PyExc_ValueError, "buffer of %zd bytes, %zd needed", self->view.len, need);
        return -1;
    }
    self->header = (int64_t *)self->view.buf;
    self->slots = self->header + HEADER_WORDS;
    self->mask = (uint64_t)capacity - 1;
    int bits = 0;
    while ((INT64_C(1) << bits) < capacity)
        bits++;
    self->shift = 64 - bits;
    self->limit = capacity - capacity / 4;
    if (create) {
        memset(self->view.buf, 0, (size_t)need);
        self->header[1] = capacity;
        __atomic_store_n(&self->header[0], MAGIC, __ATOMIC_RELEASE);
    } else if (self->header[0] != MAGIC || self->header[1] != capacity) {
        PyBuffer_Release(&self->view);
        PyErr_SetString(PyExc_ValueError, "the buffer does not hold a set of that capacity");
        return -1;
    }
    return 0;
}

static void SharedSeen_dealloc(SharedSeen *self) {
    if (self->view.obj != NULL)
        PyBuffer_Release(&self->view);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int ready(SharedSeen *self) {
    if (self->view.obj == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "SharedSeen is not initialised");
        return 0;
    }
    return 1;
}

/* claim(fp, key) -> 1 if key is now the least for fp, 0 if not, -1 if fp is new and the set
 * is full (three quarters of its slots in use). */
static PyObject *SharedSeen_claim(SharedSeen *self, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 2) {
        PyErr_SetString(PyExc_TypeError, "claim(fingerprint, key)");
        return NULL;
    }
    int64_t fp = PyLong_AsLongLong(args[0]);
    int64_t key = PyLong_AsLongLong(args[1]);
    if ((fp == -1 || key == -1) && PyErr_Occurred())
        return NULL;
    if (!ready(self))
        return NULL;
    int added;
    int64_t *slot_key = find_or_add(self, fp, 1, &added);
    if (slot_key == NULL)
        return PyLong_FromLong(-1);
    return PyLong_FromLong(lower_key(slot_key, key));
}

static int int64_view(PyObject *object, Py_buffer *view, int writable, const char *what) {
    if (PyObject_GetBuffer(object, view, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT |
                           (writable ? PyBUF_WRITABLE : 0)) < 0)
        return 0;
    if (view->itemsize != 8 || (view->format && strchr("qlQL", view->format[0]) == NULL &&
                                strcmp(view->format, "<q") != 0 && strcmp(view->format, "=q") != 0)) {
        PyErr_Format(PyExc_TypeError, "%s must be a contiguous int64 array", what);
        PyBuffer_Release(view);
        return 0;
    }
    return 1;
}

/* add(fps, key) -> fingerprints newly added; each gets `key` unless it has a smaller one. */
static PyObject *SharedSeen_add(SharedSeen *self, PyObject *args) {
    PyObject *fps_object;
    long long key;
    if (!PyArg_ParseTuple(args, "OL", &fps_object, &key) || !ready(self))
        return NULL;
    Py_buffer fps;
    if (!int64_view(fps_object, &fps, 0, "fingerprints"))
        return NULL;
    const int64_t *fp = (const int64_t *)fps.buf;
    Py_ssize_t n = fps.len / 8, count = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        int added;
        int64_t *slot_key = find_or_add(self, fp[i], 1, &added);
        if (slot_key == NULL) {
            PyBuffer_Release(&fps);
            PyErr_SetString(PyExc_OverflowError, "the shared fingerprint set is full");
            return NULL;
        }
        count += added;
        lower_key(slot_key, key);
    }
    PyBuffer_Release(&fps);
    return PyLong_FromSsize_t(count);
}

/* lookup(fps, out): out[i] = the key of fps[i], or INT64_MAX if fps[i] is absent. */
static PyObject *SharedSeen_lookup(SharedSeen *self, PyObject *args) {
    PyObject *fps_object, *out_object;
    if (!PyArg_ParseTuple(args, "OO", &fps_object, &out_object) || !ready(self))
        return NULL;
    Py_buffer fps, out;
    if (!int64_view(fps_object, &fps, 0, "fingerprints"))
        return NULL;
    if (!int64_view(out_object, &out, 1, "out")) {
        PyBuffer_Release(&fps);
        return NULL;
    }
    if (out.len < fps.len) {
        PyBuffer_Release(&fps);
        PyBuffer_Release(&out);
        PyErr_SetString(PyExc_ValueError, "out is shorter than the fingerprints");
        return NULL;
    }
    const int64_t *fp = (const int64_t *)fps.buf;
    int64_t *key = (int64_t *)out.buf;
    Py_ssize_t n = fps.len / 8;
    for (Py_ssize_t i = 0; i < n; i++) {
        int64_t *slot_key = find_or_add(self, fp[i], 0, NULL);
        key[i] = slot_key == NULL ? UNSET : read_key(slot_key);
    }
    PyBuffer_Release(&fps);
    PyBuffer_Release(&out);
    Py_RETURN_NONE;
}

/* copy_into(other, below) -> entries copied: every fingerprint whose key is < below. */
static PyObject *SharedSeen_copy_into(SharedSeen *self, PyObject *args);

/* fingerprints(out) -> count: writes every fingerprint in the set into out (int64, at least
 * len(self) long), in slot order. */
static PyObject *SharedSeen_fingerprints(SharedSeen *self, PyObject *out_object) {
    if (!ready(self))
        return NULL;
    Py_buffer out;
    if (!int64_view(out_object, &out, 1, "out"))
        return NULL;
    int64_t *dest = (int64_t *)out.buf;
    Py_ssize_t room = out.len / 8, n = 0;
    if (self->header[3] && n < room)
        dest[n++] = 0;
    for (uint64_t i = 0; i <= self->mask && n < room; i++)
        if (self->slots[2 * i] != 0)
            dest[n++] = self->slots[2 * i];
    PyBuffer_Release(&out);
    return PyLong_FromSsize_t(n);
}

static Py_ssize_t SharedSeen_len(SharedSeen *self) {
    if (!ready(self))
        return -1;
    return (Py_ssize_t)(__atomic_load_n(&self->header[2], __ATOMIC_ACQUIRE) +
                        __atomic_load_n(&self->header[3], __ATOMIC_ACQUIRE));
}

static PyObject *SharedSeen_capacity(SharedSeen *self, void *closure) {
    if (!ready(self))
        return NULL;
    return PyLong_FromLongLong(self->header[1]);
}

static PyObject *SharedSeen_release(SharedSeen *self, PyObject *unused) {
    if (self->view.obj != NULL)
        PyBuffer_Release(&self->view);
    Py_RETURN_NONE;
}


/* Grow `array` (a bytearray) by `extra` bytes; the address of the first new byte. */
static char *extend(PyObject *array, Py_ssize_t extra) {
    Py_ssize_t size = PyByteArray_GET_SIZE(array);
    if (PyByteArray_Resize(array, size + extra) < 0)
        return NULL;
    return PyByteArray_AS_STRING(array) + size;
}

/* scan(successors, fingerprint, base, actions, kept, claims, fired) -> 0, or -1 if the set
 * filled up: the inner loop of a worker's expansion, for one parent, in C.
 *
 * successors: the parent's [(label, state)], label[0] the action's name; fingerprint: the
 * state -> int function; base: the parent's rank << 20 (successor i has key base | i);
 * actions: name -> action number. Appends to fired (bytearray of int16) every successor's
 * action number, and for every successor whose key becomes the least for its fingerprint
 * (claim() == 1) appends the pair to kept (list) and (fingerprint, key) to claims (bytearray
 * of int64 pairs). An exception from `fingerprint` propagates: the caller locates it. When
 * the set fills up, fired is as before the call and kept and claims hold the successors
 * claimed so far, so that the same call on a larger set completes the parent exactly. */
static PyObject *SharedSeen_scan(SharedSeen *self, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 7) {
        PyErr_SetString(PyExc_TypeError,
                        "scan(successors, fingerprint, base, actions, kept, claims, fired)");
        return NULL;
    }
    PyObject *successors = args[0], *fingerprint = args[1], *actions = args[3];
    PyObject *kept = args[4], *claims = args[5], *fired = args[6];
    int64_t base = PyLong_AsLongLong(args[2]);
    if ((base == -1 && PyErr_Occurred()) || !ready(self))
        return NULL;
    if (!PyList_Check(successors) || !PyDict_Check(actions) || !PyList_Check(kept) ||
        !PyByteArray_Check(claims) || !PyByteArray_Check(fired)) {
        PyErr_SetString(PyExc_TypeError, "scan: successors and kept must be lists, actions a "
                                         "dict, claims and fired bytearrays");
        return NULL;
    }
    Py_ssize_t n = PyList_GET_SIZE(successors), fired_before = PyByteArray_GET_SIZE(fired);
    char *fired_at = extend(fired, 2 * n);
    if (fired_at == NULL)
        return NULL;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *name = successor_action_name(PyList_GET_ITEM(successors, i));
        if (name == NULL)
            return NULL;
        PyObject *number = PyDict_GetItemWithError(actions, name);
        if (number == NULL) {
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_KeyError, "scan: an action missing from actions");
            return NULL;
        }
        int16_t action = (int16_t)PyLong_AsLong(number);
        memcpy(fired_at + 2 * i, &action, 2);
    }
    Py_ssize_t before = PyByteArray_GET_SIZE(claims), written = 0;
    if (extend(claims, 16 * n) == NULL)
        return NULL;
    int result = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *pair = PyList_GET_ITEM(successors, i);
        int64_t fp;
        if (state_fingerprint(fingerprint, PyTuple_GET_ITEM(pair, 1), &fp) < 0) {
            result = -2;
            break;
        }
        int64_t key = base | i, pair_words[2] = {fp, key};
        int added;
        int64_t *slot_key = find_or_add(self, fp, 1, &added);
        if (slot_key == NULL) {
            result = -1;
            break;
        }
        if (!lower_key(slot_key, key))
            continue;
        if (PyList_Append(kept, pair) < 0) {
            result = -2;
            break;
        }
        memcpy(PyByteArray_AS_STRING(claims) + before + 16 * written, pair_words, 16);
        written++;
    }
    if (result == -2) {  /* keep the exception while claims is trimmed */
        PyObject *type, *value, *traceback;
        PyErr_Fetch(&type, &value, &traceback);
        int trimmed = PyByteArray_Resize(claims, before + 16 * written);
        PyErr_Restore(type, value, traceback);
        (void)trimmed;
        return NULL;
    }
    if (PyByteArray_Resize(claims, before + 16 * written) < 0)
        return NULL;
    /* Full: the caller grows the set and scans this parent again, which keeps no successor
     * twice (their keys are in the set already) but would count every action twice. */
    if (result == -1 && PyByteArray_Resize(fired, fired_before) < 0)
        return NULL;
    return PyLong_FromLong(result);
}

static PyMethodDef SharedSeen_methods[] = {
    {"claim", (PyCFunction)(void (*)(void))SharedSeen_claim, METH_FASTCALL,
     "claim(fingerprint, key) -> 1 if key is now the least key of fingerprint (added or "
     "lowered), 0 if a key at most as small was there, -1 if the set is too full to add it"},
    {"scan", (PyCFunction)(void (*)(void))SharedSeen_scan, METH_FASTCALL,
     "scan(successors, fingerprint, base, actions, kept, claims, fired) -> 0, or -1 if the "
     "set filled up: claim every successor of one parent (see _shared_seen.c)"},
    {"add", (PyCFunction)SharedSeen_add, METH_VARARGS,
     "add(fingerprints, key) -> how many were new; each gets key unless it has a smaller one"},
    {"lookup", (PyCFunction)SharedSeen_lookup, METH_VARARGS,
     "lookup(fingerprints, out): out[i] = key of fingerprints[i], INT64_MAX if absent"},
    {"copy_into", (PyCFunction)SharedSeen_copy_into, METH_VARARGS,
     "copy_into(other, below) -> how many entries with a key < below were copied into other"},
    {"fingerprints", (PyCFunction)SharedSeen_fingerprints, METH_O,
     "fingerprints(out) -> n: the set's fingerprints written into the int64 array out"},
    {"release", (PyCFunction)SharedSeen_release, METH_NOARGS,
     "release the buffer (so that its memory map can be closed)"},
    {NULL, NULL, 0, NULL}};

static PyGetSetDef SharedSeen_getset[] = {
    {"capacity", (getter)SharedSeen_capacity, NULL, "slots in the set", NULL},
    {NULL, NULL, NULL, NULL, NULL}};

static PySequenceMethods SharedSeen_as_sequence = {.sq_length = (lenfunc)SharedSeen_len};

static PyTypeObject SharedSeenType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "refute.engine._shared_seen.SharedSeen",
    .tp_basicsize = sizeof(SharedSeen),
    .tp_dealloc = (destructor)SharedSeen_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "SharedSeen(buffer, capacity, create=False): a fingerprint -> least key set in "
              "a shared writable buffer of 64 + 16 * capacity bytes",
    .tp_methods = SharedSeen_methods,
    .tp_getset = SharedSeen_getset,
    .tp_as_sequence = &SharedSeen_as_sequence,
    .tp_init = (initproc)SharedSeen_init,
    .tp_new = PyType_GenericNew,
};

static PyObject *SharedSeen_copy_into(SharedSeen *self, PyObject *args) {
    PyObject *other_object;
    long long below;
    if (!PyArg_ParseTuple(args, "O!L", &SharedSeenType, &other_object, &below) || !ready(self))
        return NULL;
    SharedSeen *other = (SharedSeen *)other_object;
    if (!ready(other))
        return NULL;
    Py_ssize_t copied = 0;
    int added;
    if (self->header[3] && read_key(&self->header[4]) < below) {
        lower_key(find_or_add(other, 0, 1, &added), read_key(&self->header[4]));
        copied++;
    }
    for (uint64_t i = 0; i <= self->mask; i++) {
        int64_t fp = self->slots[2 * i], key = read_key(&self->slots[2 * i + 1]);
        if (fp == 0 || key >= below)
            continue;
        int64_t *slot_key = find_or_add(other, fp, 1, &added);
        if (slot_key == NULL) {
            PyErr_SetString(PyExc_OverflowError, "the new shared fingerprint set is too small");
            return NULL;
        }
        lower_key(slot_key, key);
        copied++;
    }
    return PyLong_FromSsize_t(copied);
}

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "refute.engine._shared_seen",
    "A fingerprint set shared by processes through a memory map (see shared_seen.py).", -1,
    NULL};

PyMODINIT_FUNC PyInit__shared_seen(void) {
    if (PyType_Ready(&SharedSeenType) < 0)
        return NULL;
    PyObject *m = PyModule_Create(&module);
    if (m == NULL)
        return NULL;
    Py_INCREF(&SharedSeenType);
    if (PyModule_AddObject(m, "SharedSeen", (PyObject *)&SharedSeenType) < 0) {
        Py_DECREF(&SharedSeenType);
        Py_DECREF(m);
        return NULL;
    }
    PyModule_AddIntConstant(m, "HEADER_BYTES", HEADER_WORDS * 8);
    import_fingerprint_api();
    return m;
}
