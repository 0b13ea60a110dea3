/* A "__weaklistoffset__" or "__dictoffset__" member (MEMBER, -D) in a spec's Py_tp_members (honoured from
   3.9): does an instance then support weak references / attributes? */
#include <Python.h>
#include <structmember.h>

typedef struct {
    PyObject_HEAD
    PyObject *slot;
} Obj;

static PyMemberDef members[] = {
    {MEMBER, T_PYSSIZET, offsetof(Obj, slot), READONLY, NULL},
    {NULL, 0, 0, 0, NULL},
};

static PyType_Slot slots[] = {{Py_tp_members, members}, {0, NULL}};
static PyType_Spec spec = {"proof.Obj", sizeof(Obj), 0, Py_TPFLAGS_DEFAULT, slots};

static PyObject *proof(PyObject *self, PyObject *helpers)
{
    PyObject *type = PyType_FromSpec(&spec);
    if (type == NULL) return NULL;
    PyObject *obj = PyObject_CallObject(type, NULL);
    Py_DECREF(type);
    if (obj == NULL) return NULL;
    PyObject *result;
    if (strcmp(MEMBER, "__weaklistoffset__") == 0) {
        PyObject *ref = PyWeakref_NewRef(obj, NULL);
        result = PyUnicode_FromString(ref ? "weakref made" : "no weakref");
        Py_XDECREF(ref);
    } else {
        int rc = PyObject_SetAttrString(obj, "attr", Py_None);
        result = PyUnicode_FromString(rc == 0 ? "attribute set" : "no attribute");
    }
    PyErr_Clear();
    Py_DECREF(obj);
    return result;
}
