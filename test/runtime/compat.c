/* The shims of data/compat/abi3lint_compat.h against the real functions: built at 3.6 (the shims), at 3.13 (the
   real functions of the Limited API; PyObject_CallOneArg, Py_SETREF, PyUnicodeWriter and PyUnicode_FromKindAndData are shims there too: they
   are in no Limited API) and with the full API of 3.14 (every function real), the same results. */
#include <Python.h>
#include <structmember.h>
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

/* The ten constants, whether each borrowed one is the same object, and an unknown id. */
static PyObject *constants(void)
{
    PyObject *all = PyTuple_New(10), *bad;
    unsigned int i;
    int same = 1, bad_call;
    if (all == NULL) return NULL;
    for (i = 0; i < 10; i++) {
        PyObject *c = Py_GetConstant(i);
        if (c == NULL) { Py_DECREF(all); return NULL; }
        same = same && Py_GetConstantBorrowed(i) == c;
        PyTuple_SetItem(all, (Py_ssize_t)i, c);
    }
    bad = Py_GetConstant(Py_CONSTANT_EMPTY_TUPLE + 1);
    bad_call = bad == NULL && PyErr_ExceptionMatches(PyExc_SystemError);
    PyErr_Clear();
    return Py_BuildValue("(Nii)", all, same, bad_call);
}

static PyObject *optional_item(void)
{
    PyObject *d = PyDict_New(), *k = PyUnicode_FromString("k"), *v = PyList_New(0), *l = PyList_New(0), *out = NULL;
    int found, same, missing, missing_clean, bad, bad_type;
    if (d == NULL || k == NULL || v == NULL || l == NULL || PyDict_SetItem(d, k, v) < 0) return NULL;
    found = PyMapping_GetOptionalItem(d, k, &out);
    same = out == v;
    Py_XDECREF(out);
    missing = PyMapping_GetOptionalItemString(d, "absent", &out);
    missing_clean = out == NULL && PyErr_Occurred() == NULL;
    bad = PyMapping_GetOptionalItem(l, k, &out);
    bad_type = out == NULL && PyErr_ExceptionMatches(PyExc_TypeError);
    PyErr_Clear();
    Py_DECREF(d); Py_DECREF(k); Py_DECREF(v); Py_DECREF(l);
    return Py_BuildValue("(iiiiii)", found, same, missing, missing_clean, bad, bad_type);
}

/* Every kind of write, a refused character and invalid UTF-8 (the writer goes on after each), a discarded
   writer and a negative length. */
static PyObject *unicode_writer(void)
{
    PyUnicodeWriter *w = PyUnicodeWriter_Create(0), *other;
    PyObject *s = PyUnicode_FromString("abcdef"), *one = PyLong_FromLong(1), *text;
    int rc = 0, big, bad_utf8, negative;
    if (w == NULL || s == NULL || one == NULL) return NULL;
    rc |= PyUnicodeWriter_WriteChar(w, 'x');
    rc |= PyUnicodeWriter_WriteStr(w, one);
    rc |= PyUnicodeWriter_WriteRepr(w, s);
    rc |= PyUnicodeWriter_WriteUTF8(w, "\xc3\xa9t\xc3\xa9", -1);
    rc |= PyUnicodeWriter_WriteASCII(w, "ab", 1);
    rc |= PyUnicodeWriter_WriteSubstring(w, s, 1, 3);
    big = PyUnicodeWriter_WriteChar(w, 0x110000);
    big = big * 10 + PyErr_ExceptionMatches(PyExc_ValueError);
    PyErr_Clear();
    bad_utf8 = PyUnicodeWriter_WriteUTF8(w, "\xff", 1);
    bad_utf8 = bad_utf8 * 10 + PyErr_ExceptionMatches(PyExc_UnicodeDecodeError);
    PyErr_Clear();
    rc |= PyUnicodeWriter_WriteChar(w, 0x1F600);
    text = PyUnicodeWriter_Finish(w);
    other = PyUnicodeWriter_Create(16);
    if (other != NULL) PyUnicodeWriter_WriteChar(other, 'y');
    PyUnicodeWriter_Discard(other);
    PyUnicodeWriter_Discard(NULL);
    negative = PyUnicodeWriter_Create(-1) == NULL && PyErr_ExceptionMatches(PyExc_ValueError);
    PyErr_Clear();
    Py_DECREF(s); Py_DECREF(one);
    return Py_BuildValue("(iNiii)", rc, text, big, bad_utf8, negative);
}

