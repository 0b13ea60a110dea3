/**
 * `Py_TYPE(o)->tp_name` (or `o->ob_type->tp_name`, `type->tp_name`) given to a `%s` of a PyUnicode_FromFormat-family
 * call (PyErr_Format, PyUnicode_FromFormat, PyErr_WarnFormat): the commonest read of an opaque PyTypeObject in real
 * code, always to name a type in a message.
 *
 * - From 3.13 the format prints the name itself: `%s` becomes `%T` given the object (`%N` given a type), width and
 *   precision kept. A local edit.
 * - Below 3.13 the name is made as an object first, with PyType_GetFullyQualifiedName (its compat shim below 3.13,
 *   added by the same fix): `%s` becomes `%U`, the call runs only when every name was made, and the names are
 *   released after it. The statement becomes a block: a call statement, `return CALL;`, `x = CALL;` or a
 *   declaration `T x = CALL;`. When making a name fails, its exception is the call's (PyErr_Format's result is
 *   NULL with an exception set either way; PyUnicode_FromFormat's NULL; PyErr_WarnFormat's -1).
 *
 * Unsafe: for a Python class tp_name is the bare name, the fully qualified name has its module ("mod.Foo", what
 * CPython's own messages print from 3.13); for types written in C (static or heap) the two are the same text.
 */
import { FORMAT_FUNCTIONS, decodeLiterals, formatUnits } from '../formats';
import type { Node } from '../parser';
import type { PositionMap } from '../position';
import type { Fix, TextEdit } from '../types';

/** The functions whose format (an argument of the PyUnicode_FromFormat family) can take the name, and what they
 *  return when the name cannot be made (`null`: the statement form only). */
const FAIL_VALUE: ReadonlyMap<string, { type: string; value: string } | null> = new Map([
  ['PyErr_Format', { type: 'PyObject *', value: 'NULL' }],
  ['PyUnicode_FromFormat', { type: 'PyObject *', value: 'NULL' }],
  ['PyErr_WarnFormat', { type: 'int ', value: '-1' }],
  ['PyErr_ResourceWarning', { type: 'int ', value: '-1' }],
]);

const args = (call: Node): Node[] => call.childForFieldName('arguments')?.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment') ?? [];

/** What names the type in `X->tp_name`: the object when it is `Py_TYPE(obj)` or `obj->ob_type`, else the type. */
function typeOf(field: Node): { object: string | null; type: string } | null {
  const arg = field.childForFieldName('argument');
  if (!arg || field.childForFieldName('operator')?.text !== '->') return null;
  if (arg.type === 'call_expression' && arg.childForFieldName('function')?.text === 'Py_TYPE') {
    const a = args(arg);
    return a.length === 1 ? { object: a[0].text, type: arg.text } : null;
  }
  if (arg.type === 'field_expression' && arg.childForFieldName('field')?.text === 'ob_type' && arg.childForFieldName('operator')?.text === '->') {
    const obj = arg.childForFieldName('argument');
    return obj ? { object: obj.text, type: `Py_TYPE(${obj.text})` } : null;
  }
  return { object: null, type: arg.text };
}

interface NameArg {
  node: Node;
  object: string | null;
  type: string;
  /** The document offset of the unit's conversion character (`s`). */
  conv: number;
}

/** The call a `tp_name` field is an argument of, and every `tp_name` argument of it matched with its `%s` unit;
 *  null when the call is no format call, the format is no literal, or a matched unit is not a plain `%s`. */
