/*
 * abi3lint_compat.h: Limited API functions that are newer than a file's Py_LIMITED_API target, written with
 * what the Limited API already has at that target. abi3lint adds this header to a project when a fix keeps
 * the target instead of raising it. Include it after Python.h. Each shim is compiled only below the version
 * that added the real function to the Limited API, and is reached through a macro of the real name, so code
 * written for the newer API builds unchanged at the older target. A block is left out when its first name is
 * already a macro: a copy of the same block came first (a fix supplies it inline in each file of a translation
 * unit that needs it).
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

#if ABI3LINT_BELOW(0x030A0000) && !defined(PyModule_AddObjectRef)
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

#if ABI3LINT_BELOW(0x030B0000) && !defined(PyType_GetName)
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

#if ABI3LINT_BELOW(0x030D0000) && !defined(PyType_GetFullyQualifiedName)
/* 3.13: PyType_GetFullyQualifiedName, the name PyErr_Format's %T prints: "module.qualname", or the qualname alone
   when __module__ is not a str or is "builtins" or "__main__". For a static type this spells its tp_name (CPython
   derives both attributes from it); for a heap type, what 3.13 returns. */
static inline PyObject *abi3lint_PyType_GetFullyQualifiedName(PyTypeObject *type)
{
    PyObject *qualname, *module, *result;
    qualname = PyObject_GetAttrString((PyObject *)type, "__qualname__");
    if (qualname == NULL)
        return NULL;
    module = PyObject_GetAttrString((PyObject *)type, "__module__");
    if (module == NULL) {
        Py_DECREF(qualname);
        return NULL;
    }
    if (PyUnicode_Check(module) && PyUnicode_CompareWithASCIIString(module, "builtins") != 0
        && PyUnicode_CompareWithASCIIString(module, "__main__") != 0) {
        result = PyUnicode_FromFormat("%U.%U", module, qualname);
    } else {
        result = qualname;
        Py_INCREF(result);
    }
    Py_DECREF(module);
    Py_DECREF(qualname);
    return result;
}
#  define PyType_GetFullyQualifiedName abi3lint_PyType_GetFullyQualifiedName
#endif

#if defined(Py_LIMITED_API) && !defined(PyObject_CallOneArg)
/* PyObject_CallOneArg: not in the Limited API at any version (3.15 included); this is its limited spelling */
static inline PyObject *abi3lint_PyObject_CallOneArg(PyObject *callable, PyObject *arg)
{
    return PyObject_CallFunctionObjArgs(callable, arg, NULL);
}
#  define PyObject_CallOneArg abi3lint_PyObject_CallOneArg
#endif

#if defined(Py_LIMITED_API) && !defined(PyUnicode_FromKindAndData)
/* PyUnicode_FromKindAndData and the PyUnicode_1BYTE/2BYTE/4BYTE_KIND constants (their full-API values): in no Limited
   API (3.15 included). `size` code points of 1, 2 or 4 bytes each, in native byte order, through the Latin-1 or the
   UTF-32 decoder (surrogatepass, and the byte order given: a lone surrogate and a leading U+FEFF are kept, and two
   2-byte surrogates stay two code points, as the real function keeps them). A code point above U+10FFFF, which the
   real function copies into an invalid str, is a UnicodeDecodeError here. */
#  define PyUnicode_1BYTE_KIND 1
#  define PyUnicode_2BYTE_KIND 2
#  define PyUnicode_4BYTE_KIND 4
static inline PyObject *abi3lint_PyUnicode_FromKindAndData(int kind, const void *buffer, Py_ssize_t size)
{
    static const union { unsigned int u; unsigned char c[sizeof(unsigned int)]; } probe = {1};
    int order = probe.c[0] ? -1 : 1;
    Py_UCS4 *wide;
    PyObject *s;
    Py_ssize_t i;
    if (size < 0) {
        PyErr_SetString(PyExc_ValueError, "size must be positive");
        return NULL;
    }
    if (kind == PyUnicode_1BYTE_KIND)
        return PyUnicode_DecodeLatin1((const char *)buffer, size, NULL);
    if (kind == PyUnicode_4BYTE_KIND)
        return PyUnicode_DecodeUTF32((const char *)buffer, size * 4, "surrogatepass", &order);
    if (kind != PyUnicode_2BYTE_KIND) {
        PyErr_SetString(PyExc_SystemError, "invalid kind");
        return NULL;
    }
    wide = (Py_UCS4 *)PyMem_Malloc(size ? (size_t)size * sizeof(Py_UCS4) : 1);
    if (wide == NULL)
        return PyErr_NoMemory();
    for (i = 0; i < size; i++)
        wide[i] = ((const unsigned short *)buffer)[i];
    s = PyUnicode_DecodeUTF32((const char *)wide, size * 4, "surrogatepass", &order);
    PyMem_Free(wide);
    return s;
}
#  define PyUnicode_FromKindAndData abi3lint_PyUnicode_FromKindAndData
#endif