/* A member of type Py_T_PYSSIZET, Py_READONLY: read through, and refused on assignment. */
static PyObject *member_flags(void)
{
    static PyMemberDef members[] = {{"n", Py_T_PYSSIZET, sizeof(PyObject), Py_READONLY, NULL}, {NULL, 0, 0, 0, NULL}};
    static PyType_Slot slots[] = {{Py_tp_members, members}, {0, NULL}};
    static PyType_Spec spec = {"compat_probe.Members", sizeof(PyObject) + sizeof(Py_ssize_t), 0, Py_TPFLAGS_DEFAULT, slots};
    PyObject *type = PyType_FromSpec(&spec), *obj, *n, *five;
    int refused;
    if (type == NULL) return NULL;
    obj = PyType_GenericAlloc((PyTypeObject *)type, 0);
    if (obj == NULL) return NULL;
    *(Py_ssize_t *)((char *)obj + sizeof(PyObject)) = 42;
    n = PyObject_GetAttrString(obj, "n");
    five = PyLong_FromLong(5);
    refused = PyObject_SetAttrString(obj, "n", five) < 0 && PyErr_ExceptionMatches(PyExc_AttributeError);
    PyErr_Clear();
    Py_DECREF(five); Py_DECREF(obj); Py_DECREF(type);
    return Py_BuildValue("(Ni)", n, refused);
}

/* The fully qualified names %T prints: a built-in, a static type of the standard library ("collections.OrderedDict"),
   a heap type made from a spec, a Python class of the driver (module __main__), a nested qualname in a package,
   a class whose __module__ is None; and the type of an object given as itself. */
static PyObject *qualified_name(PyTypeObject *t)
{
    PyObject *r = PyType_GetFullyQualifiedName(t);
    if (r == NULL) {
        PyErr_Clear();
        return PyUnicode_FromString("<error>");
    }
    return r;
}

static PyObject *fully_qualified(PyObject *helpers)
{
    static PyType_Slot slots[] = {{0, NULL}};
    static PyType_Spec spec = {"compat_probe.sub.Heap", sizeof(PyObject), 0, Py_TPFLAGS_DEFAULT, slots};
    PyObject *collections = PyImport_ImportModule("collections"), *od, *heap, *nested, *nomodule;
    PyObject *out;
    if (collections == NULL) return NULL;
    od = PyObject_GetAttrString(collections, "OrderedDict");
    heap = PyType_FromSpec(&spec);
    nested = PyObject_CallFunction((PyObject *)&PyType_Type, "s(){ssss}", "Inner", "__qualname__", "Outer.Inner", "__module__", "pkg.mod");
    nomodule = PyObject_CallFunction((PyObject *)&PyType_Type, "s(){}", "Loose");
    if (od == NULL || heap == NULL || nested == NULL || nomodule == NULL) return NULL;
    if (PyObject_SetAttrString(nomodule, "__module__", Py_None) < 0) return NULL;
    out = Py_BuildValue("(NNNNNN)", qualified_name(&PyLong_Type), qualified_name((PyTypeObject *)od), qualified_name((PyTypeObject *)heap),
                        qualified_name((PyTypeObject *)PyDict_GetItemString(helpers, "Index")), qualified_name((PyTypeObject *)nested),
                        qualified_name((PyTypeObject *)nomodule));
    Py_DECREF(collections); Py_DECREF(od); Py_DECREF(heap); Py_DECREF(nested); Py_DECREF(nomodule);
    return out;
}

/* _PyEval_SliceIndex on None (the bound kept), ints, a bool, huge ints (clamped), an object with __index__, one
   whose __index__ raises, a float and a str (TypeError). */
static PyObject *slice_index(PyObject *helpers)
{
    PyObject *builtins = PyImport_ImportModule("builtins"), *globals = PyDict_New(), *values, *out;
    if (builtins == NULL || globals == NULL) return NULL;
    values = PyObject_CallMethod(builtins, "eval", "sO", "[None, 5, -3, True, 2**100, -2**100, type('I', (), {'__index__': lambda s: 7})(), "
                                 "type('B', (), {'__index__': lambda s: int('z')})(), 1.5, 'x']", globals);
    Py_DECREF(builtins); Py_DECREF(globals);
    Py_ssize_t i, n;
    if (values == NULL) return NULL;
    n = PyList_Size(values);
    out = PyList_New(0);
    for (i = 0; out != NULL && i < n; i++) {
        Py_ssize_t bound = -42;
        int rc = _PyEval_SliceIndex(PyList_GetItem(values, i), &bound);
        PyObject *item;
        if (rc) {
            item = Py_BuildValue("(in)", rc, bound == PY_SSIZE_T_MAX ? (Py_ssize_t)1 : bound == PY_SSIZE_T_MIN ? (Py_ssize_t)-1 : bound);
        } else {
            PyObject *e = PyErr_GetRaisedException();
            item = Py_BuildValue("(iN)", rc, PyObject_Str(e));
            Py_XDECREF(e);
        }
        if (item == NULL || PyList_Append(out, item) < 0) { Py_XDECREF(item); Py_CLEAR(out); break; }
        Py_DECREF(item);
    }
    Py_DECREF(values);
    return out;
}

