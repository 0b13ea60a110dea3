/**
 * `Py_TYPE(it)->tp_iternext` read to step an iterator (a pattern of code ported from CPython's own list and tuple
 * functions): the Limited API's way is PyIter_Next(it).
 *
 * - a call through the member, `(*Py_TYPE(it)->tp_iternext)(it)` or `Py_TYPE(it)->tp_iternext(it)`, becomes
 *   `PyIter_Next(it)`;
 * - the member stored in a local function pointer (`iternext = *Py_TYPE(it)->tp_iternext;`, or its declaration's
 *   initializer) becomes `PyIter_Next` when every other use of that variable in the function is a call with `it`.
 *
 * Unsafe: PyIter_Next clears a StopIteration the iterator raises (the loop ends without an exception set, as it
 * does for iterators that return NULL alone); code that looked for that StopIteration finds none.
 */
import type { Node } from '../parser';
import type { PositionMap } from '../position';
import type { Fix } from '../types';

const RISK = 'a StopIteration the iterator raises is cleared';

const argsOf = (call: Node): Node[] => call.childForFieldName('arguments')?.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment') ?? [];

/** `X` of `Py_TYPE(X)->tp_iternext`. */
function iteratorOf(field: Node): string | null {
  const arg = field.childForFieldName('argument');
  if (field.childForFieldName('operator')?.text !== '->' || arg?.type !== 'call_expression' || arg.childForFieldName('function')?.text !== 'Py_TYPE') return null;
  const a = argsOf(arg);
  return a.length === 1 ? a[0].text : null;
}

/** The member expression with the `*` and parentheses around it. */
function outer(field: Node): Node {
  let n = field;
  while (n.parent && (n.parent.type === 'parenthesized_expression' || (n.parent.type === 'pointer_expression' && n.parent.childForFieldName('operator')?.text === '*'))) n = n.parent;
  return n;
}

function functionBody(n: Node): Node | null {
  for (let p = n.parent; p; p = p.parent) if (p.type === 'function_definition') return p.childForFieldName('body');
  return null;
}

/** Every use of `name` in the body other than `skip` is a call `name(it)`. */
function onlyCalledWith(body: Node, name: string, it: string, skip: Node): boolean {
  for (const id of body.descendantsOfType('identifier')) {
    if (!id || id.text !== name || (id.startIndex >= skip.startIndex && id.endIndex <= skip.endIndex)) continue;
    const call = id.parent;
    if (call?.type === 'init_declarator' || call?.type === 'function_declarator' || call?.type === 'pointer_declarator' || call?.type === 'parenthesized_declarator') continue; // its declaration
    if (call?.type !== 'call_expression' || call.childForFieldName('function')?.id !== id.id) return false;
    const a = argsOf(call);
    if (a.length !== 1 || a[0].text !== it) return false;
  }
  return true;
}

/** The fix for a `tp_iternext` member use (the field expression), or null where neither form applies. */
export function iterNextFix(pos: PositionMap, field: Node): Fix | null {
  const it = iteratorOf(field);
  if (!it) return null;
  const expr = outer(field);
  const p = expr.parent;
  if (p?.type === 'call_expression' && p.childForFieldName('function')?.id === expr.id) {
    const a = argsOf(p);
    if (a.length !== 1 || a[0].text !== it) return null;
    return { kind: 'replace', title: `Replace with PyIter_Next(${it}) (unsafe: ${RISK})`, safety: 'unsafe', edits: [{ range: pos.range(p.startIndex, p.endIndex), newText: `PyIter_Next(${it})` }] };
  }
  let variable: string | undefined;
  let stmt: Node | null = null;
  if (p?.type === 'assignment_expression' && p.childForFieldName('operator')?.text === '=' && p.childForFieldName('right')?.id === expr.id) {
    variable = p.childForFieldName('left')?.text;
    stmt = p;
  } else if (p?.type === 'init_declarator' && p.childForFieldName('value')?.id === expr.id) {
    const d = p.childForFieldName('declarator');
    variable = d?.descendantsOfType('identifier')[0]?.text;
    stmt = p;
  }
  const body = functionBody(field);
  if (!variable || !stmt || !body || !/^\w+$/.test(variable) || !onlyCalledWith(body, variable, it, stmt)) return null;
  return { kind: 'replace', title: `Step the iterator with PyIter_Next (unsafe: ${RISK})`, safety: 'unsafe', edits: [{ range: pos.range(expr.startIndex, expr.endIndex), newText: 'PyIter_Next' }] };
}
