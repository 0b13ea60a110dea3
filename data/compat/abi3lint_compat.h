/*
 * abi3lint_compat.h: Limited API functions that are newer than a file's Py_LIMITED_API target, written with
 * what the Limited API already has at that target. abi3lint adds this header to a project when a fix keeps
 * the target instead of raising it. Include it after Python.h. Each shim is compiled only below the version
 * that added the real function to the Limited API, and is reached through a macro of the real name, so code
 * written for the newer API builds unchanged at the older target.
 *
 * Proofs (abi3lint's test/compat.test.ts): every shim compiles at every target from 3.6 with the headers of
 * every version from the target to 3.15, and a module built once at 3.6 with the 3.6 headers returns, on
 * every CPython from 3.6 to 3.15, what the real functions return on 3.13 and later.
 */
#ifndef ABI3LINT_COMPAT_H
#define ABI3LINT_COMPAT_H

#include <Python.h>

#if defined(Py_LIMITED_API)
#  define ABI3LINT_BELOW(hex) (Py_LIMITED_API + 0 < (hex))
#else
#  define ABI3LINT_BELOW(hex) 0
#endif

#if ABI3LINT_BELOW(0x030A0000) && !defined(Py_NewRef)
/* 3.10: Py_NewRef, Py_XNewRef (headers from 3.10 define them as macros over inline code at every target) */
static inline PyObject *abi3lint_Py_NewRef(PyObject *obj)
{
    Py_INCREF(obj);
    return obj;
}
static inline PyObject *abi3lint_Py_XNewRef(PyObject *obj)
{
    Py_XINCREF(obj);
    return obj;
}
#  define Py_NewRef(obj) abi3lint_Py_NewRef((PyObject *)(obj))
#  define Py_XNewRef(obj) abi3lint_Py_XNewRef((PyObject *)(obj))
#endif

#if ABI3LINT_BELOW(0x030A0000)
/* 3.10: PyModule_AddObjectRef, PyObject_CallNoArgs. Unlike PyModule_AddObject, never steals `value`: the caller keeps its reference either way. */
static inline int abi3lint_PyModule_AddObjectRef(PyObject *module, const char *name, PyObject *value)
{
    if (value == NULL) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_SystemError, "PyModule_AddObjectRef: NULL value without an exception set");
        return -1;
    }
    Py_INCREF(value);
    if (PyModule_AddObject(module, name, value) < 0) {
        Py_DECREF(value);
        return -1;
    }
    return 0;
}
#  define PyModule_AddObjectRef abi3lint_PyModule_AddObjectRef

static inline PyObject *abi3lint_PyObject_CallNoArgs(PyObject *callable)
{
    return PyObject_CallObject(callable, NULL);
}
#  define PyObject_CallNoArgs abi3lint_PyObject_CallNoArgs
#endif

#if ABI3LINT_BELOW(0x030B0000)
/* 3.11: PyType_GetName, PyType_GetQualName */
static inline PyObject *abi3lint_PyType_GetName(PyTypeObject *type)
{
    return PyObject_GetAttrString((PyObject *)type, "__name__");
}
static inline PyObject *abi3lint_PyType_GetQualName(PyTypeObject *type)
{
    return PyObject_GetAttrString((PyObject *)type, "__qualname__");
}
#  define PyType_GetName abi3lint_PyType_GetName
#  define PyType_GetQualName abi3lint_PyType_GetQualName
#endif

#if defined(Py_LIMITED_API) && !defined(PyObject_CallOneArg)
/* PyObject_CallOneArg: not in the Limited API at any version (3.15 included); this is its limited spelling */
static inline PyObject *abi3lint_PyObject_CallOneArg(PyObject *callable, PyObject *arg)
{
    return PyObject_CallFunctionObjArgs(callable, arg, NULL);
}
#  define PyObject_CallOneArg abi3lint_PyObject_CallOneArg
#endif

#if defined(Py_LIMITED_API) && !defined(Py_SETREF)
/* Py_SETREF, Py_XSETREF: macros of the full API only (no Limited API has them). The new value is stored before
   the old one is released (code run by that release never sees the old pointer); each argument is evaluated
   once; the slot is read and written through memcpy, so any object pointer type can be the destination. */