/* The private writer: every kind of write, a length of -1, overallocate set, Finish; a writer dealloc'd unfinished;
   one finished with nothing written. */
static PyObject *private_writer(void)
{
    _PyUnicodeWriter w, unfinished, empty;
    PyObject *s = PyUnicode_FromString("abcdef"), *text, *nothing;
    int rc = 0;
    if (s == NULL) return NULL;
    _PyUnicodeWriter_Init(&w);
    w.overallocate = 1;
    rc |= _PyUnicodeWriter_WriteStr(&w, s);
    rc |= _PyUnicodeWriter_WriteChar(&w, 0x1F600);
    rc |= _PyUnicodeWriter_WriteASCIIString(&w, "xyz", 2);
    rc |= _PyUnicodeWriter_WriteASCIIString(&w, "-1", -1);
    rc |= _PyUnicodeWriter_WriteSubstring(&w, s, 2, 4);
    rc |= _PyUnicodeWriter_WriteLatin1String(&w, "\xe9", 1);
    text = _PyUnicodeWriter_Finish(&w);
    _PyUnicodeWriter_Init(&unfinished);
    rc |= _PyUnicodeWriter_WriteStr(&unfinished, s);
    _PyUnicodeWriter_Dealloc(&unfinished);
    _PyUnicodeWriter_Init(&empty);
    nothing = _PyUnicodeWriter_Finish(&empty);
    Py_DECREF(s);
    return Py_BuildValue("(iNN)", rc, text, nothing);
}

/* PyDict_SetDefaultRef: a new key (0, the default back), an existing one (1, the old value), a NULL result, an
   unhashable key (-1, TypeError), and a non-dict (-1, SystemError). */
static PyObject *set_default_ref(void)
{
    PyObject *d = PyDict_New(), *k = PyUnicode_FromString("k"), *one = PyLong_FromLong(1), *two = PyLong_FromLong(2);
    PyObject *r1 = NULL, *r2 = NULL, *r4 = (PyObject *)1, *bad = PyList_New(0), *out;
    int rc1, rc2, rc3, rc4, rc5, type_error, system_error;
    if (d == NULL || k == NULL || one == NULL || two == NULL || bad == NULL) return NULL;
    rc1 = PyDict_SetDefaultRef(d, k, one, &r1);
    rc2 = PyDict_SetDefaultRef(d, k, two, &r2);
    rc3 = PyDict_SetDefaultRef(d, two, two, NULL);
    rc4 = PyDict_SetDefaultRef(d, bad, one, &r4);
    type_error = PyErr_ExceptionMatches(PyExc_TypeError);
    PyErr_Clear();
    rc5 = PyDict_SetDefaultRef(bad, k, one, NULL);
    system_error = PyErr_ExceptionMatches(PyExc_SystemError);
    PyErr_Clear();
    out = Py_BuildValue("(iOiOiiiiiO)", rc1, r1, rc2, r2, rc3, rc4, r4 == NULL, type_error, rc5 * 10 + system_error, d);
    Py_XDECREF(r1); Py_XDECREF(r2);
    Py_DECREF(d); Py_DECREF(k); Py_DECREF(one); Py_DECREF(two); Py_DECREF(bad);
    return out;
}

/* PyType_GetModuleByDef (its shim needs 3.10's PyType_GetModule: None below): the module of a type made with it,
   found from a subclass made without one; another definition and a static type raise TypeError. */
