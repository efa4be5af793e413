/*
 * refute._values: C versions of Record.update and FrozenMap.set.
 *
 * Spec code builds every successor state with these two calls, so they are on the checker's
 * hottest path. refute/values.py documents the values and holds the pure-Python versions
 * used when this module is not built; the two MUST behave identically (tests/spec/
 * test_values_c.py runs the same checks against both).
 *
 * The module provides two tiny base types that add one method each and nothing else (no
 * fields, no slots of their own), so that instances behave exactly as before:
 *
 *   RecordBase(tuple)     .update(**changes): Record in values.py derives from it. A record is
 *                         a tuple: element 0 its tuple of field names, elements 1..n the values.
 *   FrozenMapBase(dict)   .set(key, value): FrozenMap derives from it (and adds its __slots__
 *                         _hash, the cached hash, which a fresh instance leaves unset).
 *
 * Values whose type is exactly dict, set or list are passed to refute.values.freeze (a
 * call back into Python, made only for those). New instances are made at the C level, never
 * through the Python __new__/__init__, and a new FrozenMap is filled with PyDict_* calls,
 * which bypass FrozenMap's refusing __setitem__.
 */

#define PY_SSIZE_T_CLEAN
#include <Python.h>

static PyObject *freeze_function = NULL;  /* refute.values.freeze, fetched on first use */
static PyObject *str_sorted = NULL;       /* "_sorted", the FrozenMap classmethod */
static PyObject *empty_tuple = NULL;

/* A new reference to value, or to freeze(value) if its type is exactly dict, set or list. */
static PyObject *
frozen(PyObject *value)
{
    PyTypeObject *type = Py_TYPE(value);
    if (type != &PyDict_Type && type != &PySet_Type && type != &PyList_Type) {
        Py_INCREF(value);
        return value;
    }
    if (freeze_function == NULL) {
        /* Imported lazily: refute.values imports this module, and is complete by the
         * time any record or map exists. */
        PyObject *module = PyImport_ImportModule("refute.values");
        if (module == NULL)
            return NULL;
        freeze_function = PyObject_GetAttrString(module, "freeze");
        Py_DECREF(module);
        if (freeze_function == NULL)
            return NULL;
    }
    return PyObject_CallOneArg(freeze_function, value);
}

/* ---- RecordBase.update ---- */

/* The index of the field named kw, -1 if there is none, -2 on error. Field names and keyword
 * names are interned identifiers, so comparing pointers almost always settles it. */
static Py_ssize_t
field_index(PyObject *names, PyObject *kw)
{
    Py_ssize_t n = PyTuple_GET_SIZE(names);
    for (Py_ssize_t j = 0; j < n; j++)
        if (PyTuple_GET_ITEM(names, j) == kw)
            return j;
    for (Py_ssize_t j = 0; j < n; j++) {
        int equal = PyObject_RichCompareBool(PyTuple_GET_ITEM(names, j), kw, Py_EQ);
        if (equal < 0)
            return -2;
        if (equal)
            return j;
    }
    return -1;
}

/* Raise refute.values.UnknownField(names, kw): its message lists the record's fields and its
 * hint the nearest one. Made in Python, on this error path only. */
static void
unknown_field(PyObject *names, PyObject *kw)
{
    PyObject *values = PyImport_ImportModule("refute.values");
    if (values == NULL)
        return;
    PyObject *error = PyObject_CallMethod(values, "UnknownField", "OO", names, kw);
    Py_DECREF(values);
    if (error == NULL)
        return;
    PyErr_SetObject((PyObject *)Py_TYPE(error), error);
    Py_DECREF(error);
}