#include <string.h>
static inline void abi3lint_setref(void *slot, PyObject *value, int old_may_be_null)
{
    PyObject *old;
    memcpy(&old, slot, sizeof(old));
    memcpy(slot, &value, sizeof(value));
    if (old_may_be_null)
        Py_XDECREF(old);
    else
        Py_DECREF(old);
}
#  define Py_SETREF(dst, src) abi3lint_setref(&(dst), (PyObject *)(src), 0)
#  define Py_XSETREF(dst, src) abi3lint_setref(&(dst), (PyObject *)(src), 1)
#endif

#if ABI3LINT_BELOW(0x030C0000)
/* 3.12: PyErr_GetRaisedException, PyErr_SetRaisedException (one exception object, normalised) */
static inline PyObject *abi3lint_PyErr_GetRaisedException(void)
{
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    if (type == NULL)
        return NULL;
    PyErr_NormalizeException(&type, &value, &tb);
    if (tb != NULL) {
        PyException_SetTraceback(value, tb);
        Py_DECREF(tb);
    }
    Py_DECREF(type);
    return value;
}
/* Steals `exc`; NULL clears the error indicator. */
static inline void abi3lint_PyErr_SetRaisedException(PyObject *exc)
{
    PyObject *type;
    if (exc == NULL) {
        PyErr_Clear();
        return;
    }
    type = (PyObject *)Py_TYPE(exc);
    Py_INCREF(type);
    PyErr_Restore(type, exc, PyException_GetTraceback(exc));
}
#  define PyErr_GetRaisedException abi3lint_PyErr_GetRaisedException
#  define PyErr_SetRaisedException abi3lint_PyErr_SetRaisedException
#endif

#if ABI3LINT_BELOW(0x030D0000)
/* 3.13: PyLong_AsInt, PyDict_GetItemRef, PyWeakref_GetRef, PyImport_AddModuleRef */
static inline int abi3lint_PyLong_AsInt(PyObject *obj)
{
    int overflow = 0;
    long value = PyLong_AsLongAndOverflow(obj, &overflow);
    if (overflow != 0 || value > INT_MAX || value < INT_MIN) {
        PyErr_SetString(PyExc_OverflowError, "the int does not fit in a C int");
        return -1;
    }
    return (int)value;
}
#  define PyLong_AsInt abi3lint_PyLong_AsInt

/* 1 and a new reference when found, 0 and NULL when not, -1 and NULL on error. */
static inline int abi3lint_PyDict_GetItemRef(PyObject *dict, PyObject *key, PyObject **result)
{
    PyObject *item = PyDict_GetItemWithError(dict, key);
    if (item != NULL) {
        Py_INCREF(item);
        *result = item;
        return 1;
    }
    *result = NULL;
    return PyErr_Occurred() ? -1 : 0;
}
#  define PyDict_GetItemRef abi3lint_PyDict_GetItemRef

/* 1 and a new reference to the referent, 0 and NULL when it is gone, -1 and NULL on error. Calls the reference
 * (PyWeakref_GetObject left the Limited API in 3.15's headers); weak proxies are refused with TypeError. */
static inline int abi3lint_PyWeakref_GetRef(PyObject *ref, PyObject **pobj)
{
    PyObject *obj;
    *pobj = NULL;
    if (ref == NULL || !PyWeakref_CheckRef(ref)) {
        PyErr_SetString(PyExc_TypeError, "expected a weak reference");
        return -1;
    }
    obj = PyObject_CallObject(ref, NULL);
    if (obj == NULL)
        return -1;
    if (obj == Py_None) {
        Py_DECREF(obj);
        return 0;
    }
    *pobj = obj;
    return 1;
}
#  define PyWeakref_GetRef abi3lint_PyWeakref_GetRef

static inline PyObject *abi3lint_PyImport_AddModuleRef(const char *name)
{
    PyObject *module = PyImport_AddModule(name);
    Py_XINCREF(module);
    return module;
}
#  define PyImport_AddModuleRef abi3lint_PyImport_AddModuleRef
#endif

#endif /* ABI3LINT_COMPAT_H */
