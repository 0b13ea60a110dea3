/* PyUnicode_FromFormat with the format FORMAT (-D, a string literal) and the arguments ARGS (-D). */
#include <Python.h>
#include <wchar.h>
#include <stdint.h>
#include <stddef.h>

static PyObject *proof(PyObject *self, PyObject *helpers)
{
    PyObject *obj = PyDict_GetItemString(helpers, "version");
    PyObject *type = (PyObject *)Py_TYPE(obj);
    (void)obj; (void)type;
    return PyUnicode_FromFormat(FORMAT "|end", ARGS);
}
