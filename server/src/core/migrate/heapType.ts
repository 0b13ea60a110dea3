/**
 * Migration: a static `PyTypeObject` to a heap type made from a `PyType_Spec` at module init.
 *
 *   static PyTypeObject FooType = { PyVarObject_HEAD_INIT(NULL, 0) .tp_name = "m.Foo", ... };
 * becomes
 *   static PyTypeObject *FooType;
 *   static PyType_Slot FooType_slots[] = { {Py_tp_dealloc, Foo_dealloc}, ..., {0, NULL} };
 *   static PyType_Spec FooType_spec = { "m.Foo", sizeof(FooObject), 0, flags, FooType_slots };
 * with `PyType_Ready(&FooType)` creating it, every other `&FooType` the pointer, the dealloc releasing the
 * type (heap-type instances own a reference to it from 3.8) and the traverse visiting it (from 3.9).
 * What the Limited API cannot express at the target is refused with the reason, never half rewritten.
 */
import type { Catalog } from '../catalog';
import { targetIndex } from '../catalog';
import { afterIncludes } from '../compat';
import { parsesAsFieldValue, type Node, type Tree } from '../parser';
import type { Directive } from '../preproc';
import { minorToString } from '../version';
import { addressesOf, isNull, matchingBrace, splitInitializer, statementAround, stripCasts, type InitElement } from './cinit';

export interface OffsetEdit {
  start: number;
  end: number;
  newText: string;
}

/** Edits of another file (a project header that declares the type), by its path. */
export interface FileEdits {
  file: string;
  edits: OffsetEdit[];
}

export type Migration = { ok: true; edits: OffsetEdit[]; notes: string[]; otherFiles?: FileEdits[] } | { ok: false; reason: string };

/** The method tables a static type points to, with the struct type each is. */
export const SUB_TABLES: Record<string, string> = {
  tp_as_async: 'PyAsyncMethods',
  tp_as_number: 'PyNumberMethods',
  tp_as_sequence: 'PySequenceMethods',
  tp_as_mapping: 'PyMappingMethods',
  tp_as_buffer: 'PyBufferProcs',
};
/** Fields CPython fills in itself: a static type leaves them empty. */
const RUNTIME_FIELDS = new Set(['tp_dict', 'tp_mro', 'tp_cache', 'tp_subclasses', 'tp_weaklist', 'tp_version_tag', 'tp_bases', 'tp_watched', 'tp_versions_used', '_tp_iteritem']);
/** Offsets the Limited API sets through special members of Py_tp_members (from 3.9). */
const OFFSET_MEMBERS: Record<string, string> = { tp_dictoffset: '__dictoffset__', tp_weaklistoffset: '__weaklistoffset__', tp_vectorcall_offset: '__vectorcalloffset__' };

export interface StaticTypeInput {
  text: string;
  tree: Tree;
  cat: Catalog;
  minor: number;
  name: string;
  /** The declaration with the initializer. */
  definition: Node;
  /** Other declarations of the same name (`static PyTypeObject T;`). */
  forward: Node[];
  /** The file's directives (where #include lines really are). */
  directives: Directive[];
  /** The project headers the file includes (path and text): a type that is not static is declared there. */
  headers?: { file: string; text: string }[];
}

interface Plan {
  spec: Map<string, string>;
  slots: [string, string][];
  members: [string, string][];
  base: string | null;
  removed: { start: number; end: number }[];
  extra: OffsetEdit[];
  notes: string[];
}

const limitedAt = (cat: Catalog, name: string, minor: number): boolean => cat.names.get(name)?.limited?.[targetIndex(minor)] === 'Y';
const firstLimited = (cat: Catalog, name: string): string | undefined => cat.names.get(name)?.limitedSince;

/** Named fields of an initializer: designated by name, positional by the struct's member order. */
function fieldsOf(init: InitElement[], order: string[]): Map<string, string> | string {
  const out = new Map<string, string>();
  let i = 0;
  for (const e of init) {
    if (e.field) {
      i = order.indexOf(e.field);
      if (i < 0) return `unknown field .${e.field}`;
    }
    const field = order[i++];
    if (!field) return 'more initializers than the struct has members';
    if (field === 'ob_base') {
      if (/^PyObject_HEAD_INIT\b/.test(e.value)) i--; // its ob_size follows as the next element
      if (/^PyObject_HEAD_INIT\b/.test(e.value) || /^PyVarObject_HEAD_INIT\b/.test(e.value)) continue;
    }
    if (field === 'ob_base' && !e.field && i === 1 && /^\d+$/.test(e.value)) continue;
    out.set(field, e.value.trim());
  }
  return out;
}

