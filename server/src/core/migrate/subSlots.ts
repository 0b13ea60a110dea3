/**
 * Slots of a type's method tables read through the type (code that dispatches to another object's type, as
 * proxies do):
 *
 *   if (type->tp_as_async != NULL)            if (PyType_GetSlot(type, Py_am_aiter) != NULL)
 *       meth = type->tp_as_async->am_aiter;       meth = ((unaryfunc)PyType_GetSlot(type, Py_am_aiter));
 *
 * The read becomes `PyType_GetSlot(type, Py_<slot>)`, cast to the slot's function type: NULL when the type has no
 * such table or no such slot, as the members were. Safe from 3.10 (PyType_GetSlot accepts static types there);
 * below 3.10 it raises SystemError on a static type (a built-in, or another extension's type): unsafe. A test of
 * the table itself (`type->tp_as_async != NULL`, `!type->tp_as_number`, the table as a condition) becomes a test
 * of the one slot its statement reads through that table: unsafe, since a table with that slot empty now counts
 * as absent.
 */
import type { Catalog } from '../catalog';
import { targetIndex } from '../catalog';
import type { Node } from '../parser';
import type { PositionMap } from '../position';
import type { Fix } from '../types';
import { SUB_TABLES } from './heapType';

/** The function types of the number slots (their typedef's signature in the catalog is cut short). */
const NUMBER_SLOT_TYPES: Record<string, string> = {
  nb_power: 'ternaryfunc', nb_inplace_power: 'ternaryfunc', nb_bool: 'inquiry',
  nb_negative: 'unaryfunc', nb_positive: 'unaryfunc', nb_absolute: 'unaryfunc', nb_invert: 'unaryfunc', nb_int: 'unaryfunc', nb_float: 'unaryfunc', nb_index: 'unaryfunc',
};

/** The C type of a slot member of a method table (`unaryfunc` for am_aiter), from the table's typedef. */
function slotType(cat: Catalog, table: string, slot: string): string | null {
  const sig = cat.names.get(table)?.signature ?? '';
  const m = new RegExp(`(\\w+)\\s+${slot}\\s*;`).exec(sig);
  if (m) return m[1];
  if (table === 'PyNumberMethods' && /^nb_\w+$/.test(slot) && slot !== 'nb_reserved') return NUMBER_SLOT_TYPES[slot] ?? 'binaryfunc';
  return null;
}

/** `Y->tp_as_X` (a field expression through `->`): Y and the table's field name. */
function tableRead(n: Node | null): { type: Node; table: string } | null {
  if (n?.type !== 'field_expression' || n.child(1)?.text !== '->') return null;
  const field = n.childForFieldName('field')?.text ?? '';
  const type = n.childForFieldName('argument');
  return type && SUB_TABLES[field] ? { type, table: field } : null;
}

/** `Y->tp_as_X->slot`: the outer expression's parts, when `slot` is a member of that table's struct. */
function slotRead(cat: Catalog, n: Node | null): { outer: Node; type: Node; table: string; slot: string } | null {
  if (n?.type !== 'field_expression' || n.child(1)?.text !== '->') return null;
  const inner = tableRead(n.childForFieldName('argument'));
  const slot = n.childForFieldName('field')?.text ?? '';
  if (!inner || !cat.names.get(SUB_TABLES[inner.table])?.members?.includes(slot)) return null;
  return { outer: n, type: inner.type, table: inner.table, slot };
}

const written = (n: Node): boolean => n.parent?.type === 'assignment_expression' && n.parent.childForFieldName('left')?.id === n.id;

function getSlot(cat: Catalog, minor: number, type: string, slot: string): { call: string; safe: boolean } | null {
  if (cat.names.get(`Py_${slot}`)?.limited?.[targetIndex(minor)] !== 'Y' || cat.names.get('PyType_GetSlot')?.limited?.[targetIndex(minor)] !== 'Y') return null;
  return { call: `PyType_GetSlot(${type}, Py_${slot})`, safe: minor >= 10 };
}

