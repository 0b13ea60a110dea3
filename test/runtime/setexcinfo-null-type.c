/* PyErr_SetExcInfo(NULL, value, NULL): from 3.11 the type and traceback are taken from the value. */
#include <Python.h>

static PyObject *proof(PyObject *self, PyObject *helpers)
{
    PyObject *t, *v, *tb, *saved_t, *saved_v, *saved_tb;
    PyObject *exc = PyObject_CallFunction(PyExc_ValueError, "s", "x");
    if (exc == NULL) return NULL;
    PyErr_GetExcInfo(&saved_t, &saved_v, &saved_tb);
    PyErr_SetExcInfo(NULL, exc, NULL); /* steals exc */
    PyErr_GetExcInfo(&t, &v, &tb);
    PyObject *name = t ? PyObject_GetAttrString(t, "__name__") : PyUnicode_FromString("NULL type");
    Py_XDECREF(t); Py_XDECREF(v); Py_XDECREF(tb);
    PyErr_SetExcInfo(saved_t, saved_v, saved_tb);
    return name;
}