#if defined(Py_LIMITED_API) && !defined(_PyEval_SliceIndex)
/* _PyEval_SliceIndex: private CPython API (in no Limited API), the "O&" converter of slice bounds that index()
   methods copied from CPython use: None leaves the bound as it is; an int, or an object whose type has __index__,
   is clamped to Py_ssize_t; anything else is CPython's TypeError (its wording as the running Python has it: 3.15
   dropped "or None"). */
static inline int abi3lint_PyEval_SliceIndex(PyObject *v, Py_ssize_t *pi)
{
    Py_ssize_t x;
    int is_index;
    PyObject *hexversion;
    if (v == Py_None)
        return 1;
#  if Py_LIMITED_API+0 >= 0x03080000
    is_index = PyIndex_Check(v);
#  else
    is_index = PyObject_HasAttrString((PyObject *)Py_TYPE(v), "__index__");
#  endif
    if (!is_index) {
        hexversion = PySys_GetObject("hexversion"); /* borrowed */
        PyErr_SetString(PyExc_TypeError, hexversion != NULL && PyLong_AsLong(hexversion) >= 0x030F0000
                                             ? "slice indices must be integers or have an __index__ method"
                                             : "slice indices must be integers or None or have an __index__ method");
        return 0;
    }
    x = PyNumber_AsSsize_t(v, NULL);
    if (x == -1 && PyErr_Occurred())
        return 0;
    *pi = x;
    return 1;
}
#  define _PyEval_SliceIndex abi3lint_PyEval_SliceIndex
#endif

#if defined(Py_LIMITED_API) && !defined(_PyLong_FromByteArray)
/* _PyLong_FromByteArray: private CPython API (in no Limited API): n bytes as an int, little- or big-endian, signed
   (two's complement) or not; what int.from_bytes computes. */
static inline PyObject *abi3lint__PyLong_FromByteArray(const unsigned char *bytes, size_t n, int little_endian, int is_signed)
{
    PyObject *data = PyBytes_FromStringAndSize((const char *)bytes, (Py_ssize_t)n), *args, *kwargs, *result = NULL;
    if (data == NULL)
        return NULL;
    args = Py_BuildValue("(Os)", data, little_endian ? "little" : "big");
    kwargs = Py_BuildValue("{sO}", "signed", is_signed ? Py_True : Py_False);
    if (args != NULL && kwargs != NULL) {
        PyObject *from_bytes = PyObject_GetAttrString((PyObject *)&PyLong_Type, "from_bytes");
        if (from_bytes != NULL) {
            result = PyObject_Call(from_bytes, args, kwargs);
            Py_DECREF(from_bytes);
        }
    }
    Py_DECREF(data);
    Py_XDECREF(args);
    Py_XDECREF(kwargs);
    return result;
}
#  define _PyLong_FromByteArray abi3lint__PyLong_FromByteArray
#endif

#if ABI3LINT_BELOW(0x030C0000) && !defined(PyVectorcall_NARGS)
/* 3.12: PyVectorcall_NARGS, PY_VECTORCALL_ARGUMENTS_OFFSET (a vectorcall function is only called by CPython
   through tp_vectorcall or a vectorcall member, which a Limited API type sets only from 3.12 on) */
#  define PY_VECTORCALL_ARGUMENTS_OFFSET ((size_t)1 << (8 * sizeof(size_t) - 1))
#  define PyVectorcall_NARGS(n) ((Py_ssize_t)((size_t)(n) & ~PY_VECTORCALL_ARGUMENTS_OFFSET))
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

#if ABI3LINT_BELOW(0x030C0000) && !defined(PyErr_GetRaisedException)
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

