/* A negative PyType_Spec.basicsize (PEP 697: "extend the base by this much", from 3.12). */
#include <Python.h>

static PyType_Slot slots[] = {{0, NULL}};
static PyType_Spec spec = {"proof.Obj", -(int)sizeof(long), 0, Py_TPFLAGS_DEFAULT, slots};

static PyObject *proof(PyObject *self, PyObject *helpers)
{
    PyObject *type = PyType_FromSpec(&spec);
    if (type == NULL) return NULL;
    PyObject *size = PyObject_GetAttrString(type, "__basicsize__");
    Py_DECREF(type);
    return size;
}