/** The whole line range of a declaration (its indentation and the newline after it). */
function lineSpan(text: string, start: number, end: number): { start: number; end: number } {
  const s = text.lastIndexOf('\n', start - 1) + 1;
  const nl = text.indexOf('\n', end);
  const before = text.slice(s, start);
  return { start: /^\s*$/.test(before) ? s : start, end: nl >= 0 && /^\s*$/.test(text.slice(end, nl)) ? nl + 1 : end };
}

/** A removed block takes one blank line after it along, when one is before it too. */
function withBlankLine(text: string, start: number, end: number): number {
  const m = /^[ \t]*\n/.exec(text.slice(end));
  return m && /\n[ \t]*\n$/.test(text.slice(Math.max(0, start - 200), start)) ? end + m[0].length : end;
}

/** A static table (`static PyNumberMethods Foo_as_number = {...};`) defined in the file. */
function tableDefinition(text: string, type: string, name: string): { elements: InitElement[]; span: { start: number; end: number } } | string {
  const m = new RegExp(`(^|\\n)[ \\t]*(?:static[ \\t]+)?${type}[ \\t]+${name}[ \\t]*=\\s*\\{`).exec(text);
  if (!m) return `${name} (${type}) is not defined in this file`;
  const open = m.index + m[0].length - 1;
  const close = matchingBrace(text, open);
  if (close < 0) return `${name}'s initializer does not end`;
  const init = splitInitializer(text, open, close);
  if (init.hasDirective) return `${name}'s initializer has preprocessor conditionals`;
  const semi = text.indexOf(';', close);
  return { elements: init.elements, span: lineSpan(text, m.index + m[1].length, semi + 1) };
}

/** A table is this type's alone when nothing but its own initializer (directly, or through a macro this type
 *  alone uses) takes its address; a shared one is read into the slots and kept for its other users (the last
 *  one to be converted leaves it unused, and the cleanup fix removes it). */
function readTable(cx: StaticTypeInput, type: string, ref: string, plan: Plan, viaSharedMacro: boolean): string | null {
  const name = /^&\s*([A-Za-z_]\w*)$/.exec(stripCasts(ref))?.[1];
  if (!name) return `${ref} is not the address of a table in this file`;
  const def = tableDefinition(cx.text, type, name);
  if (typeof def === 'string') return def;
  const fields = fieldsOf(def.elements, cx.cat.names.get(type)?.members ?? []);
  if (typeof fields === 'string') return `${name}: ${fields}`;
  const shared = viaSharedMacro || addressesOf(cx.text, name, [def.span]).length > 1;
  for (const [f, v] of fields) {
    if (isNull(v)) continue;
    const slot = `Py_${f}`;
    if (!cx.cat.names.has(slot)) return `${name}.${f} has no slot in the Limited API`;
    if (!limitedAt(cx.cat, slot, cx.minor)) return `${slot} is in the Limited API only from ${firstLimited(cx.cat, slot) ?? 'no version'} (this file targets ${minorToString(cx.minor)})`;
    plan.slots.push([slot, stripCasts(v)]);
  }
  if (shared) plan.notes.push(`${name} is shared with other types: it stays until the last of them is converted (then nothing uses it, and a cleanup fix removes it)`);
  else plan.removed.push(def.span);
  return null;
}

/** Sorts the type's fields into spec values, slots, offset members and a base; a reason when it cannot. */
function planType(cx: StaticTypeInput, fields: Map<string, string>, fromSharedMacro: Set<string>): Plan | string {
  const plan: Plan = { spec: new Map(), slots: [], members: [], base: null, removed: [], extra: [], notes: [] };
  for (const [f, v] of fields) {
    if (isNull(v)) continue;
    if (f === 'tp_name' || f === 'tp_basicsize' || f === 'tp_itemsize' || f === 'tp_flags') plan.spec.set(f, v);
    else if (SUB_TABLES[f]) {
      const why = readTable(cx, SUB_TABLES[f], v, plan, fromSharedMacro.has(f));
      if (why) return why;
    } else if (RUNTIME_FIELDS.has(f)) return `${f} is set (CPython fills it in at run time; a spec cannot)`;
    else if (OFFSET_MEMBERS[f]) {
      if (cx.minor < 9) return `${f} needs a "${OFFSET_MEMBERS[f]}" member, honoured from 3.9 (this file targets ${minorToString(cx.minor)})`;
      plan.members.push([OFFSET_MEMBERS[f], v]);
    } else if (f === 'tp_base') plan.base = v;
    else {
      const slot = `Py_${f}`;
      if (!cx.cat.names.has(slot)) return `${f} has no slot in the Limited API`;
      if (!limitedAt(cx.cat, slot, cx.minor)) return `${slot} is in the Limited API only from ${firstLimited(cx.cat, slot) ?? 'no version'} (this file targets ${minorToString(cx.minor)})`;
      plan.slots.push([slot, f === 'tp_doc' ? `(void *)${v}` : stripCasts(v)]);
    }
  }
  if (!plan.spec.has('tp_name')) return 'the type has no tp_name';
  return plan;
}