#if ABI3LINT_BELOW(0x030D0000) && !defined(PyLong_AsInt)
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

#if ABI3LINT_BELOW(0x030C0000) && !defined(Py_T_PYSSIZET)
/* 3.12: the Py_T_* member types and the Py_READONLY, Py_AUDIT_READ flags, with the values structmember.h gives
   their older T_* / READONLY spellings (those values are part of the Stable ABI) */
#  define Py_T_SHORT 0
#  define Py_T_INT 1
#  define Py_T_LONG 2
#  define Py_T_FLOAT 3
#  define Py_T_DOUBLE 4
#  define Py_T_STRING 5
#  define Py_T_CHAR 7
#  define Py_T_BYTE 8
#  define Py_T_UBYTE 9
#  define Py_T_USHORT 10
#  define Py_T_UINT 11
#  define Py_T_ULONG 12
#  define Py_T_STRING_INPLACE 13
#  define Py_T_BOOL 14
#  define Py_T_OBJECT_EX 16
#  define Py_T_LONGLONG 17
#  define Py_T_ULONGLONG 18
#  define Py_T_PYSSIZET 19
#  define Py_READONLY 1
#  define Py_AUDIT_READ 2
#endif

#if ABI3LINT_BELOW(0x030D0000) && !defined(Py_GetConstant)
/* 3.13: Py_GetConstant (a new reference), Py_GetConstantBorrowed and the constant ids. The objects are the
   interpreter's singletons (small ints, the empty str, bytes and tuple), so a borrowed one stays alive. */
#  define Py_CONSTANT_NONE 0
#  define Py_CONSTANT_FALSE 1
#  define Py_CONSTANT_TRUE 2
#  define Py_CONSTANT_ELLIPSIS 3
#  define Py_CONSTANT_NOT_IMPLEMENTED 4
#  define Py_CONSTANT_ZERO 5
#  define Py_CONSTANT_ONE 6
#  define Py_CONSTANT_EMPTY_STR 7
#  define Py_CONSTANT_EMPTY_BYTES 8
#  define Py_CONSTANT_EMPTY_TUPLE 9
static inline PyObject *abi3lint_Py_GetConstant(unsigned int constant_id)
{
    PyObject *o;
    switch (constant_id) {
    case 0: o = Py_None; break;
    case 1: o = Py_False; break;
    case 2: o = Py_True; break;
    case 3: o = Py_Ellipsis; break;
    case 4: o = Py_NotImplemented; break;
    case 5: return PyLong_FromLong(0);
    case 6: return PyLong_FromLong(1);
    case 7: return PyUnicode_FromStringAndSize("", 0);
    case 8: return PyBytes_FromStringAndSize("", 0);
    case 9: return PyTuple_New(0);
    default:
        PyErr_BadInternalCall();
        return NULL;
    }
    Py_INCREF(o);
    return o;
}
static inline PyObject *abi3lint_Py_GetConstantBorrowed(unsigned int constant_id)
{
    PyObject *o = abi3lint_Py_GetConstant(constant_id);
    Py_XDECREF(o);
    return o;
}
#  define Py_GetConstant abi3lint_Py_GetConstant
#  define Py_GetConstantBorrowed abi3lint_Py_GetConstantBorrowed
#endif

#if ABI3LINT_BELOW(0x030F0000) && !defined(PyDict_SetDefaultRef)
/* 3.15 (3.13 in the full API): PyDict_SetDefaultRef. The existing value (1) or the default, inserted (0), as a new
   reference in *result when result is not NULL; -1 with an exception on error. */
static inline int abi3lint_PyDict_SetDefaultRef(PyObject *d, PyObject *key, PyObject *default_value, PyObject **result)
{
    PyObject *value = PyDict_GetItemWithError(d, key); /* borrowed */
    if (value == NULL && PyErr_Occurred()) {
        if (result != NULL)
            *result = NULL;
        return -1;
    }
    if (value != NULL) {
        if (result != NULL) {
            Py_INCREF(value);
            *result = value;
        }
        return 1;
    }
    if (PyDict_SetItem(d, key, default_value) < 0) {
        if (result != NULL)
            *result = NULL;
        return -1;
    }
    if (result != NULL) {
        Py_INCREF(default_value);
        *result = default_value;
    }
    return 0;
}
#  define PyDict_SetDefaultRef abi3lint_PyDict_SetDefaultRef
#endif

