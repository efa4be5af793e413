/*
 * refute.spec._dispatch: the loop of SpecModel.next_states over a Python spec's action
 * instances, in C (refute/spec/compile.py holds the same loop in Python, used when this
 * module is not built, and everything this loop hands back to it).
 *
 * dispatch(instances, start, state, state_type, out, where[, unvalidated])
 *   -> None or (position, result)
 *
 * instances: a list of (label, function, args) with args a tuple; from position `start` on,
 * call function(state, *args) for each; a result of None is skipped, a result whose type is
 * exactly state_type is appended to `out` as (label, result). Any other result (a generator,
 * a value of another type to validate) stops the loop: the answer is its position and the
 * result, for the caller to handle and to call again from the next position; so does a state
 * of an action named in the optional set `unvalidated` (label[0] in it: the caller checks an
 * action's first successor). None when every instance is done. An exception from an action propagates, with where[0] set to the position
 * of the instance that raised it, so that the caller can name the action.
 *
 * boolean(function, judge) -> a callable b with b(state) = function(state) when that is True or
 * False, else judge(result) (which converts another boolean type or raises the spec's error):
 * compile.py's _Boolean without a Python frame on the path every state takes, since the
 * search calls each invariant on every new state.
 */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>

#define MAX_ARGS 8  /* beyond that many parameters, the call builds a tuple (rare) */

static PyObject *dispatch(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    (void)module;
    if ((nargs != 6 && nargs != 7) || !PyList_Check(args[0]) || !PyType_Check(args[3]) ||
        !PyList_Check(args[4]) || !PyList_Check(args[5]) ||
        (nargs == 7 && !PyAnySet_Check(args[6]))) {
        PyErr_SetString(PyExc_TypeError,
                        "dispatch(instances: list, start, state, state_type: type, out: list, "
                        "where: list[, unvalidated: set])");
        return NULL;
    }
    PyObject *instances = args[0], *state = args[2], *state_type = args[3], *out = args[4];
    PyObject *unvalidated = nargs == 7 ? args[6] : NULL;
    Py_ssize_t start = PyLong_AsSsize_t(args[1]);
    if (start == -1 && PyErr_Occurred())
        return NULL;
    Py_ssize_t n = PyList_GET_SIZE(instances);
    /* stack[0] is scratch for PY_VECTORCALL_ARGUMENTS_OFFSET (a bound method puts self there) */
    PyObject *stack[MAX_ARGS + 2];
    for (Py_ssize_t i = start; i < n; i++) {
        PyObject *instance = PyList_GET_ITEM(instances, i);
        if (!PyTuple_Check(instance) || PyTuple_GET_SIZE(instance) != 3 ||
            !PyTuple_Check(PyTuple_GET_ITEM(instance, 2))) {
            PyErr_SetString(PyExc_TypeError, "dispatch: an instance is not (label, function, args)");
            return NULL;
        }
        PyObject *function = PyTuple_GET_ITEM(instance, 1);
        PyObject *arguments = PyTuple_GET_ITEM(instance, 2);
        Py_ssize_t count = PyTuple_GET_SIZE(arguments);
        PyObject *result;
        if (count <= MAX_ARGS) {
            stack[1] = state;
            for (Py_ssize_t j = 0; j < count; j++)
                stack[j + 2] = PyTuple_GET_ITEM(arguments, j);
            result = PyObject_Vectorcall(function, stack + 1,
                                         (size_t)(count + 1) | PY_VECTORCALL_ARGUMENTS_OFFSET, NULL);
        } else {
            PyObject *all = PyTuple_New(count + 1);
            if (all == NULL)
                return NULL;
            Py_INCREF(state);
            PyTuple_SET_ITEM(all, 0, state);
            for (Py_ssize_t j = 0; j < count; j++) {
                Py_INCREF(PyTuple_GET_ITEM(arguments, j));
                PyTuple_SET_ITEM(all, j + 1, PyTuple_GET_ITEM(arguments, j));
            }
            result = PyObject_Call(function, all, NULL);
            Py_DECREF(all);
        }
        if (result == NULL) {
            PyObject *position = PyLong_FromSsize_t(i);
            if (position != NULL) {
                PyObject *type, *value, *traceback;
                PyErr_Fetch(&type, &value, &traceback);
                PyList_SetItem(args[5], 0, position);  /* steals position */
                PyErr_Restore(type, value, traceback);
            }
            return NULL;
        }
        if (result == Py_None) {
            Py_DECREF(result);
            continue;
        }
        int hand_back = (PyObject *)Py_TYPE(result) != state_type;
        if (!hand_back && unvalidated != NULL && PySet_GET_SIZE(unvalidated) > 0) {
            PyObject *label = PyTuple_GET_ITEM(instance, 0);
            hand_back = PyTuple_Check(label) && PyTuple_GET_SIZE(label) > 0
                ? PySet_Contains(unvalidated, PyTuple_GET_ITEM(label, 0)) : 1;
            if (hand_back < 0) {
                Py_DECREF(result);
                return NULL;
            }
        }
        if (hand_back) {
            PyObject *answer = Py_BuildValue("(nN)", i, result);  /* steals result */
            return answer;
        }
        PyObject *pair = PyTuple_Pack(2, PyTuple_GET_ITEM(instance, 0), result);
        Py_DECREF(result);
        if (pair == NULL)
            return NULL;
        int failed = PyList_Append(out, pair);
        Py_DECREF(pair);
        if (failed)
            return NULL;
    }
    Py_RETURN_NONE;
}

