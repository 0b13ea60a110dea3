/* PyObject_SetAttr(o, name, NULL) (deletion) called while an exception is set. */
#include <Python.h>

static PyObject *proof(PyObject *self, PyObject *helpers)
{
    PyObject *ns = PyDict_GetItemString(helpers, "spec");
    PyObject *type = (PyObject *)Py_TYPE(ns);
    if (PyObject_SetAttrString(type, "tmp", Py_None) < 0) return NULL;
    PyErr_SetString(PyExc_KeyError, "pending");
    int rc = PyObject_SetAttrString(type, "tmp", NULL);
    PyObject *t, *v, *tb;
    PyErr_Fetch(&t, &v, &tb);
    PyObject *name = t ? PyObject_GetAttrString(t, "__name__") : PyUnicode_FromString("none");
    Py_XDECREF(t); Py_XDECREF(v); Py_XDECREF(tb);
    PyObject *r = Py_BuildValue("(iN)", rc, name);
    return r;
}