#if ABI3LINT_BELOW(0x030D0000) && Py_LIMITED_API+0 >= 0x030A0000 && !defined(PyType_GetModuleByDef)
/* 3.13 (3.11 in the full API): PyType_GetModuleByDef, from 3.10's PyType_GetModule: the module of the first type in
   the MRO created by PyType_FromModuleAndSpec with a module of that definition (borrowed), else TypeError. */
static inline PyObject *abi3lint_PyType_GetModuleByDef(PyTypeObject *type, PyModuleDef *def)
{
    PyObject *mro = PyObject_GetAttrString((PyObject *)type, "__mro__"), *name, *module;
    Py_ssize_t i, n;
    if (mro == NULL)
        return NULL;
    n = PyTuple_Size(mro);
    for (i = 0; i < n; i++) {
        PyObject *t = PyTuple_GetItem(mro, i);
        if (!(PyType_GetFlags((PyTypeObject *)t) & Py_TPFLAGS_HEAPTYPE))
            continue;
        module = PyType_GetModule((PyTypeObject *)t); /* borrowed; TypeError when it has none */
        if (module == NULL) {
            PyErr_Clear();
            continue;
        }
        if (PyModule_GetDef(module) == def) {
            Py_DECREF(mro);
            return module;
        }
        PyErr_Clear();
    }
    Py_DECREF(mro);
    /* the type named as CPython names it there (its tp_name: module and qualname for a type made from a spec) */
    name = PyObject_GetAttrString((PyObject *)type, "__qualname__");
    module = PyObject_GetAttrString((PyObject *)type, "__module__");
    if (name != NULL && module != NULL && PyUnicode_Check(module) && PyUnicode_CompareWithASCIIString(module, "builtins") != 0)
        PyErr_Format(PyExc_TypeError, "PyType_GetModuleByDef: No superclass of '%U.%U' has the given module", module, name);
    else if (name != NULL)
        PyErr_Format(PyExc_TypeError, "PyType_GetModuleByDef: No superclass of '%U' has the given module", name);
    Py_XDECREF(name);
    Py_XDECREF(module);
    return NULL;
}
#  define PyType_GetModuleByDef abi3lint_PyType_GetModuleByDef
#endif

#if ABI3LINT_BELOW(0x030D0000) && !defined(PyMapping_GetOptionalItem)
/* 3.13: PyMapping_GetOptionalItem(String): 1 and a new reference when found, 0 and NULL on KeyError (cleared),
   -1 and NULL on any other error. */
static inline int abi3lint_optional_item(PyObject *item, PyObject **result)
{
    *result = item;
    if (item != NULL)
        return 1;
    if (!PyErr_ExceptionMatches(PyExc_KeyError))
        return -1;
    PyErr_Clear();
    return 0;
}
static inline int abi3lint_PyMapping_GetOptionalItem(PyObject *obj, PyObject *key, PyObject **result)
{
    return abi3lint_optional_item(PyObject_GetItem(obj, key), result);
}
static inline int abi3lint_PyMapping_GetOptionalItemString(PyObject *obj, const char *key, PyObject **result)
{
    return abi3lint_optional_item(PyMapping_GetItemString(obj, key), result);
}
#  define PyMapping_GetOptionalItem abi3lint_PyMapping_GetOptionalItem
#  define PyMapping_GetOptionalItemString abi3lint_PyMapping_GetOptionalItemString
#endif

#if defined(Py_LIMITED_API) && !defined(_PyUnicodeWriter)
/* _PyUnicodeWriter: private CPython API (a str builder declared on the stack, deprecated for extensions since 3.14),
   in no Limited API. The same calls on a writer that keeps its parts in a list and joins them at the end;
   overallocate and min_length are there to be set, and change nothing. */
