/* Py_tp_doc with a NULL value in a type spec (accepted from 3.10; bpo-41832). */
#include <Python.h>

typedef struct {
    PyObject_HEAD
} Obj;

static PyType_Slot slots[] = {
    {Py_tp_doc, NULL},
    {0, NULL},
};

static PyType_Spec spec = {"proof.Obj", sizeof(Obj), 0, Py_TPFLAGS_DEFAULT, slots};

static PyObject *proof(PyObject *self, PyObject *helpers)
{
    PyObject *type = PyType_FromSpec(&spec);
    if (type == NULL) return NULL;
    PyObject *name = PyObject_GetAttrString(type, "__name__");
    Py_DECREF(type);
    return name;
}