const RISK_BELOW_310 = 'fails on static types before 3.10';

/** The read of a slot through its table: the whole `Y->tp_as_X->slot` expression. */
function readFix(cat: Catalog, pos: PositionMap, minor: number, r: NonNullable<ReturnType<typeof slotRead>>): Fix | null {
  const fn = slotType(cat, SUB_TABLES[r.table], r.slot);
  const g = getSlot(cat, minor, r.type.text, r.slot);
  if (!fn || !g || written(r.outer)) return null;
  const text = `((${fn})${g.call})`;
  return { kind: 'replace', title: `Replace with ${text}${g.safe ? '' : ` (unsafe: ${RISK_BELOW_310})`}`, safety: g.safe ? 'safe' : 'unsafe', edits: [{ range: pos.range(r.outer.startIndex, r.outer.endIndex), newText: text }] };
}

/** The statement a table test decides: the enclosing `if`/`while`/`for`/conditional whose condition holds it. */
function decidedStatement(n: Node): Node | null {
  for (let cur: Node | null = n.parent; cur; cur = cur.parent) {
    if (/^(if_statement|while_statement|conditional_expression|for_statement)$/.test(cur.type)) return cur;
    if (/statement$|^compound_statement$|^function_definition$|^declaration$/.test(cur.type)) return null;
  }
  return null;
}

/** A table used as a truth value: compared with NULL/0, negated, or as an operand of && / || or a condition. */
function isTest(n: Node): boolean {
  const p = n.parent;
  if (!p) return false;
  if (p.type === 'binary_expression') {
    const op = p.child(1)?.text;
    if (op === '&&' || op === '||') return true;
    const other = p.childForFieldName('left')?.id === n.id ? p.childForFieldName('right') : p.childForFieldName('left');
    return (op === '!=' || op === '==') && !!other && /^(NULL|0|\(void\s*\*\)\s*0)$/.test(other.text.trim());
  }
  if (p.type === 'unary_expression') return p.child(0)?.text === '!';
  if (p.type === 'conditional_expression') return p.childForFieldName('condition')?.id === n.id;
  return p.type === 'parenthesized_expression' || p.type === 'condition_clause';
}

/** The slots the statement reads through the same table of the same type expression. */
function slotsReadIn(cat: Catalog, stmt: Node, type: string, table: string): Set<string> {
  const out = new Set<string>();
  const walk = (n: Node): void => {
    const r = slotRead(cat, n);
    if (r && r.table === table && r.type.text === type) out.add(r.slot);
    for (const c of n.namedChildren) if (c) walk(c);
  };
  walk(stmt);
  return out;
}

/**
 * The fix for a member use inside a table read or test: `use` is the `Y->tp_as_X` or `Y->tp_as_X->slot`
 * expression of the member the finding is about. Null where neither form applies.
 */
export function subSlotFix(cat: Catalog, pos: PositionMap, minor: number, field: Node | null): Fix | null {
  if (!field) return null;
  const read = slotRead(cat, field) ?? slotRead(cat, field.parent);
  if (read) return readFix(cat, pos, minor, read);
  const table = tableRead(field);
  if (!table || !isTest(field)) return null;
  const stmt = decidedStatement(field);
  const slots = stmt ? slotsReadIn(cat, stmt, table.type.text, table.table) : new Set<string>();
  if (slots.size !== 1) return null;
  const slot = [...slots][0];
  const g = getSlot(cat, minor, table.type.text, slot);
  if (!g) return null;
  return {
    kind: 'replace',
    title: `Test the slot: ${g.call} (unsafe: tests the slot, not its table: a table without ${slot} counts as absent${g.safe ? '' : `; ${RISK_BELOW_310}`})`,
    safety: 'unsafe',
    edits: [{ range: pos.range(field.startIndex, field.endIndex), newText: g.call }],
  };
}
