/* PyArg_ParseTuple's "(ss)" given the str "ab" (a str as the sequence of items: rejected from 3.14). */
#include <Python.h>

static PyObject *proof(PyObject *self, PyObject *helpers)
{
    const char *a = NULL, *b = NULL;
    PyObject *args = Py_BuildValue("(s)", "ab");
    if (args == NULL) return NULL;
    int ok = PyArg_ParseTuple(args, "(ss)", &a, &b);
    Py_DECREF(args);
    if (!ok) return NULL;
    return Py_BuildValue("(ss)", a, b);
}