static PyObject *
record_update(PyObject *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    if (nargs != 0) {
        PyErr_Format(PyExc_TypeError,
                     "Record.update() takes 1 positional argument but %zd were given", nargs + 1);
        return NULL;
    }
    Py_ssize_t size = PyTuple_GET_SIZE(self);
    PyObject *names = size > 0 ? PyTuple_GET_ITEM(self, 0) : NULL;
    if (names == NULL || !PyTuple_Check(names) || PyTuple_GET_SIZE(names) != size - 1) {
        PyErr_SetString(PyExc_TypeError,
                        "Record.update(): not a record (element 0 must be its field names)");
        return NULL;
    }
    /* What tuple.__new__(type(self), ...) does: the type's allocator, then the items. */
    PyTypeObject *type = Py_TYPE(self);
    PyObject *result = type->tp_alloc(type, size);
    if (result == NULL)
        return NULL;
    for (Py_ssize_t i = 0; i < size; i++) {
        PyObject *item = PyTuple_GET_ITEM(self, i);
        Py_INCREF(item);
        PyTuple_SET_ITEM(result, i, item);
    }
    Py_ssize_t nkw = kwnames == NULL ? 0 : PyTuple_GET_SIZE(kwnames);
    for (Py_ssize_t k = 0; k < nkw; k++) {
        PyObject *kw = PyTuple_GET_ITEM(kwnames, k);
        Py_ssize_t j = field_index(names, kw);
        if (j < 0) {
            if (j == -1)
                unknown_field(names, kw);
            goto error;
        }
        PyObject *value = frozen(args[k]);
        if (value == NULL)
            goto error;
        PyObject *old = PyTuple_GET_ITEM(result, j + 1);
        PyTuple_SET_ITEM(result, j + 1, value);
        Py_DECREF(old);  /* self still holds it */
    }
    return result;
error:
    Py_DECREF(result);
    return NULL;
}

PyDoc_STRVAR(record_update_doc,
"update($self, /, **changes)\n--\n\n"
"A copy with the given fields changed (dicts, sets and lists are frozen).");

static PyMethodDef record_methods[] = {
    {"update", (PyCFunction)(void (*)(void))record_update, METH_FASTCALL | METH_KEYWORDS,
     record_update_doc},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject RecordBase_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "refute._values.RecordBase",
    .tp_basicsize = sizeof(PyTupleObject) - sizeof(PyObject *),
    .tp_itemsize = sizeof(PyObject *),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_TUPLE_SUBCLASS,
    .tp_doc = PyDoc_STR("The tuple base of refute's Record: adds the C update method."),
    .tp_methods = record_methods,
};

/* ---- FrozenMapBase.set ---- */

/* set(key, value), also by keyword, with the messages of a Python function of that signature. */
static int
set_arguments(PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames,
              PyObject **key, PyObject **value)
{
    static const char *const names[2] = {"key", "value"};
    PyObject *slots[2] = {NULL, NULL};
    if (nargs > 2) {
        PyErr_Format(PyExc_TypeError,
                     "FrozenMap.set() takes 3 positional arguments but %zd were given", nargs + 1);
        return -1;
    }
    for (Py_ssize_t i = 0; i < nargs; i++)
        slots[i] = args[i];
    Py_ssize_t nkw = kwnames == NULL ? 0 : PyTuple_GET_SIZE(kwnames);
    for (Py_ssize_t k = 0; k < nkw; k++) {
        PyObject *kw = PyTuple_GET_ITEM(kwnames, k);
        int i = PyUnicode_CompareWithASCIIString(kw, "key") == 0 ? 0
              : PyUnicode_CompareWithASCIIString(kw, "value") == 0 ? 1 : -1;
        if (i < 0) {
            PyErr_Format(PyExc_TypeError,
                         "FrozenMap.set() got an unexpected keyword argument '%U'", kw);
            return -1;
        }
        if (slots[i] != NULL) {
            PyErr_Format(PyExc_TypeError,
                         "FrozenMap.set() got multiple values for argument '%s'", names[i]);
            return -1;
        }
        slots[i] = args[nargs + k];
    }
    if (slots[0] == NULL || slots[1] == NULL) {
        if (slots[0] == NULL && slots[1] == NULL)
            PyErr_SetString(PyExc_TypeError, "FrozenMap.set() missing 2 required positional "
                                             "arguments: 'key' and 'value'");
        else
            PyErr_Format(PyExc_TypeError,
                         "FrozenMap.set() missing 1 required positional argument: '%s'",
                         names[slots[0] == NULL ? 0 : 1]);
        return -1;
    }
    *key = slots[0];
    *value = slots[1];
    return 0;
}

