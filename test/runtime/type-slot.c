/* A type slot id given as SLOT_ID (-D): whether PyType_FromSpec accepts it. The slot's function is never
   called; it only has to be a valid pointer. */
#include <Python.h>

static PyObject *dummy(PyObject *self) { Py_INCREF(self); return self; }

static PyType_Slot slots[] = {
    {SLOT_ID, (void *)dummy},
    {0, NULL},
};

static PyType_Spec spec = {"proof.Obj", sizeof(PyObject), 0, Py_TPFLAGS_DEFAULT, slots};

static PyObject *proof(PyObject *self, PyObject *helpers)
{
    PyObject *type = PyType_FromSpec(&spec);
    if (type == NULL) return NULL;
    Py_DECREF(type);
    return PyUnicode_FromString("created");
}
