/* PyErr_SetString then PyErr_Fetch: is the fetched value an exception instance (3.12) or the raw string? */
#include <Python.h>

static PyObject *proof(PyObject *self, PyObject *helpers)
{
    PyObject *t, *v, *tb;
    PyErr_SetString(PyExc_ValueError, "x");
    PyErr_Fetch(&t, &v, &tb);
    PyObject *name = PyObject_GetAttrString((PyObject *)Py_TYPE(v), "__name__");
    Py_XDECREF(t); Py_XDECREF(v); Py_XDECREF(tb);
    return name;
}
