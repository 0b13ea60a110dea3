/* A METH_METHOD | METH_FASTCALL | METH_KEYWORDS method (the defining-class convention, 3.9) in a heap type,
   written with the flag values so that it builds at targets whose headers hide the names. */
#include <Python.h>

typedef PyObject *(*defining_class_method)(PyObject *, PyTypeObject *, PyObject *const *, Py_ssize_t, PyObject *);

static PyObject *meth(PyObject *self, PyTypeObject *cls, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    return PyUnicode_FromString(cls != NULL ? "got defining class" : "no defining class");
}

static PyMethodDef methods[] = {
    {"meth", (PyCFunction)(void (*)(void))meth, 0x0200 | 0x0080 | 0x0002, NULL},
    {NULL, NULL, 0, NULL},
};

static PyType_Slot slots[] = {{Py_tp_methods, methods}, {0, NULL}};
static PyType_Spec spec = {"proof.Obj", sizeof(PyObject), 0, Py_TPFLAGS_DEFAULT, slots};

static PyObject *proof(PyObject *self, PyObject *helpers)
{
    PyObject *type = PyType_FromSpec(&spec);
    if (type == NULL) return NULL;
    PyObject *obj = PyObject_CallObject(type, NULL);
    Py_DECREF(type);
    if (obj == NULL) return NULL;
    PyObject *r = PyObject_CallMethod(obj, "meth", NULL);
    Py_DECREF(obj);
    return r;
}
