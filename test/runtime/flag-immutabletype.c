/* Py_TPFLAGS_IMMUTABLETYPE in a spec's flags (3.10): is the type's attribute assignment refused? */
#include <Python.h>

static PyType_Slot slots[] = {{0, NULL}};
static PyType_Spec spec = {"proof.Obj", sizeof(PyObject), 0, Py_TPFLAGS_DEFAULT | Py_TPFLAGS_IMMUTABLETYPE, slots};

static PyObject *proof(PyObject *self, PyObject *helpers)
{
    PyObject *type = PyType_FromSpec(&spec);
    if (type == NULL) return NULL;
    int rc = PyObject_SetAttrString(type, "x", Py_None);
    Py_DECREF(type);
    if (rc == 0) return PyUnicode_FromString("mutable");
    PyErr_Clear();
    return PyUnicode_FromString("immutable");
}
