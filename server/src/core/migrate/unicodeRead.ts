/**
 * Characters read through a str's storage: `kind = PyUnicode_KIND(s)`, `data = PyUnicode_DATA(s)`, then
 * `PyUnicode_READ(kind, data, i)`. The Limited API reads through the object: `PyUnicode_ReadChar(s, i)` (3.7).
 * Made for a whole function at once, when `kind` and `data` are locals set once from the same `s` and used only as
 * those arguments (their declarations go). Unsafe: a function call per character (slower), and an index out of
 * range raises IndexError and returns (Py_UCS4)-1 where the macro read out of bounds.
 */
import type { Node } from '../parser';
import type { PositionMap } from '../position';
import type { Fix, TextEdit } from '../types';

const argsOf = (call: Node): Node[] => call.childForFieldName('arguments')?.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment') ?? [];

/** The local `name` set once from `accessor(s)` in `body`: its declaration (to remove) and `s`. */
function setFrom(body: Node, name: string, accessor: string): { decl: Node; source: string } | null {
  let found: { decl: Node; source: string } | null = null;
  for (const d of body.descendantsOfType('init_declarator')) {
    if (!d) continue;
    let n: Node | null = d.childForFieldName('declarator');
    while (n && n.type !== 'identifier') n = n.childForFieldName('declarator');
    if (n?.text !== name) continue;
    const v = d.childForFieldName('value');
    const decl = d.parent;
    const inner = v?.type === 'cast_expression' ? v.childForFieldName('value') : v;
    if (found || !decl || decl.type !== 'declaration' || inner?.type !== 'call_expression' || inner.childForFieldName('function')?.text !== accessor) return null;
    if (decl.namedChildren.filter((c) => c?.type === 'init_declarator').length !== 1) return null;
    const a = argsOf(inner);
    if (a.length !== 1 || a[0].type !== 'identifier') return null;
    found = { decl, source: a[0].text };
  }
  return found;
}

/** The fixes made in one analysis (one tree), by function and kind/data names: each read of a function gets the
 *  same fix, and a function reading hundreds of characters was walked once per read. */
const made = new WeakMap<object, Map<string, Fix | null>>();

/** The fix for `PyUnicode_READ(kind, data, i)` at `call`, covering every such read of the function. */
export function unicodeReadFix(text: string, pos: PositionMap, call: Node): Fix | null {
  const a = argsOf(call);
  if (a.length !== 3 || a[0].type !== 'identifier' || a[1].type !== 'identifier') return null;
  let fn: Node | null = call.parent;
  while (fn && fn.type !== 'function_definition') fn = fn.parent;
  if (!fn) return null;
  let cache = made.get(call.tree);
  if (!cache) made.set(call.tree, (cache = new Map()));
  const key = `${fn.startIndex}:${fn.endIndex}:${a[0].text}:${a[1].text}`;
  if (!cache.has(key)) cache.set(key, functionFix(text, pos, fn, a[0].text, a[1].text));
  const fix = cache.get(key)!;
  // (each finding its own copy: fixes are not shared objects)
  return fix && { ...fix, edits: fix.edits.map((e) => ({ range: e.range, newText: e.newText })) };
}

function functionFix(text: string, pos: PositionMap, fn: Node, kindName: string, dataName: string): Fix | null {
  const body = fn.childForFieldName('body');
  if (!body) return null;
  const kind = setFrom(body, kindName, 'PyUnicode_KIND');
  const data = setFrom(body, dataName, 'PyUnicode_DATA');
  if (!kind || !data || kind.source !== data.source) return null;
  const s = kind.source;
  // the string itself is not assigned in the function (its storage would be another's)
  for (const x of body.descendantsOfType('assignment_expression')) if (x?.childForFieldName('left')?.text === s) return null;
  const edits: TextEdit[] = [];
  for (const id of body.descendantsOfType('identifier')) {
    if (!id || (id.text !== kindName && id.text !== dataName)) continue;
    if (id.startIndex >= kind.decl.startIndex && id.endIndex <= kind.decl.endIndex) continue;
    if (id.startIndex >= data.decl.startIndex && id.endIndex <= data.decl.endIndex) continue;
    const read = id.parent?.parent;
    const args = read?.type === 'call_expression' && read.childForFieldName('function')?.text === 'PyUnicode_READ' ? argsOf(read) : [];
    if (args.length !== 3 || args[0].text !== kindName || args[1].text !== dataName) return null;
    if (id.text === kindName) edits.push({ range: pos.range(read!.startIndex, read!.endIndex), newText: `PyUnicode_ReadChar(${s}, ${args[2].text})` });
  }
  for (const decl of [kind.decl, data.decl]) {
    const lineStart = text.lastIndexOf('\n', decl.startIndex - 1) + 1;
    const nl = text.indexOf('\n', decl.endIndex);
    const prefix = text.slice(lineStart, decl.startIndex);
    // (a macro before the type, `PY2_UNUSED int kind = …`, is on the declaration's line: it goes with it)
    const macro = /^[ \t]*\w+[ \t]+$/.test(prefix);
    // the line goes only when nothing else is on it: code after the declaration stays (two declarations on one
    // line had both removed its end, and the code after them: found by the fuzz)
    const wholeLine = (macro || /^[ \t]*$/.test(prefix)) && nl >= 0 && /^[ \t]*$/.test(text.slice(decl.endIndex, nl));
    const start = wholeLine ? lineStart : macro ? lineStart + prefix.search(/\S/) : decl.startIndex;
    let end = decl.endIndex;
    while (text.charCodeAt(end) === 32 || text.charCodeAt(end) === 9) end++; // (and the space before the next code)
    edits.push({ range: pos.range(start, wholeLine ? nl + 1 : end), newText: '' });
  }
  return { kind: 'replace', title: `Read the characters with PyUnicode_ReadChar(${s}, …) (unsafe: a call per character; the index is checked)`, safety: 'unsafe', edits };
}
