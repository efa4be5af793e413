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

#endif