/** A value whose last line is a preprocessor directive (`#endif` of a flag kept under `#ifdef`). */
const endsInDirective = (v: string): boolean => /(^|\n)[ \t]*#[^\n]*$/.test(v.trimEnd());

/** `flags | flag`, on a line of its own after a directive the flags end with. */
const withFlag = (flags: string, flag: string): string => (endsInDirective(flags) ? `${flags.trimEnd()}\n    | ${flag}` : `${flags} | ${flag}`);

export function staticTypeToHeap(cx: StaticTypeInput): Migration {
  if (cx.minor < 8) return { ok: false, reason: `a heap type's instances own a reference to their type from 3.8 on, and its dealloc must release it: a rewrite cannot be right on both sides of that change (this file targets ${minorToString(cx.minor)}; raise it to 3.8 or later)` };
  const init = cx.definition.descendantsOfType('initializer_list')[0];
  if (!init) return { ok: false, reason: 'no initializer' };
  const open = init.startIndex;
  const close = matchingBrace(cx.text, open);
  if (close < 0) return { ok: false, reason: 'the initializer does not end' };
  const parsed = splitInitializer(cx.text, open, close);
  if (parsed.hasDirective) return { ok: false, reason: 'the initializer has preprocessor conditionals (#if inside it)' };
  const expanded = expandFieldMacros(cx.text, parsed.elements);
  if (typeof expanded === 'string') return { ok: false, reason: expanded };
  const { elements, definitions } = expanded;
  const declaredStatic = cx.definition.children.some((c) => c?.type === 'storage_class_specifier' && c.text === 'static');
  const shared = declaredStatic ? [] : headerDeclarations(cx);
  if (typeof shared === 'string') return { ok: false, reason: shared };
  // a type that is not static, that no header declares, in the file that defines the module's PyInit_: the
  // module's own type, global by habit; it becomes static (another source file naming it fails at link or
  // import time, loudly: the note says so)
  const moduleLocal = !declaredStatic && !shared.length && /\bPyInit_\w+\s*\([^()]*\)\s*\{/.test(cx.text);
  if (!declaredStatic && !shared.length && !moduleLocal) return { ok: false, reason: `${cx.name} is not static and no project header this file includes declares it: other files may use it by name (convert them together by hand)` };
  const isStatic = declaredStatic || moduleLocal;
  const fields = fieldsOf(elements, cx.cat.names.get('struct _typeobject')?.members ?? []);
  if (typeof fields === 'string') return { ok: false, reason: fields };
  for (const stmt of runtimeAssignments(cx.text, cx.name)) {
    if (fields.has(stmt.field) && !isNull(fields.get(stmt.field)!)) return { ok: false, reason: `${cx.name}.${stmt.field} is set twice` };
    fields.set(stmt.field, stmt.value);
  }
  const plan = planType(cx, fields, expanded.fromSharedMacro);
  if (typeof plan === 'string') return { ok: false, reason: plan };
  plan.removed.push(...definitions);
  if (moduleLocal) plan.notes.push(`${cx.name} was not static; no header declares it and this file defines the module's init, so it is now static: another source file that names it must take the type from the module instead`);
  if (!isStatic) plan.notes.push(`${cx.name} is not static: its declarations in ${shared.map((h) => h.file.split(/[\\/]/).pop()).join(', ')} become a pointer too; other source files that name it must use it as a pointer (PyTypeObject *) as well`);
  const m = buildEdits(cx, plan, fields, isStatic);
  return m.ok && shared.length ? { ...m, otherFiles: shared } : m;
}

/**
 * A type that is not static is declared in a project header the file includes (`PyTypeObject Foo_Type;`,
 * `extern PyTypeObject Foo_Type;`), often with macros taking its address (`#define Foo_Check(o) (Py_TYPE(o) ==
 * &Foo_Type)`): both become the pointer. Any other use there refuses the migration; none: no header declares it.
 */
function headerDeclarations(cx: StaticTypeInput): FileEdits[] | string {
  const out: FileEdits[] = [];
  const name = cx.name;
  const decl = new RegExp(`^[ \\t]*(?:extern[ \\t]+)?PyTypeObject[ \\t]+${name}[ \\t]*;`);
  for (const h of cx.headers ?? []) {
    if (!h.text.includes(name)) continue;
    const edits: OffsetEdit[] = [];
    // (comments blanked, offsets kept: a comment naming the type is not a use)
    const code = h.text.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, (c) => c.replace(/[^\n]/g, ' '));
    for (const m of code.matchAll(new RegExp(`\\b${name}\\b`, 'g'))) {
      const at = m.index!;
      const lineStart = code.lastIndexOf('\n', at - 1) + 1;
      const lineEnd = code.indexOf('\n', at) < 0 ? code.length : code.indexOf('\n', at);
      const line = code.slice(lineStart, lineEnd);
      const d = decl.exec(line);
      if (d && at < lineStart + d[0].length) {
        const indent = /^[ \t]*/.exec(line)![0];
        edits.push({ start: lineStart, end: lineStart + d[0].length, newText: `${indent}extern PyTypeObject *${name};` });
        continue;
      }
      const amp = /&\s*$/.exec(code.slice(Math.max(lineStart, at - 8), at));
      if (amp) {
        edits.push({ start: at - amp[0].length, end: at + name.length, newText: name });
        continue;
      }
      const file = h.file.split(/[\\/]/).pop();
      return `${name} is not static and ${file} uses it in a way its pointer cannot take (\`${line.trim()}\`)`;
    }
    if (edits.some((e) => /extern PyTypeObject \*/.test(e.newText))) out.push({ file: h.file, edits });
    else if (edits.length) return `${name} is used in ${h.file.split(/[\\/]/).pop()} without a declaration there`;
  }
  return out;
}