static PyObject *
frozenmap_set(PyObject *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    PyObject *key, *value;
    if (set_arguments(args, nargs, kwnames, &key, &value) < 0)
        return NULL;
    PyTypeObject *type = Py_TYPE(self);
    /* A new, empty instance of type(self) (its _hash slot zeroed, i.e. unset), filled like
     * dict.update(copy, self), which clones self's table in one go. */
    PyObject *copy = PyDict_Type.tp_new(type, empty_tuple, NULL);
    if (copy == NULL)
        return NULL;
    if (PyDict_Update(copy, self) < 0 || PyDict_SetItem(copy, key, value) < 0)
        goto error;
    if (PyDict_GET_SIZE(copy) != PyDict_GET_SIZE(self)) {
        /* key was absent: the slow path re-sorts, type(self)._sorted({**self, key: value}). */
        Py_DECREF(copy);
        PyObject *merged = PyDict_Copy(self);
        if (merged == NULL)
            return NULL;
        if (PyDict_SetItem(merged, key, value) < 0) {
            Py_DECREF(merged);
            return NULL;
        }
        PyObject *result = PyObject_CallMethodOneArg((PyObject *)type, str_sorted, merged);
        Py_DECREF(merged);
        return result;
    }
    {
        PyTypeObject *kind = Py_TYPE(value);
        if (kind == &PyDict_Type || kind == &PySet_Type || kind == &PyList_Type) {
            PyObject *frozen_value = frozen(value);
            if (frozen_value == NULL)
                goto error;
            int failed = PyDict_SetItem(copy, key, frozen_value);
            Py_DECREF(frozen_value);
            if (failed)
                goto error;
        }
    }
    return copy;
error:
    Py_DECREF(copy);
    return NULL;
}

PyDoc_STRVAR(frozenmap_set_doc,
"set($self, key, value, /)\n--\n\n"
"A copy with ``key`` mapped to ``value`` (added if absent).");

static PyMethodDef frozenmap_methods[] = {
    {"set", (PyCFunction)(void (*)(void))frozenmap_set, METH_FASTCALL | METH_KEYWORDS,
     frozenmap_set_doc},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject FrozenMapBase_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "refute._values.FrozenMapBase",
    .tp_basicsize = sizeof(PyDictObject),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_DICT_SUBCLASS,
    .tp_doc = PyDoc_STR("The dict base of refute's FrozenMap: adds the C set method."),
    .tp_methods = frozenmap_methods,
};

/* ---- module ---- */

static struct PyModuleDef values_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "refute._values",
    .m_doc = "C versions of Record.update and FrozenMap.set (see refute/values.py).",
    .m_size = -1,
};

PyMODINIT_FUNC
PyInit__values(void)
{
    RecordBase_Type.tp_base = &PyTuple_Type;
    FrozenMapBase_Type.tp_base = &PyDict_Type;
    if (PyType_Ready(&RecordBase_Type) < 0 || PyType_Ready(&FrozenMapBase_Type) < 0)
        return NULL;
    if (str_sorted == NULL && (str_sorted = PyUnicode_InternFromString("_sorted")) == NULL)
        return NULL;
    if (empty_tuple == NULL && (empty_tuple = PyTuple_New(0)) == NULL)
        return NULL;
    PyObject *module = PyModule_Create(&values_module);
    if (module == NULL)
        return NULL;
    Py_INCREF(&RecordBase_Type);
    if (PyModule_AddObject(module, "RecordBase", (PyObject *)&RecordBase_Type) < 0) {
        Py_DECREF(&RecordBase_Type);
        goto error;
    }
    Py_INCREF(&FrozenMapBase_Type);
    if (PyModule_AddObject(module, "FrozenMapBase", (PyObject *)&FrozenMapBase_Type) < 0) {
        Py_DECREF(&FrozenMapBase_Type);
        goto error;
    }
    return module;
error:
    Py_DECREF(module);
    return NULL;
}
