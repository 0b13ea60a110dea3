/* Py_CLEAR(expr) with a side effect in its argument: how often the headers' macro evaluates it. */
#include <Python.h>

static PyObject *proof(PyObject *self, PyObject *helpers)
{
    PyObject *items[4] = {NULL, NULL, NULL, NULL};
    int i = 0;
    items[0] = PyLong_FromLong(1);
    Py_CLEAR(items[i++]);
    return PyLong_FromLong(i);
}
