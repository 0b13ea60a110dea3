/**
 * An ASCII str built in place: `PyObject *s = PyUnicode_New(n, 127);`, its characters written through
 * `PyUnicode_1BYTE_DATA(s)` (or `PyUnicode_DATA(s)`), then `return s;` (hex digests, number formatting). The
 * Limited API has no str whose storage can be written; a bytes object can be:
 *
 *   PyObject *s = PyBytes_FromStringAndSize(NULL, n);     // the same n bytes, written the same way
 *   Py_UCS1 *p = (Py_UCS1 *)PyBytes_AsString(s);
 *   ...
 *   Py_SETREF(s, PyUnicode_FromEncodedObject(s, "ascii", NULL));  // the str, at each return
 *   return s;
 *
 * Made only when the variable is used for nothing else in its function (NULL checks, the data pointer, releases,
 * returns). Unsafe: one more allocation and a copy; a byte that is not ASCII (a bug before: it made an invalid
 * str) now raises UnicodeDecodeError. Py_SETREF comes from the compat header below 3.12 (it is in no Limited API).
 */
import type { Node } from '../parser';
import type { PositionMap } from '../position';
import type { Fix, TextEdit } from '../types';

const argsOf = (call: Node): Node[] => call.childForFieldName('arguments')?.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment') ?? [];

function lineIndent(text: string, offset: number): string {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(start))![0];
}

/** The fix for `PyUnicode_New(n, 127)` at `call`, or null when its variable has another use. */
export function asciiStrFix(text: string, pos: PositionMap, call: Node, shim: Fix | null): Fix | null {
  const a = argsOf(call);
  if (a.length !== 2 || a[1].text.trim() !== '127') return null;
  const p = call.parent;
  let name: string | undefined;
  if (p?.type === 'init_declarator' && p.childForFieldName('value')?.id === call.id) {
    let d: Node | null = p.childForFieldName('declarator');
    while (d && d.type !== 'identifier') d = d.childForFieldName('declarator');
    name = d?.text;
  } else if (p?.type === 'assignment_expression' && p.childForFieldName('right')?.id === call.id) {
    const left = p.childForFieldName('left');
    name = left?.type === 'identifier' ? left.text : undefined;
  }
  let fn: Node | null = call.parent;
  while (fn && fn.type !== 'function_definition') fn = fn.parent;
  const body = fn?.childForFieldName('body');
  if (!name || !body) return null;
  const edits: TextEdit[] = [{ range: pos.range(call.startIndex, call.endIndex), newText: `PyBytes_FromStringAndSize(NULL, ${a[0].text})` }];
  let returns = 0;
  for (const id of body.descendantsOfType('identifier')) {
    if (!id || id.text !== name) continue;
    const up = id.parent;
    if (!up || up.id === p?.id || (up.type === 'init_declarator' && up.childForFieldName('declarator')?.id === id.id) || up.type === 'pointer_declarator') continue;
    if (up.type === 'binary_expression' && /^[!=]=$/.test(up.childForFieldName('operator')?.text ?? '') && /^NULL$|^0$/.test((up.childForFieldName('left')?.id === id.id ? up.childForFieldName('right') : up.childForFieldName('left'))?.text ?? '')) continue;
    if (up.type === 'unary_expression' && up.childForFieldName('operator')?.text === '!') continue;
    const callOf = up.type === 'argument_list' ? up.parent : null;
    const callee = callOf?.childForFieldName('function')?.text ?? '';
    if (callOf && /^Py_X?DECREF$|^Py_CLEAR$/.test(callee)) continue;
    if (callOf && /^PyUnicode_(1BYTE_)?DATA$/.test(callee)) {
      edits.push({ range: pos.range(callOf.startIndex, callOf.endIndex), newText: `(Py_UCS1 *)PyBytes_AsString(${name})` });
      continue;
    }
    if (up.type === 'return_statement') {
      const ind = lineIndent(text, up.startIndex);
      edits.push({ range: pos.range(up.startIndex, up.endIndex), newText: `{\n${ind}    Py_SETREF(${name}, PyUnicode_FromEncodedObject(${name}, "ascii", NULL));\n${ind}    return ${name};\n${ind}}` });
      returns++;
      continue;
    }
    return null;
  }
  if (!returns) return null;
  return {
    kind: 'replace',
    title: 'Build the ASCII text in a bytes object and decode it at the return (unsafe: one more copy)',
    safety: 'unsafe',
    edits: [...(shim?.edits ?? []), ...edits],
  };
}
