/*
 * refute._values: C versions of Record(**fields), Record.update and FrozenMap.set.
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
 *                         a tuple: element 0 its field names sorted (one tuple shared by every
 *                         record with those fields), elements 1..n the values in that order,
 *                         so equal records are equal tuples whatever order their fields were
 *                         given in.
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
#include <structmember.h>

static PyObject *freeze_function = NULL;  /* refute.values.freeze, fetched on first use */
static PyObject *str_sorted = NULL;       /* "_sorted", the FrozenMap classmethod */
static PyObject *empty_tuple = NULL;

/* refute.values.freeze (a borrowed reference), fetched on first use: refute.values imports
 * this module, and is complete by the time any record or map exists. */
static PyObject *
freeze(void)
{
    if (freeze_function == NULL) {
        PyObject *module = PyImport_ImportModule("refute.values");
        if (module == NULL)
            return NULL;
        freeze_function = PyObject_GetAttrString(module, "freeze");
        Py_DECREF(module);
    }
    return freeze_function;
}

static inline int
is_mutable(PyObject *value)
{
    PyTypeObject *type = Py_TYPE(value);
    return type == &PyDict_Type || type == &PySet_Type || type == &PyList_Type;
}

/* A new reference to value, or to freeze(value) if its type is exactly dict, set or list. */
static PyObject *
frozen(PyObject *value)
{
    if (!is_mutable(value)) {
        Py_INCREF(value);
        return value;
    }
    return freeze() == NULL ? NULL : PyObject_CallOneArg(freeze_function, value);
}

/* A new reference to what refute.values.freeze(value) returns: value itself unless it is, or
 * is a tuple holding, an exact dict, set or list (then freeze is called, in Python). */
static PyObject *
frozen_deep(PyObject *value)
{
    if (Py_TYPE(value) == &PyTuple_Type) {
        Py_ssize_t n = PyTuple_GET_SIZE(value);
        for (Py_ssize_t i = 0; i < n; i++)
            if (is_mutable(PyTuple_GET_ITEM(value, i)))
                return freeze() == NULL ? NULL : PyObject_CallOneArg(freeze_function, value);
    }
    return frozen(value);
}

/* ---- new_record: Record(**fields) ---- */

/* The layout of the records made from one tuple of keyword names (in the order given), kept
 * in `layouts` under that tuple: (class, element 0 = the names sorted, positions), positions a
 * bytes object of one Py_ssize_t per given name, the element its value goes to. The class and
 * element 0 come from values.py (Record._classes, _record_class), read once per tuple of names
 * so that each call is a dict lookup and a copy. */
static PyObject *layouts = NULL;
static PyObject *record_classes = NULL;  /* Record._classes: field names -> class */
static PyObject *make_record_class = NULL;  /* refute.values._record_class */

/* The layout (borrowed from `layouts`) for these keyword names, made on first use. */
static PyObject *
record_layout(PyObject *names)
{
    PyObject *layout = PyDict_GetItemWithError(layouts, names);
    if (layout != NULL || PyErr_Occurred())
        return layout;
    PyObject *cls = PyDict_GetItemWithError(record_classes, names);
    if (cls == NULL) {
        if (PyErr_Occurred())
            return NULL;
        cls = PyObject_CallOneArg(make_record_class, names);
        if (cls == NULL)
            return NULL;
        Py_DECREF(cls);  /* Record._classes holds it */
    }
    if (!PyType_Check(cls) || !PyType_IsSubtype((PyTypeObject *)cls, &PyTuple_Type)) {
        PyErr_SetString(PyExc_TypeError, "Record._classes holds a class that is not a tuple");
        return NULL;
    }
    Py_ssize_t n = PyTuple_GET_SIZE(names);
    PyObject *stored = PyObject_GetAttrString(cls, "_names");
    PyObject *given = PyObject_GetAttrString(cls, "_positions");
    PyObject *positions = PyBytes_FromStringAndSize(NULL, n * (Py_ssize_t)sizeof(Py_ssize_t));
    if (stored == NULL || given == NULL || positions == NULL)
        goto error;
    if (!PyTuple_Check(stored) || PyTuple_GET_SIZE(stored) != n
            || !PyTuple_Check(given) || PyTuple_GET_SIZE(given) != n) {
        PyErr_SetString(PyExc_TypeError, "a Record class's _names or _positions do not fit its fields");
        goto error;
    }
    Py_ssize_t *position = (Py_ssize_t *)PyBytes_AS_STRING(positions);
    for (Py_ssize_t i = 0; i < n; i++) {
        position[i] = PyLong_AsSsize_t(PyTuple_GET_ITEM(given, i));
        if (position[i] == -1 && PyErr_Occurred())
            goto error;
        if (position[i] < 1 || position[i] > n) {
            PyErr_SetString(PyExc_ValueError, "a Record class's _positions are out of range");
            goto error;
        }
    }
    layout = PyTuple_Pack(3, cls, stored, positions);
    if (layout == NULL || PyDict_SetItem(layouts, names, layout) < 0)
        goto error;
    Py_DECREF(layout);  /* `layouts` holds it */
    Py_DECREF(stored);
    Py_DECREF(given);
    Py_DECREF(positions);
    return layout;
error:
    Py_XDECREF(layout);
    Py_XDECREF(stored);
    Py_XDECREF(given);
    Py_XDECREF(positions);
    return NULL;
}

/* Record.__new__(cls, **fields), as values.py's Python version: the class made once per
 * tuple of field names (in the order given), element 0 the names sorted, each value frozen
 * and stored at its name's place in that order. */