/**
 * Elements that are object-like macros of the file standing for several designated fields (`SHARED_SLOTS`, a
 * body of `.tp_x = …,` lines shared by several types) are replaced by those fields; the name of such a macro
 * with a positional element in its body is returned instead (its meaning depends on where it stands).
 */
/** The first of `xs` whose value does not read as C (a macro's body is text the parser never saw as code, and
 *  what it read around an odd token, `A:B` among the fields, is not always a value), described; else null. */
function unreadable(xs: InitElement[], source: string): string | null {
  const x = xs.find((y) => !parsesAsFieldValue(y.value));
  return x ? `${source} gives ${x.field ?? 'a positional field'} a value that does not read as C: ${x.value.trim().split('\n')[0].slice(0, 60)}` : null;
}

function expandFieldMacros(text: string, elements: InitElement[]): { elements: InitElement[]; definitions: { start: number; end: number }[]; fromSharedMacro: Set<string> } | string {
  const out: InitElement[] = [];
  const fromSharedMacro = new Set<string>();
  // a macro this initializer alone uses goes with it (its body would read as member uses of an opaque type)
  const definitions: { start: number; end: number }[] = [];
  for (const e0 of elements) {
    // a macro whose body ends with a comma, followed by a designated field with none between (`SHARED_SLOTS
    // .tp_as_sequence = &T,`): one element to the splitter, two here
    const glued = e0.field ? null : /^([A-Za-z_]\w*)\s+\.\s*([A-Za-z_]\w*)\s*=\s*([\s\S]*)$/.exec(e0.value.trim());
    const e = glued ? { ...e0, value: glued[1] } : e0;
    const after: InitElement[] = glued ? [{ field: glued[2], value: glued[3], start: e0.start, end: e0.end }] : [];
    const v = e.value.trim();
    if (!e.field && /(^|\s)\.\s*[A-Za-z_]\w*\s*=/.test(glued ? '' : v)) return `an element reads as positional but holds a designator: ${v.split('\n')[0]}`;
    // (a backslash before a newline continues the body: tried before any other character, which would take it)
    const m = /^[A-Za-z_]\w*$/.test(v) && !e.field ? new RegExp(`^[ \\t]*#[ \\t]*define[ \\t]+${v}(?![\\w(])((?:\\\\\\r?\\n|[^\\n])*)`, 'm').exec(text) : null;
    if (!m || splitTopLevel(m[1]) < 2) {
      if (glued) return `${v} is followed by a designated field with no comma between, and is not a macro of fields`;
      const odd = unreadable([e], 'the initializer');
      if (odd) return odd;
      out.push(e);
      continue;
    }
    // (lines spliced as the compiler splices them: a name split by a continuation is one name, and a `//` comment
    // runs on through continued lines; the closing brace on a line of its own, after any such comment)
    const body = `{${m[1].replace(/\\\r?\n/g, '')}\n}`;
    const inner = splitInitializer(body, 0, body.length - 1).elements;
    if (!inner.length || inner.some((x) => !x.field)) return `the initializer uses ${v}, a macro that stands for several fields, not all of them designated`;
    const garbled = unreadable(inner, `the macro ${v}`) ?? unreadable(after, 'the initializer');
    if (garbled) return garbled;
    // a method table named in a macro several types use is theirs together: each conversion reads it, none
    // removes it while another type still uses the macro
    const uses = text.match(new RegExp(`\\b${v}\\b`, 'g'))?.length ?? 0;
    if (uses > 2) for (const x of inner) fromSharedMacro.add(x.field!);
    if (uses === 2) definitions.push(lineSpan(text, m.index, m.index + m[0].length));
    // (offsets stay the macro use's: the whole definition is replaced, element offsets are not edited)
    out.push(...inner.map((x) => ({ ...x, start: e.start, end: e.end })), ...after);
  }
  return { elements: out, definitions, fromSharedMacro };
}

