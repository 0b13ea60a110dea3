/* PyType_FromSpecWithBases with one type instead of a tuple as bases (accepted from 3.10). */
#include <Python.h>

static PyType_Slot slots[] = {{0, NULL}};
static PyType_Spec spec = {"proof.Obj", sizeof(PyObject), 0, Py_TPFLAGS_DEFAULT, slots};

static PyObject *proof(PyObject *self, PyObject *helpers)
{
    PyObject *type = PyType_FromSpecWithBases(&spec, (PyObject *)&PyBaseObject_Type);
    if (type == NULL) return NULL;
    Py_DECREF(type);
    return PyUnicode_FromString("created");
}
