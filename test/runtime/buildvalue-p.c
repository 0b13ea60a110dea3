/* Py_BuildValue's "p" unit (a C int made a bool), new in 3.14. */
#include <Python.h>

static PyObject *proof(PyObject *self, PyObject *helpers)
{
    return Py_BuildValue("(ip)", 1, 0);
}
