/* Py_TPFLAGS_DISALLOW_INSTANTIATION in a spec's flags (3.10): does calling the type still create an instance? */
#include <Python.h>

static PyType_Slot slots[] = {{0, NULL}};
static PyType_Spec spec = {"proof.Obj", sizeof(PyObject), 0, Py_TPFLAGS_DEFAULT | Py_TPFLAGS_DISALLOW_INSTANTIATION, slots};

static PyObject *proof(PyObject *self, PyObject *helpers)
{
    PyObject *type = PyType_FromSpec(&spec);
    if (type == NULL) return NULL;
    PyObject *obj = PyObject_CallObject(type, NULL);
    Py_DECREF(type);
    if (obj != NULL) {
        Py_DECREF(obj);
        return PyUnicode_FromString("instantiated");
    }
    PyErr_Clear();
    return PyUnicode_FromString("refused");
}