function formatCall(field: Node): { call: Node; fn: string; names: NameArg[] } | null {
  const list = field.parent;
  const call = list?.parent;
  if (list?.type !== 'argument_list' || call?.type !== 'call_expression') return null;
  const fn = call.childForFieldName('function')?.text ?? '';
  const spec = FORMAT_FUNCTIONS.get(fn);
  if (!spec || !FAIL_VALUE.has(fn)) return null;
  const all = args(call);
  const fmt = all[spec.arg];
  if (!fmt || (fmt.type !== 'string_literal' && fmt.type !== 'concatenated_string')) return null;
  const decoded = decodeLiterals(fmt.text, fmt.startIndex);
  if (!decoded) return null;
  const units = formatUnits('PyUnicode_FromFormat', decoded);
  // one unit per argument (a '*' width or precision takes one more: not handled)
  const seen = new Set<number>();
  const perArg = units.filter((u) => (seen.has(u.start) ? false : (seen.add(u.start), true)));
  if (units.some((u) => u.key === '*')) return null;
  const names: NameArg[] = [];
  for (let i = spec.arg + 1; i < all.length; i++) {
    const a = all[i];
    if (a.type !== 'field_expression' || a.childForFieldName('field')?.text !== 'tp_name') continue;
    const unit = perArg[i - spec.arg - 1];
    const t = typeOf(a);
    if (!unit || !t || !/^%[-0#+ ]*\d*(?:\.\d+)?s$/.test(unit.text)) return null;
    names.push({ node: a, ...t, conv: unit.end - 1 });
  }
  return names.some((n) => n.node.startIndex <= field.startIndex && field.endIndex <= n.node.endIndex) ? { call, fn, names } : null;
}

/** The call's text with each name's unit converted to `conv` and its argument replaced. */
function rewriteCall(call: Node, names: NameArg[], conv: (n: NameArg) => string, arg: (n: NameArg, i: number) => string): string {
  const edits = names.flatMap((n, i) => [
    { start: n.conv, end: n.conv + 1, text: conv(n) },
    { start: n.node.startIndex, end: n.node.endIndex, text: arg(n, i) },
  ]);
  edits.sort((a, b) => b.start - a.start);
  let text = call.text;
  for (const e of edits) text = text.slice(0, e.start - call.startIndex) + e.text + text.slice(e.end - call.startIndex);
  return text;
}

function lineIndent(text: string, offset: number): string {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(start))![0];
}

/** The statement around the call, in one of the forms the rewrite knows. */
function statementOf(call: Node): { node: Node; form: 'call' | 'return' | 'assign' | 'declare'; target?: string; value?: Node } | null {
  const p = call.parent;
  if (p?.type === 'expression_statement') return { node: p, form: 'call' };
  if (p?.type === 'return_statement') return { node: p, form: 'return' };
  if (p?.type === 'assignment_expression' && p.childForFieldName('operator')?.text === '=' && p.parent?.type === 'expression_statement') {
    const left = p.childForFieldName('left')?.text ?? '';
    if (!/^[\w.\->[\]\s*()]+$/.test(left) || /\+\+|--|\(/.test(left)) return null;
    return { node: p.parent, form: 'assign', target: left };
  }
  if (p?.type === 'init_declarator' && p.parent?.type === 'declaration') {
    const decl = p.childForFieldName('declarator');
    const name = decl?.type === 'identifier' ? decl.text : decl?.type === 'pointer_declarator' ? decl.childForFieldName('declarator')?.text : undefined;
    if (!name || !/^\w+$/.test(name) || p.parent.namedChildren.filter((c) => c?.type === 'init_declarator').length !== 1) return null;
    return { node: p.parent, form: 'declare', target: name, value: call };
  }
  return null;
}

/** From 3.13: `%s` with `Py_TYPE(o)->tp_name` becomes `%T` with `o` (`%N` with a type), in place. */
function inPlace(pos: PositionMap, found: { names: NameArg[] }): TextEdit[] {
  return found.names.flatMap((n) => [
    { range: pos.range(n.conv, n.conv + 1), newText: n.object === null ? 'N' : 'T' },
    { range: pos.range(n.node.startIndex, n.node.endIndex), newText: n.object ?? n.type },
  ]);
}

/** Below 3.13: the statement becomes a block that makes the names, runs the call when they were made, and
 *  releases them. */
function asBlock(text: string, pos: PositionMap, found: { call: Node; fn: string; names: NameArg[] }): TextEdit[] | null {
  const st = statementOf(found.call);
  const fail = FAIL_VALUE.get(found.fn);
  if (!st || !fail) return null;
  const ind = lineIndent(text, st.node.startIndex);
  const step = ind.includes('\t') ? '\t' : '    ';
  const vars = found.names.map((_n, i) => (found.names.length === 1 ? 'abi3lint_tn' : `abi3lint_tn${i + 1}`));
  const call = rewriteCall(found.call, found.names, () => 'U', (_n, i) => vars[i]);
  const lines = found.names.map((n, i) => `PyObject *${vars[i]} = ${i === 0 ? '' : `${vars[i - 1]} == NULL ? NULL : `}PyType_GetFullyQualifiedName(${n.type});`);
  const last = vars[vars.length - 1];
  const release = vars.map((v) => `Py_XDECREF(${v});`).join(' ');
  const body = (guarded: string, before: string[] = [], after: string[] = []): string =>
    ['{', ...[...before, ...lines, `if (${last} != NULL)`].map((l) => ind + step + l), ind + step + step + guarded, ...[release, ...after].map((l) => ind + step + l), ind + '}'].join('\n');
  let out: string;
  if (st.form === 'call') out = body(`${call};`);
  else if (st.form === 'return' && found.fn === 'PyErr_Format') out = body(`${call};`, [], ['return NULL;']);
  else if (st.form === 'return') out = body(`abi3lint_r = ${call};`, [`${fail.type}abi3lint_r = ${fail.value};`], ['return abi3lint_r;']);
  else if (st.form === 'assign') out = `${st.target} = ${fail.value};\n${ind}${body(`${st.target} = ${call};`)}`;
  else {
    // `T x = CALL;` keeps its declaration (with the failure value) and the block follows it
    const decl = text.slice(st.node.startIndex, found.call.startIndex) + fail.value + text.slice(found.call.endIndex, st.node.endIndex);
    out = `${decl}\n${ind}${body(`${st.target} = ${call};`)}`;
  }
  return [{ range: pos.range(st.node.startIndex, st.node.endIndex), newText: out }];
}

/**
 * The fix for a `tp_name` member use (the field expression), or null when it is not a format argument the
 * rewrite knows. `shim` supplies PyType_GetFullyQualifiedName below 3.13 (the compat fix's edit, or null when the
 * file has the block already).
 */
export function typeNameFix(text: string, pos: PositionMap, field: Node, minor: number, shim: Fix | null): Fix | null {
  const found = formatCall(field);
  if (!found) return null;
  const risk = 'a Python class is named module.Name, not Name';
  if (minor >= 13) {
    return { kind: 'replace', title: `Format the type's name with %${found.names[0].object === null ? 'N' : 'T'} (unsafe: ${risk})`, safety: 'unsafe', edits: inPlace(pos, found) };
  }
  const edits = asBlock(text, pos, found);
  if (!edits) return null;
  return {
    kind: 'replace',
    title: `Format the type's name with PyType_GetFullyQualifiedName and %U (unsafe: ${risk})`,
    safety: 'unsafe',
    edits: [...(shim?.edits ?? []), ...edits],
  };
}

/** The top-level arguments of a call's inner text [open+1, close), with their offsets (commas inside parentheses,
 *  brackets, strings and character literals do not split). */
function splitArgs(text: string, from: number, to: number): { start: number; end: number; text: string }[] {
  const out: { start: number; end: number; text: string }[] = [];
  let depth = 0;
  let start = from;
  for (let i = from; i < to; i++) {
    const c = text[i];
    if (c === '"' || c === "'") {
      for (i++; i < to && text[i] !== c; i++) if (text[i] === '\\') i++;
    } else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 0) {
      out.push({ start, end: i, text: text.slice(start, i) });
      start = i + 1;
    }
  }
  out.push({ start, end: to, text: text.slice(start, to) });
  return out.map((a) => {
    const lead = /^(?:\s|\\\n)*/.exec(a.text)![0].length;
    const trail = /(?:\s|\\\n)*$/.exec(a.text)![0].length;
    return { start: a.start + lead, end: a.end - trail, text: a.text.slice(lead, a.text.length - trail) };
  });
}

/**
 * The same rewrite in a macro's body, where there is no tree: `PyErr_Format(…, Py_TYPE(o)->tp_name);` as a
 * statement of a `#define` (lines continued with backslashes). `memberEnd` is the end of `tp_name`; `macro` the
 * `#define` directive around it.
 */
export function typeNameInMacroFix(text: string, pos: PositionMap, macro: { start: number; end: number }, memberEnd: number, minor: number, shim: Fix | null): Fix | null {
  const skip = (i: number, step: 1 | -1): number => {
    while (i >= macro.start && i < macro.end && (/\s/.test(text[i]) || (text[i] === '\\' && text[i + 1] === '\n') || (step < 0 && text[i] === '\\'))) i += step;
    return i;
  };
  // the unmatched `(` before the member: the call around it
  let depth = 0;
  let open = -1;
  for (let i = memberEnd - 1; i >= macro.start; i--) {
    const c = text[i];
    if (c === ')') depth++;
    else if (c === '(' && depth-- === 0) {
      open = i;
      break;
    } else if (c === ';' || c === '{' || c === '}') return null;
  }
  const name = open > 0 ? /([A-Za-z_]\w*)\s*$/.exec(text.slice(macro.start, open)) : null;
  const fn = name?.[1] ?? '';
  const spec = FORMAT_FUNCTIONS.get(fn);
  if (!name || !spec || !FAIL_VALUE.has(fn)) return null;
  const callStart = open - (text.slice(macro.start, open).length - name.index!);
  let close = -1;
  depth = 0;
  for (let i = open; i < macro.end; i++) {
    if (text[i] === '"' || text[i] === "'") {
      const q = text[i];
      for (i++; i < macro.end && text[i] !== q; i++) if (text[i] === '\\') i++;
    } else if (text[i] === '(') depth++;
    else if (text[i] === ')' && --depth === 0) {
      close = i;
      break;
    }
  }
  const semi = close > 0 ? skip(close + 1, 1) : -1;
  const before = skip(callStart - 1, -1);
  if (close < 0 || text[semi] !== ';' || !/[;{}]/.test(text[before] ?? '')) return null;
  const args = splitArgs(text, open + 1, close);
  const fmt = args[spec.arg];
  const decoded = fmt && /^"/.test(fmt.text) ? decodeLiterals(fmt.text, fmt.start) : null;
  if (!decoded) return null;
  const seen = new Set<number>();
  const units = formatUnits('PyUnicode_FromFormat', decoded).filter((u) => (seen.has(u.start) ? false : (seen.add(u.start), true)));
  if (units.some((u) => u.key === '*')) return null;
  const names: { arg: { start: number; end: number }; type: string; object: string | null; conv: number }[] = [];
  for (let i = spec.arg + 1; i < args.length; i++) {
    const a = args[i].text.replace(/\\\n/g, ' ');
    const m = /^Py_TYPE\s*\(\s*(.+?)\s*\)\s*->\s*tp_name$/.exec(a) ?? /^(\w+)\s*->\s*ob_type\s*->\s*tp_name$/.exec(a);
    const t = m ? null : /^(\w+)\s*->\s*tp_name$/.exec(a);
    if (!m && !t) continue;
    const unit = units[i - spec.arg - 1];
    if (!unit || !/^%[-0#+ ]*\d*(?:\.\d+)?s$/.test(unit.text)) return null;
    names.push({ arg: args[i], object: m ? m[1] : null, type: m ? `Py_TYPE(${m[1]})` : t![1], conv: unit.end - 1 });
  }
  if (!names.some((n) => n.arg.end === memberEnd)) return null;
  const edits = names.flatMap((n, i) => [
    { start: n.conv, end: n.conv + 1, text: minor >= 13 ? (n.object === null ? 'N' : 'T') : 'U' },
    { start: n.arg.start, end: n.arg.end, text: minor >= 13 ? (n.object ?? n.type) : names.length === 1 ? 'abi3lint_tn' : `abi3lint_tn${i + 1}` },
  ]).sort((a, b) => b.start - a.start);
  let call = text.slice(callStart, close + 1);
  for (const e of edits) call = call.slice(0, e.start - callStart) + e.text + call.slice(e.end - callStart);
  // (the call on one line: its continuation backslashes go, the block's lines get their own)
  call = call.replace(/[ \t]*\\\n[ \t]*/g, ' ');
  const risk = 'a Python class is named module.Name, not Name';
  if (minor >= 13) {
    return { kind: 'replace', title: `Format the type's name with %${names[0].object === null ? 'N' : 'T'} (unsafe: ${risk})`, safety: 'unsafe', edits: [{ range: pos.range(callStart, close + 1), newText: call }] };
  }
  const ind = lineIndent(text, callStart);
  const vars = names.map((_n, i) => (names.length === 1 ? 'abi3lint_tn' : `abi3lint_tn${i + 1}`));
  const lines = [
    '{',
    ...names.map((n, i) => `    PyObject *${vars[i]} = ${i === 0 ? '' : `${vars[i - 1]} == NULL ? NULL : `}PyType_GetFullyQualifiedName(${n.type});`),
    `    if (${vars[vars.length - 1]} != NULL)`,
    `        ${call};`,
    `    ${vars.map((v) => `Py_XDECREF(${v});`).join(' ')}`,
    '}',
  ];
  const width = Math.max(...lines.map((l) => ind.length + l.length)) + 1;
  const block = lines.map((l, i) => (i === 0 ? l : ind + l)).map((l, i) => (i === lines.length - 1 ? l : l.padEnd(width - (i === 0 ? ind.length : 0)) + '\\')).join('\n');
  return { kind: 'replace', title: `Format the type's name with PyType_GetFullyQualifiedName and %U (unsafe: ${risk})`, safety: 'unsafe', edits: [...(shim?.edits ?? []), { range: pos.range(callStart, semi + 1), newText: block }] };
}
