/* Reaching into CPython's internals, and a target defined twice. */
#define Py_BUILD_CORE 1
#include "internal/pycore_object.h"
#define Py_LIMITED_API 0x030A0000
#define Py_LIMITED_API PY_VERSION_HEX
#include <Python.h>

static PyObject *
first(PyObject *list)
{
    return PyList_GET_ITEM(list, 0);
}