static PyObject *
new_record(PyObject *module, PyObject *args, PyObject *kwargs)
{
    (void)module;
    if (PyTuple_GET_SIZE(args) != 1) {
        PyErr_Format(PyExc_TypeError,
                     "Record.__new__() takes 1 positional argument but %zd were given",
                     PyTuple_GET_SIZE(args));
        return NULL;
    }
    if (layouts == NULL) {
        PyObject *values = PyImport_ImportModule("refute.values");
        if (values == NULL)
            return NULL;
        PyObject *record = PyObject_GetAttrString(values, "Record");
        make_record_class = PyObject_GetAttrString(values, "_record_class");
        Py_DECREF(values);
        if (record == NULL || make_record_class == NULL) {
            Py_XDECREF(record);
            Py_CLEAR(make_record_class);
            return NULL;
        }
        record_classes = PyObject_GetAttrString(record, "_classes");
        Py_DECREF(record);
        if (record_classes == NULL || !PyDict_Check(record_classes)) {
            Py_CLEAR(record_classes);
            Py_CLEAR(make_record_class);
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_TypeError, "Record._classes is not a dict");
            return NULL;
        }
        if ((layouts = PyDict_New()) == NULL)
            return NULL;
    }
    Py_ssize_t n = kwargs == NULL ? 0 : PyDict_GET_SIZE(kwargs);
    PyObject *names = PyTuple_New(n);
    if (names == NULL)
        return NULL;
    PyObject *key, *value, *result = NULL;
    Py_ssize_t index = 0, i = 0;
    while (kwargs != NULL && PyDict_Next(kwargs, &index, &key, &value)) {
        Py_INCREF(key);
        PyTuple_SET_ITEM(names, i++, key);
    }
    PyObject *layout = record_layout(names);
    if (layout == NULL)
        goto done;
    PyTypeObject *type = (PyTypeObject *)PyTuple_GET_ITEM(layout, 0);
    PyObject *stored = PyTuple_GET_ITEM(layout, 1);
    const Py_ssize_t *position = (const Py_ssize_t *)PyBytes_AS_STRING(PyTuple_GET_ITEM(layout, 2));
    result = type->tp_alloc(type, n + 1);
    if (result == NULL)
        goto done;
    Py_INCREF(stored);
    PyTuple_SET_ITEM(result, 0, stored);
    index = 0;
    i = 0;
    while (kwargs != NULL && PyDict_Next(kwargs, &index, &key, &value)) {
        PyObject *item = frozen_deep(value);
        if (item == NULL) {
            Py_CLEAR(result);  /* the slots not yet set are NULL, which tuple_dealloc skips */
            goto done;
        }
        PyTuple_SET_ITEM(result, position[i++], item);
    }
done:
    Py_DECREF(names);
    return result;
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

/* ---- field_descriptor: a record field read as an attribute ---- */

/* field_descriptor(cls, name, index): the descriptor of field `name`, element `index` of every
 * instance of cls: a read-only member descriptor (T_OBJECT_EX) at that element's offset in
 * the tuple, as __slots__ make for a plain class. CPython's interpreter specialises reading
 * such a member (LOAD_ATTR_SLOT: a type check and a load), where namedtuple's _tuplegetter
 * goes through the generic attribute lookup and a descriptor call each time; specs read
 * state fields in every action and invariant. Sound because every instance of a record class
 * holds exactly len(_names) + 1 elements (Record(), update, unpickling and the spec compiler's
 * re-ordering make them so), so the offset is always inside the tuple. The PyMemberDef and
 * its name live as long as the process: a record class is never freed (Record._classes). */
static PyObject *
field_descriptor(PyObject *module, PyObject *args)
{
    (void)module;
    PyObject *cls, *name;
    Py_ssize_t index;
    if (!PyArg_ParseTuple(args, "O!Un:field_descriptor", &PyType_Type, &cls, &name, &index))
        return NULL;
    if (!PyType_IsSubtype((PyTypeObject *)cls, &RecordBase_Type)) {
        PyErr_SetString(PyExc_TypeError, "field_descriptor: cls must be a record class");
        return NULL;
    }
    Py_ssize_t offset = (Py_ssize_t)offsetof(PyTupleObject, ob_item) +
                        index * (Py_ssize_t)sizeof(PyObject *);
    if (index < 1 || offset > 0xFFFF) {
        PyErr_SetString(PyExc_ValueError, "field_descriptor: index out of range");
        return NULL;
    }
    Py_ssize_t size;
    const char *text = PyUnicode_AsUTF8AndSize(name, &size);
    if (text == NULL)
        return NULL;
    PyMemberDef *member = PyMem_Calloc(1, sizeof(PyMemberDef));
    char *copy = PyMem_Malloc((size_t)size + 1);
    if (member == NULL || copy == NULL) {
        PyMem_Free(member);
        PyMem_Free(copy);
        return PyErr_NoMemory();
    }
    memcpy(copy, text, (size_t)size + 1);
    member->name = copy;
    member->type = T_OBJECT_EX;
    member->offset = offset;
    member->flags = READONLY;
    member->doc = NULL;
    PyObject *descriptor = PyDescr_NewMember((PyTypeObject *)cls, member);
    if (descriptor == NULL) {
        PyMem_Free(member);
        PyMem_Free(copy);
    }
    return descriptor;
}

/* ---- module ---- */

static PyMethodDef module_methods[] = {
    {"field_descriptor", (PyCFunction)field_descriptor, METH_VARARGS,
     "field_descriptor(cls, name, index): the attribute reading element index of a record "
     "(see _values.c)"},
    {"new_record", (PyCFunction)(void (*)(void))new_record, METH_VARARGS | METH_KEYWORDS,
     "new_record(cls, **fields): Record.__new__ in C (see values.py)"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef values_module = {
    PyModuleDef_HEAD_INIT,
    .m_methods = module_methods,
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