/* ---- boolean: a predicate whose result must be a bool ---- */

typedef struct {
    PyObject_HEAD
    PyObject *function;
    PyObject *judge;
    vectorcallfunc vectorcall;
} Boolean;

static PyObject *boolean_vectorcall(PyObject *self, PyObject *const *args, size_t nargsf,
                                    PyObject *kwnames) {
    Boolean *b = (Boolean *)self;
    PyObject *result = PyObject_Vectorcall(b->function, args, nargsf, kwnames);
    if (result == NULL || result == Py_True || result == Py_False)
        return result;
    PyObject *judged = PyObject_CallOneArg(b->judge, result);
    Py_DECREF(result);
    return judged;
}

static int boolean_traverse(Boolean *b, visitproc visit, void *arg) {
    Py_VISIT(b->function);
    Py_VISIT(b->judge);
    return 0;
}

static int boolean_clear(Boolean *b) {
    Py_CLEAR(b->function);
    Py_CLEAR(b->judge);
    return 0;
}

static void boolean_dealloc(Boolean *b) {
    PyObject_GC_UnTrack(b);
    boolean_clear(b);
    Py_TYPE(b)->tp_free((PyObject *)b);
}

static PyMemberDef boolean_members[] = {
    {"function", T_OBJECT, offsetof(Boolean, function), READONLY, "the predicate called"},
    {"judge", T_OBJECT, offsetof(Boolean, judge), READONLY,
     "called with any result that is not True or False"},
    {NULL, 0, 0, 0, NULL},
};

static PyTypeObject Boolean_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "refute.spec._dispatch.Boolean",
    .tp_basicsize = sizeof(Boolean),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_HAVE_VECTORCALL,
    .tp_doc = PyDoc_STR("A predicate whose result must be True or False (see _dispatch.c)."),
    .tp_vectorcall_offset = offsetof(Boolean, vectorcall),
    .tp_call = PyVectorcall_Call,
    .tp_traverse = (traverseproc)boolean_traverse,
    .tp_clear = (inquiry)boolean_clear,
    .tp_dealloc = (destructor)boolean_dealloc,
    .tp_members = boolean_members,
};

static PyObject *boolean(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    (void)module;
    if (nargs != 2 || !PyCallable_Check(args[0]) || !PyCallable_Check(args[1])) {
        PyErr_SetString(PyExc_TypeError, "boolean(function, judge): two callables");
        return NULL;
    }
    Boolean *b = PyObject_GC_New(Boolean, &Boolean_Type);
    if (b == NULL)
        return NULL;
    Py_INCREF(args[0]);
    Py_INCREF(args[1]);
    b->function = args[0];
    b->judge = args[1];
    b->vectorcall = boolean_vectorcall;
    PyObject_GC_Track(b);
    return (PyObject *)b;
}

static PyMethodDef methods[] = {
    {"dispatch", (PyCFunction)(void (*)(void))dispatch, METH_FASTCALL,
     "dispatch(instances, start, state, state_type, out, where) -> None or (position, result): "
     "call a spec's action instances on a state (see _dispatch.c)"},
    {"boolean", (PyCFunction)(void (*)(void))boolean, METH_FASTCALL,
     "boolean(function, judge) -> a predicate: function(state) if it is True or False, else "
     "judge(that result) (see _dispatch.c)"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "refute.spec._dispatch",
    "The loop of SpecModel.next_states over action instances, and checked predicates, in C "
    "(see compile.py).", -1,
    methods};

PyMODINIT_FUNC PyInit__dispatch(void) {
    if (PyType_Ready(&Boolean_Type) < 0)
        return NULL;
    return PyModule_Create(&module);
}
