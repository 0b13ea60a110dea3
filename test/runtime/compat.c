/* The shims of data/compat/abi3lint_compat.h against the real functions: built at 3.6 (the shims) and at 3.13
   (the real functions; PyObject_CallOneArg is a shim there too: it is in no Limited API), the same results. */
#include <Python.h>
#include "../../data/compat/abi3lint_compat.h"

static PyObject *new_ref(void)
{
    PyObject *o = PyList_New(0), *r;
    Py_ssize_t before;
    if (o == NULL) return NULL;
    before = Py_REFCNT(o);
    r = Py_NewRef(o);
    r = PyLong_FromSsize_t(Py_REFCNT(o) - before);
    Py_DECREF(o);
    Py_DECREF(o);
    return r;
}

static PyObject *add_object_ref(void)
{
    PyObject *m = PyModule_New("compat_probe"), *v = PyList_New(0), *r;
    Py_ssize_t before;
    int rc, rc_null;
    if (m == NULL || v == NULL) return NULL;
    before = Py_REFCNT(v);
    rc = PyModule_AddObjectRef(m, "v", v);
    r = PyLong_FromSsize_t(Py_REFCNT(v) - before);
    Py_DECREF(v);
    rc_null = PyModule_AddObjectRef(m, "w", NULL);
    PyErr_Clear();
    Py_DECREF(m);
    return Py_BuildValue("(iNi)", rc, r, rc_null);
}

static PyObject *calls(void)
{
    PyObject *s = PyUnicode_FromString("12");
    PyObject *r = Py_BuildValue("(NN)", PyObject_CallNoArgs((PyObject *)&PyLong_Type), PyObject_CallOneArg((PyObject *)&PyLong_Type, s));
    Py_DECREF(s);
    return r;
}

static PyObject *names(PyObject *helpers)
{
    PyTypeObject *t = (PyTypeObject *)PyDict_GetItemString(helpers, "Index");
    return Py_BuildValue("(NN)", PyType_GetName(t), PyType_GetQualName(t));
}

static PyObject *raised(void)
{
    PyObject *e, *name;
    int cleared, matches;
    PyErr_SetString(PyExc_ValueError, "probe");
    e = PyErr_GetRaisedException();
    cleared = PyErr_Occurred() == NULL;
    name = PyObject_GetAttrString((PyObject *)Py_TYPE(e), "__name__");
    PyErr_SetRaisedException(e);
    matches = PyErr_ExceptionMatches(PyExc_ValueError);
    PyErr_Clear();
    return Py_BuildValue("(iNi)", cleared, name, matches);
}

static PyObject *as_int(void)
{
    PyObject *big = PyLong_FromLongLong(1LL << 40), *small = PyLong_FromLong(7);
    int a = PyLong_AsInt(big), overflow = PyErr_ExceptionMatches(PyExc_OverflowError), b;
    PyErr_Clear();
    b = PyLong_AsInt(small);
    Py_DECREF(big);
    Py_DECREF(small);
    return Py_BuildValue("(iii)", a, overflow, b);
}

static PyObject *dict_ref(void)
{
    PyObject *d = PyDict_New(), *k = PyUnicode_FromString("k"), *absent = PyUnicode_FromString("absent"), *v = PyList_New(0);
    PyObject *out = NULL;
    Py_ssize_t before;
    int found, missing, bad, missing_null, bad_null;
    PyDict_SetItem(d, k, v);
    before = Py_REFCNT(v);
    found = PyDict_GetItemRef(d, k, &out);
    before = Py_REFCNT(v) - before;
    Py_XDECREF(out);
    missing = PyDict_GetItemRef(d, absent, &out);
    missing_null = out == NULL;
    bad = PyDict_GetItemRef(k, k, &out);
    bad_null = out == NULL;
    PyErr_Clear();
    Py_DECREF(d); Py_DECREF(k); Py_DECREF(absent); Py_DECREF(v);
    return Py_BuildValue("(niiiii)", before, found, missing, missing_null, bad, bad_null);
}

static PyObject *weak_ref(PyObject *helpers)
{
    PyObject *obj = PyObject_CallObject(PyDict_GetItemString(helpers, "Index"), NULL), *ref, *out = NULL;
    int alive, gone, bad;
    if (obj == NULL) return NULL;
    ref = PyWeakref_NewRef(obj, NULL);
    if (ref == NULL) return NULL;
    alive = PyWeakref_GetRef(ref, &out);
    alive = alive * 10 + (out == obj);
    Py_XDECREF(out);
    Py_DECREF(obj);
    gone = PyWeakref_GetRef(ref, &out);
    gone = gone * 10 + (out == NULL);
    bad = PyWeakref_GetRef(Py_None, &out);
    PyErr_Clear();
    Py_DECREF(ref);
    return Py_BuildValue("(iii)", alive, gone, bad);
}

static PyObject *setref(void)
{
    PyObject *old = PyList_New(0), *new_ = PyList_New(0), *slot, *xslot = NULL;
    Py_ssize_t before;
    int stored, xstored;
    if (old == NULL || new_ == NULL) return NULL;
    Py_INCREF(old);
    slot = old;
    before = Py_REFCNT(old);
    Py_SETREF(slot, new_);
    stored = slot == new_;
    before = Py_REFCNT(old) - before;
    Py_XSETREF(xslot, PyList_New(0));
    xstored = xslot != NULL;
    Py_XSETREF(xslot, NULL);
    xstored = xstored && xslot == NULL;
    Py_DECREF(old);
    Py_DECREF(slot);
    return Py_BuildValue("(niii)", before, stored, xstored, 1);
}

static PyObject *add_module_ref(void)
{
    PyObject *m = PyImport_AddModuleRef("sys"), *name;
    if (m == NULL) return NULL;
    name = PyObject_GetAttrString(m, "__name__");
    Py_DECREF(m);
    return name;
}

static PyObject *proof(PyObject *self, PyObject *helpers)
{
    return Py_BuildValue("(NNNNNNNNNN)", new_ref(), add_object_ref(), calls(), names(helpers), raised(), as_int(), dict_ref(), weak_ref(helpers), add_module_ref(), setref());
}
