/*
 * refute.engine._fingerprint's C entry point, for the extensions whose per-successor loop
 * fingerprints states (_fpset.c, _shared_seen.c): the module's Python fingerprint function
 * and, through the capsule "refute.engine._fingerprint._C_API", the C function behind it, so
 * that a scan given that function calls C directly, with no Python int in between.
 * Each including extension gets its own copy of the two statics (one translation unit each).
 */
#ifndef REFUTE_FINGERPRINT_API_H
#define REFUTE_FINGERPRINT_API_H

#include <Python.h>
#include <stdint.h>

typedef int (*fingerprint_c_t)(PyObject *, int64_t *);
static PyObject *fingerprint_function = NULL;
static fingerprint_c_t fingerprint_c = NULL;

/* Called from the module's init: when refute.engine._fingerprint is not built, both stay NULL
 * and scan() calls whatever fingerprint function it is given. Never fails. */
static void
import_fingerprint_api(void)
{
    PyObject *fingerprints = PyImport_ImportModule("refute.engine._fingerprint");
    if (fingerprints == NULL) {
        PyErr_Clear();
        return;
    }
    fingerprint_function = PyObject_GetAttrString(fingerprints, "fingerprint");
    fingerprint_c = (fingerprint_c_t)PyCapsule_Import("refute.engine._fingerprint._C_API", 0);
    if (fingerprint_function == NULL || fingerprint_c == NULL) {
        PyErr_Clear();
        fingerprint_c = NULL;
    }
    Py_DECREF(fingerprints);
}

/* The action name of a successor `pair` = (label, state): label[0], borrowed. NULL with a
 * TypeError when the pair is not of that shape. Shared by both scans' per-successor loops. */
static inline PyObject *
successor_action_name(PyObject *pair)
{
    if (!PyTuple_Check(pair) || PyTuple_GET_SIZE(pair) != 2 ||
        !PyTuple_Check(PyTuple_GET_ITEM(pair, 0)) ||
        PyTuple_GET_SIZE(PyTuple_GET_ITEM(pair, 0)) < 1) {
        PyErr_SetString(PyExc_TypeError, "scan: a successor is not (label, state)");
        return NULL;
    }
    return PyTuple_GET_ITEM(PyTuple_GET_ITEM(pair, 0), 0);
}

/* *fp = fingerprint(state): the C function directly when `fingerprint` is the module's own
 * (no Python int in between), else a call whose result must fit in an int64. 0, or -1 with
 * the exception set (the caller locates it). */
static inline int
state_fingerprint(PyObject *fingerprint, PyObject *state, int64_t *fp)
{
    if (fingerprint == fingerprint_function && fingerprint_c != NULL)
        return fingerprint_c(state, fp) < 0 ? -1 : 0;
    PyObject *value = PyObject_CallOneArg(fingerprint, state);
    if (value == NULL)
        return -1;
    int overflow;
    *fp = PyLong_AsLongLongAndOverflow(value, &overflow);
    Py_DECREF(value);
    if (overflow) {
        PyErr_SetString(PyExc_OverflowError, "a fingerprint must fit in 64 bits (int64)");
        return -1;
    }
    return (*fp == -1 && PyErr_Occurred()) ? -1 : 0;
}

#endif
