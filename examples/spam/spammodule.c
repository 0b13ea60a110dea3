/* A small extension that wants to ship one abi3 wheel for Python 3.9+, written the old way.
 * Run `npx abi3lint examples` to see what stands in the way. */
#define Py_LIMITED_API 0x03090000
#include <Python.h>

typedef struct {
    PyObject_HEAD
    PyObject *items;
} SpamObject;

static PyTypeObject SpamType;               /* a static type: needs PyType_Spec */

static void
Spam_dealloc(SpamObject *self)
{
    Py_XDECREF(self->items);
    Py_TYPE(self)->tp_free((PyObject *)self);   /* opaque PyTypeObject member */
}

static PyObject *
spam_first(PyObject *self, PyObject *args)
{
    PyObject *item = PyTuple_GET_ITEM(args, 0);          /* macro hidden from the Limited API */
    const char *text = PyUnicode_AsUTF8(item);           /* not in the Limited API */
    PyObject *name = PyType_GetName(Py_TYPE(item));      /* Limited API only from 3.11 */
    PyObject *r = _PyObject_CallNoArg(item);             /* private API */
    (void)text; (void)name;
    return r;
}

static PyObject *
spam_error(PyObject *self, PyObject *unused)
{
    PyObject *t, *v, *tb;
    PyErr_Fetch(&t, &v, &tb);                            /* deprecated; fine at 3.9, hinted at 3.12 */
#if PY_VERSION_HEX >= 0x030A0000                         /* tests the build headers, not the runtime */
    return Py_NewRef(Py_None);
#else
    Py_INCREF(Py_None);
    return Py_None;
#endif
}

static PyObject *
spam_fork(PyObject *self, PyObject *unused)
{
    PyOS_BeforeFork();                                   /* only where HAVE_FORK is defined */
    Py_RETURN_NONE;
}

static PyObject *
spam_weak(PyObject *self, PyObject *ref)
{
    return PyWeakref_GetObject(ref);                     /* removed from the Limited API in 3.15 */
}

static PyObject *
spam_pair(PyObject *self, PyObject *args)
{
    const char *text;
    int n;                                               /* an int length: no PY_SSIZE_T_CLEAN */
    if (!PyArg_ParseTuple(args, "s#", &text, &n))        /* SystemError from 3.10 */
        return NULL;
    return Py_BuildValue("(ip)", n, n > 0);              /* "p" is new in 3.14 */
}

static PyMethodDef spam_methods[] = {
    {"first", spam_first, METH_VARARGS, NULL},
    {"error", spam_error, METH_NOARGS, NULL},
    {"fork", spam_fork, METH_NOARGS, NULL},
    {"weak", spam_weak, METH_O, NULL},
    {"pair", spam_pair, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef spammodule = {
    PyModuleDef_HEAD_INIT, "spam", NULL, -1, spam_methods,
};

PyMODINIT_FUNC
PyInit_spam(void)
{
    return PyModule_Create(&spammodule);
}