#if !defined(Py_LIMITED_API) || Py_LIMITED_API+0 >= 0x030A0000
static PyModuleDef probe_def = {PyModuleDef_HEAD_INIT, "compat_probe_mod", NULL, 0, NULL};
static PyModuleDef other_def = {PyModuleDef_HEAD_INIT, "compat_probe_other", NULL, 0, NULL};
static PyObject *message(void)
{
    PyObject *e = PyErr_GetRaisedException(), *text = e ? PyObject_Str(e) : NULL;
    Py_XDECREF(e);
    return text;
}
static PyObject *module_by_def(void)
{
    static PyType_Slot slots[] = {{0, NULL}};
    static PyType_Spec base_spec = {"compat_probe.Base", sizeof(PyObject), 0, Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE, slots};
    static PyType_Spec sub_spec = {"compat_probe.Sub", sizeof(PyObject), 0, Py_TPFLAGS_DEFAULT, slots};
    PyObject *m = PyModule_Create(&probe_def), *base, *sub, *found, *out;
    if (m == NULL) return NULL;
    base = PyType_FromModuleAndSpec(m, &base_spec, NULL);
    if (base == NULL) return NULL;
    sub = PyType_FromSpecWithBases(&sub_spec, base);
    if (sub == NULL) return NULL;
    found = PyType_GetModuleByDef((PyTypeObject *)sub, &probe_def);
    {
        int same = found == m, same_base = PyType_GetModuleByDef((PyTypeObject *)base, &probe_def) == m;
        PyObject *other = PyType_GetModuleByDef((PyTypeObject *)sub, &other_def) == NULL ? message() : NULL;
        PyObject *builtin = PyType_GetModuleByDef(&PyLong_Type, &probe_def) == NULL ? message() : NULL;
        out = Py_BuildValue("(iiNN)", same, same_base, other, builtin);
    }
    Py_DECREF(sub); Py_DECREF(base); Py_DECREF(m);
    return out;
}
#else
static PyObject *module_by_def(void)
{
    Py_RETURN_NONE;
}
#endif

/* _PyLong_FromByteArray, little/big endian, signed/unsigned, a zero length; PyVectorcall_NARGS with the offset bit. */
static PyObject *from_byte_array(void)
{
    static const unsigned char b[] = {0x01, 0x02, 0xff};
    return Py_BuildValue("(NNNNNn)", _PyLong_FromByteArray(b, 3, 1, 0), _PyLong_FromByteArray(b, 3, 1, 1), _PyLong_FromByteArray(b, 3, 0, 0),
                         _PyLong_FromByteArray(b, 3, 0, 1), _PyLong_FromByteArray(b, 0, 1, 1), PyVectorcall_NARGS(PY_VECTORCALL_ARGUMENTS_OFFSET + 3));
}

/* PyUnicode_FromKindAndData of each kind: a lone surrogate, an astral character and a leading BOM in 4 bytes, a
   surrogate pair in 2 bytes (two code points), Latin-1 in 1; a zero length with no buffer; a negative size and an
   invalid kind (their errors). */
static PyObject *outcome(PyObject *r)
{
    PyObject *e, *name, *text;
    if (r != NULL)
        return r;
    e = PyErr_GetRaisedException();
    name = PyType_GetName(Py_TYPE(e));
    text = PyUnicode_FromFormat("%U: %S", name, e);
    Py_XDECREF(name);
    Py_DECREF(e);
    return text;
}

static PyObject *from_kind_and_data(void)
{
    static const Py_UCS4 u4[] = {0xFEFF, 0x61, 0xD800, 0x1F600};
    static const unsigned short u2[] = {0xD83D, 0xDE00, 0xE9};
    static const unsigned char u1[] = {0x61, 0xE9, 0xFF};
    return Py_BuildValue("(NNNNNN)", outcome(PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, u4, 4)), outcome(PyUnicode_FromKindAndData(PyUnicode_2BYTE_KIND, u2, 3)),
                         outcome(PyUnicode_FromKindAndData(PyUnicode_1BYTE_KIND, u1, 3)), outcome(PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, NULL, 0)),
                         outcome(PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, u4, -1)), outcome(PyUnicode_FromKindAndData(3, u4, 1)));
}

static PyObject *proof(PyObject *self, PyObject *helpers)
{
    return Py_BuildValue("(NNNNNNNNNNNNNNNNNNNNN)", new_ref(), add_object_ref(), calls(), names(helpers), raised(), as_int(), dict_ref(), weak_ref(helpers), add_module_ref(), setref(),
                         constants(), optional_item(), unicode_writer(), member_flags(), fully_qualified(helpers), slice_index(helpers), private_writer(), set_default_ref(), module_by_def(), from_byte_array(), from_kind_and_data());
}
