/* PyArg_ParseTupleAndKeywords with a non-ASCII keyword name (UTF-8 in kwlist; matched from 3.13). */
#include <Python.h>

static PyObject *proof(PyObject *self, PyObject *helpers)
{
    static char *kwlist[] = {"\xc3\xa9t\xc3\xa9", NULL};
    int value = 0;
    PyObject *args = PyTuple_New(0);
    PyObject *kwargs = Py_BuildValue("{si}", "\xc3\xa9t\xc3\xa9", 5);
    if (args == NULL || kwargs == NULL) return NULL;
    int ok = PyArg_ParseTupleAndKeywords(args, kwargs, "|i", kwlist, &value);
    Py_DECREF(args); Py_DECREF(kwargs);
    if (!ok) return NULL;
    return PyLong_FromLong(value);
}