#include <string.h>
typedef struct {
    PyObject *parts;
    int overallocate;
    Py_ssize_t min_length;
} abi3lint__PyUnicodeWriter;
static inline void abi3lint__PyUnicodeWriter_Init(abi3lint__PyUnicodeWriter *writer)
{
    writer->parts = NULL;
    writer->overallocate = 0;
    writer->min_length = 0;
}
/* appends a new reference (NULL: the error of the call that made it) */
static inline int abi3lint__PyUnicodeWriter_Append(abi3lint__PyUnicodeWriter *writer, PyObject *part)
{
    int rc;
    if (part == NULL)
        return -1;
    if (writer->parts == NULL && (writer->parts = PyList_New(0)) == NULL) {
        Py_DECREF(part);
        return -1;
    }
    rc = PyList_Append(writer->parts, part);
    Py_DECREF(part);
    return rc;
}
static inline int abi3lint__PyUnicodeWriter_WriteStr(abi3lint__PyUnicodeWriter *writer, PyObject *str)
{
    Py_INCREF(str);
    return abi3lint__PyUnicodeWriter_Append(writer, str);
}
static inline int abi3lint__PyUnicodeWriter_WriteChar(abi3lint__PyUnicodeWriter *writer, Py_UCS4 ch)
{
    return abi3lint__PyUnicodeWriter_Append(writer, PyUnicode_FromOrdinal((int)ch));
}
static inline int abi3lint__PyUnicodeWriter_WriteSubstring(abi3lint__PyUnicodeWriter *writer, PyObject *str, Py_ssize_t start, Py_ssize_t end)
{
    return abi3lint__PyUnicodeWriter_Append(writer, PySequence_GetSlice(str, start, end));
}
static inline int abi3lint__PyUnicodeWriter_WriteASCIIString(abi3lint__PyUnicodeWriter *writer, const char *ascii, Py_ssize_t len)
{
    return abi3lint__PyUnicodeWriter_Append(writer, PyUnicode_DecodeASCII(ascii, len < 0 ? (Py_ssize_t)strlen(ascii) : len, NULL));
}
static inline int abi3lint__PyUnicodeWriter_WriteLatin1String(abi3lint__PyUnicodeWriter *writer, const char *str, Py_ssize_t len)
{
    return abi3lint__PyUnicodeWriter_Append(writer, PyUnicode_DecodeLatin1(str, len, NULL));
}
static inline PyObject *abi3lint__PyUnicodeWriter_Finish(abi3lint__PyUnicodeWriter *writer)
{
    PyObject *empty, *result;
    empty = PyUnicode_FromStringAndSize(NULL, 0);
    if (empty == NULL || writer->parts == NULL) {
        writer->parts = NULL;
        return empty;
    }
    result = PyUnicode_Join(empty, writer->parts);
    Py_DECREF(empty);
    Py_CLEAR(writer->parts);
    return result;
}
static inline void abi3lint__PyUnicodeWriter_Dealloc(abi3lint__PyUnicodeWriter *writer)
{
    Py_CLEAR(writer->parts);
}
#  define _PyUnicodeWriter abi3lint__PyUnicodeWriter
#  define _PyUnicodeWriter_Init abi3lint__PyUnicodeWriter_Init
#  define _PyUnicodeWriter_WriteStr abi3lint__PyUnicodeWriter_WriteStr
#  define _PyUnicodeWriter_WriteChar abi3lint__PyUnicodeWriter_WriteChar
#  define _PyUnicodeWriter_WriteSubstring abi3lint__PyUnicodeWriter_WriteSubstring
#  define _PyUnicodeWriter_WriteASCIIString abi3lint__PyUnicodeWriter_WriteASCIIString
#  define _PyUnicodeWriter_WriteLatin1String abi3lint__PyUnicodeWriter_WriteLatin1String
#  define _PyUnicodeWriter_Finish abi3lint__PyUnicodeWriter_Finish
#  define _PyUnicodeWriter_Dealloc abi3lint__PyUnicodeWriter_Dealloc
#endif

#if defined(Py_LIMITED_API) && !defined(PyUnicodeWriter)
/* PyUnicodeWriter (3.14): in no Limited API (3.15 included). The pieces written are kept in a list and joined by
   Finish, which frees the writer whatever happens, as Discard does. */