function splitTopLevel(body: string): number {
  let depth = 0;
  let parts = 1;
  for (const ch of body) {
    if (ch === '(' || ch === '{' || ch === '[') depth++;
    else if (ch === ')' || ch === '}' || ch === ']') depth--;
    else if (ch === ',' && depth === 0) parts++;
  }
  return parts;
}

/** `Foo.tp_new = PyType_GenericNew;` statements: fields a module sets before PyType_Ready, folded into the spec. */
function runtimeAssignments(text: string, name: string): { field: string; value: string; start: number; end: number }[] {
  const out: { field: string; value: string; start: number; end: number }[] = [];
  const re = new RegExp(`(^|\\n)([ \\t]*)${name}\\s*\\.\\s*(tp_\\w+)\\s*=\\s*([^;]+);[ \\t]*(?=\\n|$)`, 'g');
  for (const m of text.matchAll(re)) {
    const start = m.index! + m[1].length;
    out.push({ field: m[3], value: m[4].trim(), start, end: start + m[0].length - m[1].length + 1 });
  }
  return out;
}

/** A function defined in the file, by name. */
function functionNamed(tree: Tree, text: string, name: string): Node | null {
  // (from the name's occurrences in the text up to the function around each: a walk over every function of the
  // tree, per static type and per keystroke, took most of an analysis of a 4,000-line file)
  if (!/^\w+$/.test(name)) return null;
  for (const m of text.matchAll(new RegExp(`\\b${name}\\b`, 'g'))) {
    let f: Node | null = tree.rootNode.descendantForIndex(m.index!, m.index! + name.length);
    while (f && f.type !== 'function_definition') f = f.parent;
    const id = f?.childForFieldName('declarator')?.descendantsOfType('identifier')[0];
    if (f && id?.text === name && id.startIndex === m.index) return f;
  }
  return null;
}

/** The first parameter's name of a function definition. */
function firstParam(fn: Node): string | null {
  const p = fn.descendantsOfType('parameter_declaration')[0];
  return p?.descendantsOfType('identifier').pop()?.text ?? null;
}

