/* PyArg_ParseTuple with the format UNIT (-D, a string literal) of one C variable of type CTYPE (-D), given the
   helper object HELPER (-D, a string literal naming a driver helper: instantiated; or "int300" for 300, or
   "str" for "ab"). */
#include <Python.h>
#include <string.h>

static PyObject *proof(PyObject *self, PyObject *helpers)
{
    CTYPE out;
    memset(&out, 0, sizeof out);
    PyObject *arg;
    if (strcmp(HELPER, "int300") == 0) arg = PyLong_FromLong(300);
    else if (strcmp(HELPER, "str") == 0) arg = PyUnicode_FromString("ab");
    else arg = PyObject_CallObject(PyDict_GetItemString(helpers, HELPER), NULL);
    if (arg == NULL) return NULL;
    PyObject *args = PyTuple_Pack(1, arg);
    Py_DECREF(arg);
    if (args == NULL) return NULL;
    int ok = PyArg_ParseTuple(args, UNIT, &out);
    Py_DECREF(args);
    if (!ok) return NULL;
    return PyLong_FromUnsignedLongLong((unsigned long long)out);
}