#include <string.h>
typedef struct abi3lint_PyUnicodeWriter {
    PyObject *parts;
} abi3lint_PyUnicodeWriter;
static inline abi3lint_PyUnicodeWriter *abi3lint_PyUnicodeWriter_Create(Py_ssize_t length)
{
    abi3lint_PyUnicodeWriter *writer;
    if (length < 0) {
        PyErr_SetString(PyExc_ValueError, "length must be positive");
        return NULL;
    }
    writer = (abi3lint_PyUnicodeWriter *)PyMem_Malloc(sizeof(*writer));
    if (writer == NULL) {
        PyErr_NoMemory();
        return NULL;
    }
    writer->parts = PyList_New(0);
    if (writer->parts == NULL) {
        PyMem_Free(writer);
        return NULL;
    }
    return writer;
}
static inline void abi3lint_PyUnicodeWriter_Discard(abi3lint_PyUnicodeWriter *writer)
{
    if (writer == NULL)
        return;
    Py_DECREF(writer->parts);
    PyMem_Free(writer);
}
static inline PyObject *abi3lint_PyUnicodeWriter_Finish(abi3lint_PyUnicodeWriter *writer)
{
    PyObject *empty = PyUnicode_FromStringAndSize("", 0), *result = NULL;
    if (empty != NULL) {
        result = PyUnicode_Join(empty, writer->parts);
        Py_DECREF(empty);
    }
    abi3lint_PyUnicodeWriter_Discard(writer);
    return result;
}
/* Appends `piece` (a new reference to a str, released here); -1 when it is NULL (its error is set). */
static inline int abi3lint_unicode_writer_add(abi3lint_PyUnicodeWriter *writer, PyObject *piece)
{
    int rc;
    if (piece == NULL)
        return -1;
    rc = PyList_Append(writer->parts, piece);
    Py_DECREF(piece);
    return rc;
}
static inline int abi3lint_PyUnicodeWriter_WriteChar(abi3lint_PyUnicodeWriter *writer, Py_UCS4 ch)
{
    if (ch > 0x10FFFF) {
        PyErr_SetString(PyExc_ValueError, "character must be in range(0x110000)");
        return -1;
    }
    return abi3lint_unicode_writer_add(writer, PyUnicode_FromOrdinal((int)ch));
}
static inline int abi3lint_PyUnicodeWriter_WriteStr(abi3lint_PyUnicodeWriter *writer, PyObject *obj)
{
    return abi3lint_unicode_writer_add(writer, PyObject_Str(obj));
}
static inline int abi3lint_PyUnicodeWriter_WriteRepr(abi3lint_PyUnicodeWriter *writer, PyObject *obj)
{
    return abi3lint_unicode_writer_add(writer, PyObject_Repr(obj));
}
/* `size` -1: up to the NUL. Invalid UTF-8 raises UnicodeDecodeError and writes nothing. */
static inline int abi3lint_PyUnicodeWriter_WriteUTF8(abi3lint_PyUnicodeWriter *writer, const char *str, Py_ssize_t size)
{
    return abi3lint_unicode_writer_add(writer, PyUnicode_DecodeUTF8(str, size < 0 ? (Py_ssize_t)strlen(str) : size, NULL));
}
static inline int abi3lint_PyUnicodeWriter_WriteASCII(abi3lint_PyUnicodeWriter *writer, const char *str, Py_ssize_t size)
{
    return abi3lint_unicode_writer_add(writer, PyUnicode_DecodeASCII(str, size < 0 ? (Py_ssize_t)strlen(str) : size, NULL));
}
static inline int abi3lint_PyUnicodeWriter_WriteSubstring(abi3lint_PyUnicodeWriter *writer, PyObject *str, Py_ssize_t start, Py_ssize_t end)
{
    return abi3lint_unicode_writer_add(writer, PyUnicode_Substring(str, start, end));
}
#  define PyUnicodeWriter abi3lint_PyUnicodeWriter
#  define PyUnicodeWriter_Create abi3lint_PyUnicodeWriter_Create
#  define PyUnicodeWriter_Discard abi3lint_PyUnicodeWriter_Discard
#  define PyUnicodeWriter_Finish abi3lint_PyUnicodeWriter_Finish
#  define PyUnicodeWriter_WriteChar abi3lint_PyUnicodeWriter_WriteChar
#  define PyUnicodeWriter_WriteStr abi3lint_PyUnicodeWriter_WriteStr
#  define PyUnicodeWriter_WriteRepr abi3lint_PyUnicodeWriter_WriteRepr
#  define PyUnicodeWriter_WriteUTF8 abi3lint_PyUnicodeWriter_WriteUTF8
#  define PyUnicodeWriter_WriteASCII abi3lint_PyUnicodeWriter_WriteASCII
#  define PyUnicodeWriter_WriteSubstring abi3lint_PyUnicodeWriter_WriteSubstring
#endif

#endif /* ABI3LINT_COMPAT_H */