/** The dealloc keeps the type alive until the instance is freed, then releases it (heap types, 3.8+). */
function deallocEdits(cx: StaticTypeInput, fnName: string, plan: Plan): void {
  const fn = functionNamed(cx.tree, cx.text, fnName);
  const body = fn?.childForFieldName('body');
  const self = fn && firstParam(fn);
  if (!fn || !body || !self) {
    plan.notes.push(`${fnName} is not defined in this file: after freeing the instance it must Py_DECREF its type (heap types, 3.8+)`);
    return;
  }
  const text = cx.text.slice(body.startIndex, body.endIndex);
  if (/Py_DECREF\(\s*(tp|type)\s*\)/.test(text)) return; // (already releases its type)
  // (`Py_TYPE((PyObject *)self)`: ABI019's cast, from 3.11)
  const free = /(Py_TYPE\(\s*(?:\(\s*PyObject\s*\*\s*\)\s*)?\w+\s*\)\s*->\s*tp_free|\b\w+\s*\.\s*tp_free|PyType_GetSlot\([^;]*Py_tp_free\)\)|\bPyObject_(?:GC_)?Del|\bPyObject_Free)\s*\(/g;
  let last: RegExpExecArray | null = null;
  for (let m = free.exec(text); m; m = free.exec(text)) last = m;
  if (!last) {
    plan.notes.push(`${fnName} frees the instance in a way this migration does not recognise: after freeing it must Py_DECREF its type`);
    return;
  }
  const at = body.startIndex + last.index;
  const stmt = statementAround(cx.text, at, body.startIndex + 1, body.endIndex);
  if (!stmt) {
    plan.notes.push(`${fnName}: the statement that frees the instance was not found; after it, Py_DECREF the type`);
    return;
  }
  const tp = /\btp\b/.test(text) ? 'self_type' : 'tp';
  const lineStart = cx.text.lastIndexOf('\n', stmt.start - 1) + 1;
  const indent = /^[ \t]*/.exec(cx.text.slice(lineStart))![0];
  const bodyIndent = /\n([ \t]+)\S/.exec(text)?.[1] ?? '    ';
  plan.extra.push({ start: body.startIndex + 1, end: body.startIndex + 1, newText: `\n${bodyIndent}PyTypeObject *${tp} = Py_TYPE((PyObject *)${self});` });
  const call = last[1];
  if (!/PyType_GetSlot|PyObject_/.test(call)) plan.extra.push({ start: at, end: at + call.length, newText: `((freefunc)PyType_GetSlot(${tp}, Py_tp_free))` });
  else if (/PyType_GetSlot/.test(call)) {
    // (the ABI005 fix came first: its Py_TYPE(self) becomes the type kept above)
    const inner = /PyType_GetSlot\(\s*(Py_TYPE\((?:\(\s*PyObject\s*\*\s*\)\s*)?[^()]*\))/.exec(call);
    if (inner) {
      const s0 = at + call.indexOf(inner[1]);
      plan.extra.push({ start: s0, end: s0 + inner[1].length, newText: tp });
    }
  }
  plan.extra.push({ start: stmt.end, end: stmt.end, newText: `\n${indent}Py_DECREF(${tp});` });
}

/** From 3.9 a heap type's traverse visits the type (behaviour fact traverse-visit-type). */
function traverseEdits(cx: StaticTypeInput, fnName: string, plan: Plan): void {
  if (cx.minor < 9) {
    plan.notes.push(`${fnName} does not visit the type: before 3.9 doing so could crash subclasses (the type may then outlive its last instance)`);
    return;
  }
  const fn = functionNamed(cx.tree, cx.text, fnName);
  const body = fn?.childForFieldName('body');
  const self = fn && firstParam(fn);
  if (!fn || !body || !self) {
    plan.notes.push(`${fnName} is not defined in this file: it must Py_VISIT(Py_TYPE(self)) (heap types, 3.9+)`);
    return;
  }
  const text = cx.text.slice(body.startIndex, body.endIndex);
  if (/Py_VISIT\(\s*Py_TYPE\(/.test(text)) return;
  const bodyIndent = /\n([ \t]+)\S/.exec(text)?.[1] ?? '    ';
  plan.extra.push({ start: body.startIndex + 1, end: body.startIndex + 1, newText: `\n${bodyIndent}Py_VISIT(Py_TYPE((PyObject *)${self}));` });
}

function buildEdits(cx: StaticTypeInput, plan: Plan, fields: Map<string, string>, isStatic: boolean): Migration {
  const { text, name } = cx;
  const defSpan = lineSpan(text, cx.definition.startIndex, cx.definition.endIndex);
  const assigns = runtimeAssignments(text, name);
  // (`&T` in another static type's initializer, as its tp_base, is left to that type's own migration)
  const skip = [defSpan, ...plan.removed, ...assigns.map((a) => ({ start: a.start, end: a.end })), ...otherTypeInitializers(text, name)];
  const readies = addressesOf(text, name, skip).filter((a) => /PyType_Ready\s*\(\s*$/.test(text.slice(Math.max(0, a.start - 40), a.start)));
  if (!readies.length) return { ok: false, reason: `PyType_Ready(&${name}) is not called in this file: the migration creates the type there` };
  const dealloc = fields.get('tp_dealloc');
  if (dealloc && !isNull(dealloc)) deallocEdits(cx, stripCasts(dealloc), plan);
  const flags = plan.spec.get('tp_flags') ?? 'Py_TPFLAGS_DEFAULT';
  const traverse = fields.get('tp_traverse');
  if (traverse && !isNull(traverse) && /HAVE_GC/.test(flags)) traverseEdits(cx, stripCasts(traverse), plan);
  const spec = specText(cx, plan, fields, flags, isStatic);
  if (typeof spec === 'string') return { ok: false, reason: spec };
  const edits: OffsetEdit[] = [{ start: defSpan.start, end: defSpan.end, newText: spec.text }];
  for (const r of plan.removed) edits.push({ start: r.start, end: withBlankLine(text, r.start, r.end), newText: '' });
  for (const a of assigns) edits.push({ start: a.start, end: a.end, newText: '' });
  for (const f of cx.forward) {
    const s = lineSpan(text, f.startIndex, f.endIndex);
    const storage = /^\s*(static|extern)\b/.exec(text.slice(f.startIndex, f.endIndex))?.[1];
    edits.push({ start: s.start, end: s.end, newText: `${storage ? `${storage} ` : isStatic ? 'static ' : 'extern '}PyTypeObject *${name};\n` });
  }
  for (const a of addressesOf(text, name, skip)) {
    const ready = readies.find((r) => r.start === a.start);
    if (ready) edits.push(readyEdit(cx, a, spec.bases));
    // Py_INCREF and friends take a PyObject * in the Limited API from 3.11 (no casting macro there)
    else if (/\bPy_X?(?:INC|DEC)REF\s*\(\s*$/.test(text.slice(Math.max(0, a.start - 30), a.start))) edits.push({ start: a.start, end: a.end, newText: `(PyObject *)${name}` });
    else edits.push({ start: a.start, end: a.end, newText: name });
  }
  edits.push(...plan.extra);
  edits.push(...includeEdits(cx, plan));
  edits.sort((a, b) => a.start - b.start || a.end - b.end);
  // a migration is applied whole or not at all: edits that overlap (a broken file where tables and the
  // definition run into each other) refuse it
  for (let i = 1; i < edits.length; i++) {
    if (edits[i].start < edits[i - 1].end) return { ok: false, reason: 'its definition and its tables overlap in this text (an unterminated initializer?)' };
  }
  return { ok: true, edits, notes: [...plan.notes, ...spec.notes] };
}

/**
 * `PyType_Ready(&T)` creates the type instead: `if (PyType_Ready(&T) < 0)` becomes `if ((T = …) == NULL)`;
 * any other use of its result gets an expression with the same value (0, or -1 with an exception set).
 */
function readyEdit(cx: StaticTypeInput, amp: { start: number; end: number }, bases: string): OffsetEdit {
  const { text, name } = cx;
  const open = text.lastIndexOf('PyType_Ready', amp.start);
  const closeParen = text.indexOf(')', amp.end);
  const create = `(${name} = (PyTypeObject *)${createCall(cx, bases, open)})`;
  const cmp = /^\s*(?:<\s*0|!=\s*0|==\s*-1)/.exec(text.slice(closeParen + 1));
  if (cmp) return { start: open, end: closeParen + 1 + cmp[0].length, newText: `${create} == NULL` };
  const bare = /\b(?:if|while)\s*\(\s*$/.test(text.slice(Math.max(0, open - 20), open)) && /^\s*\)/.test(text.slice(closeParen + 1));
  if (bare) return { start: open, end: closeParen + 1, newText: `${create} == NULL` };
  return { start: open, end: closeParen + 1, newText: `(${create} == NULL ? -1 : 0)` };
}

/** The initializers of the file's other static PyTypeObject definitions. */
function otherTypeInitializers(text: string, name: string): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  for (const m of text.matchAll(/\bPyTypeObject\s+([A-Za-z_]\w*)\s*=\s*\{/g)) {
    if (m[1] === name) continue;
    const open = m.index! + m[0].length - 1;
    const close = matchingBrace(text, open);
    if (close > 0) out.push({ start: open, end: close });
  }
  return out;
}

/** `PyType_FromModuleAndSpec(m, …)` inside the module's Py_mod_exec function where the target has it. */
function createCall(cx: StaticTypeInput, bases: string, at: number): string {
  const spec = `&${cx.name}_spec`;
  const exec = /\{\s*Py_mod_exec\s*,\s*(?:\([^)]*\)\s*)?(\w+)\s*\}/.exec(cx.text)?.[1];
  const fn = exec ? functionNamed(cx.tree, cx.text, exec) : null;
  const module = fn && at > fn.startIndex && at < fn.endIndex ? firstParam(fn) : null;
  if (module && limitedAt(cx.cat, 'PyType_FromModuleAndSpec', cx.minor)) return `PyType_FromModuleAndSpec(${module}, ${spec}, ${bases})`;
  return bases === 'NULL' ? `PyType_FromSpec(${spec})` : `PyType_FromSpecWithBases(${spec}, ${bases})`;
}

/** `#include <structmember.h>` for the offset members' T_PYSSIZET and READONLY below 3.12. */
function includeEdits(cx: StaticTypeInput, plan: Plan): OffsetEdit[] {
  if (!plan.members.length || cx.minor >= 12 || /#\s*include\s*[<"]structmember\.h[>"]/.test(cx.text)) return [];
  const at = afterIncludes(cx.text, cx.directives);
  return at === null ? [] : [{ start: at, end: at, newText: '#include <structmember.h>\n' }];
}

function specText(cx: StaticTypeInput, plan: Plan, fields: Map<string, string>, flagsIn: string, isStatic: boolean): { text: string; bases: string; notes: string[] } | string {
  const { name, minor } = cx;
  const notes: string[] = [];
  let flags = flagsIn;
  const slots = [...plan.slots];
  let bases = 'NULL';
  const base = plan.base ? stripCasts(plan.base) : null;
  const own = base && /^&\s*(\w+)$/.exec(base)?.[1];
  if (base && own && own !== 'PyBaseObject_Type') {
    if (/^Py\w+_Type$/.test(own) || /^PyExc_/.test(own)) slots.push(['Py_tp_base', base]);
    else if (minor >= 10) bases = `(PyObject *)${own}`;
    else return `the base ${own} is created at run time; passing it alone as the bases needs 3.10 (this file targets ${minorToString(minor)})`;
  } else if (base && !own) return `tp_base ${plan.base} is not the address of a type`;
  if (minor >= 10 && !/IMMUTABLETYPE/.test(flags)) flags = withFlag(flags, 'Py_TPFLAGS_IMMUTABLETYPE');
  else if (minor < 10) notes.push(`${name} becomes a mutable type below 3.10 (Py_TPFLAGS_IMMUTABLETYPE is honoured from 3.10): Python code can set its attributes`);
  const noNew = !fields.get('tp_new') || isNull(fields.get('tp_new')!);
  let before = '';
  if (noNew && (!base || own === 'PyBaseObject_Type')) {
    // a static type with no tp_new and object as its base cannot be instantiated; a heap type would inherit
    // object.__new__, so instances with an uninitialised state could be made from Python
    if (minor >= 10) flags = withFlag(flags, 'Py_TPFLAGS_DISALLOW_INSTANTIATION');
    else {
      const tpName = plan.spec.get('tp_name')!;
      before = `static PyObject *\n${name}_new(PyTypeObject *type, PyObject *args, PyObject *kwds)\n{\n    (void)type; (void)args; (void)kwds;\n    PyErr_Format(PyExc_TypeError, "cannot create '%s' instances", ${tpName});\n    return NULL;\n}\n\n`;
      slots.push(['Py_tp_new', `${name}_new`]);
    }
  }
  let members = '';
  if (plan.members.length) {
    const t = minor >= 12 ? 'Py_T_PYSSIZET' : 'T_PYSSIZET';
    const ro = minor >= 12 ? 'Py_READONLY' : 'READONLY';
    const entries = plan.members.map(([n, v]) => `    {"${n}", ${t}, ${v}, ${ro}, NULL},\n`).join('');
    const existing = fields.get('tp_members');
    if (existing && !isNull(existing)) {
      const at = sentinelOf(cx.text, stripCasts(existing));
      if (at < 0) return `the members table ${existing} was not found, or has no {NULL} sentinel at its end`;
      plan.extra.push({ start: at, end: at, newText: entries + '    ' });
    } else {
      members = `static PyMemberDef ${name}_members[] = {\n${entries}    {NULL, 0, 0, 0, NULL},\n};\n\n`;
      slots.push(['Py_tp_members', `${name}_members`]);
    }
  }
  const slotLines = slots.map(([s, v]) => `    {${s}, ${v}},\n`).join('');
  const text =
    `${isStatic ? 'static ' : ''}PyTypeObject *${name};\n\n${before}${members}` +
    `static PyType_Slot ${name}_slots[] = {\n${slotLines}    {0, NULL},\n};\n\n` +
    `static PyType_Spec ${name}_spec = {\n    .name = ${plan.spec.get('tp_name')},\n    .basicsize = ${plan.spec.get('tp_basicsize') ?? '0'},\n` +
    `    .itemsize = ${plan.spec.get('tp_itemsize') ?? '0'},\n    .flags = ${endsInDirective(flags) ? `${flags.trimEnd()}\n    ` : flags},\n    .slots = ${name}_slots,\n};\n`;
  return { text, bases, notes };
}

/** The offset of the last element (the sentinel) of a `PyMemberDef NAME[] = {...}` table. */
function sentinelOf(text: string, name: string): number {
  const m = new RegExp(`\\bPyMemberDef\\s+${name}\\s*\\[\\s*\\]\\s*=\\s*\\{`).exec(text);
  if (!m) return -1;
  const open = m.index + m[0].length - 1;
  const close = matchingBrace(text, open);
  if (close < 0) return -1;
  const els = splitInitializer(text, open, close).elements;
  const last = els[els.length - 1];
  return last && /^\{\s*(NULL|0)?\s*(,\s*(NULL|0)\s*)*\}$/.test(last.value.trim()) ? last.start : -1;
}
