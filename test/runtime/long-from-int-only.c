/* PyLong_AsLong on an object with __int__ but no __index__ (no longer converted from 3.10). */
#include <Python.h>

static PyObject *proof(PyObject *self, PyObject *helpers)
{
    PyObject *obj = PyObject_CallObject(PyDict_GetItemString(helpers, "IntOnly"), NULL);
    if (obj == NULL) return NULL;
    long v = PyLong_AsLong(obj);
    Py_DECREF(obj);
    if (v == -1 && PyErr_Occurred()) return NULL;
    return PyLong_FromLong(v);
}
