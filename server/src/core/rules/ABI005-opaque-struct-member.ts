/** ABI005 opaque-struct-member: a member of a struct the Limited API makes opaque at the target. */
import type { Catalog } from '../catalog';
import { compatFix } from '../compat';
import { TABLE_TYPES, unusedDefinitionFix } from '../migrate/deadCode';
import { iterNextFix } from '../migrate/iterNext';
import { subSlotFix } from '../migrate/subSlots';
import { SUB_TABLES } from '../migrate/heapType';
import { typeNameFix, typeNameInMacroFix } from '../migrate/typeName';
import type { Fix } from '../types';
import { minorToString } from '../version';
import { replacementFixes, replacementHint } from './replacements';
import { defineRule, type MemberUse, type RuleContext } from './rule';

/** CPython's prefixed member names (tp_name, ob_refcnt, co_code, f_back, ...): plain words such as `free` or
 *  `buf` are just as likely members of system or project structs, which abi3lint cannot type. */
export const CPYTHON_MEMBER = /^[a-z]{1,5}_[A-Za-z0-9_]+$/;

/** The structs that have a member and whose layout the Limited API shows at the target. */
export const visibleOwners = (cx: RuleContext, owners: string[]): string[] => owners.filter((o) => cx.cat.names.get(o)?.limitedComplete?.[cx.tIdx] === 'Y');

const typedefs = new WeakMap<Catalog, Map<string, string>>();

/** The name users write for a struct tag: `PyTypeObject` for `struct _typeobject` (the tag when no typedef). */
export function typedefName(cat: Catalog, owner: string): string {
  let m = typedefs.get(cat);
  if (!m) {
    m = new Map();
    for (const [name, e] of cat.names) if (e.kind === 'typedef' && e.tag && !m.has(e.tag)) m.set(e.tag, name);
    typedefs.set(cat, m);
  }
  return m.get(owner) ?? owner;
}

/** `Py_TYPE(o)->tp_name` formatted by PyErr_Format and friends: %T from 3.13, a made name and %U below (with the
 *  PyType_GetFullyQualifiedName shim, unless the file supplies it already). */
function typeNameInMessage(cx: RuleContext, use: MemberUse): Fix | null {
  const field = use.inMacro ? null : use.field();
  const macro = use.inMacro ? cx.pp.directives.find((d) => d.name === 'define' && d.start <= use.start && use.end <= d.end) : undefined;
  if (!field && !macro) return null;
  const text = cx.doc.text;
  const minor = cx.target.minor;
  const shim = minor < 13 ? compatFix(text, cx.pos, 'PyType_GetFullyQualifiedName', minor, cx.pp.directives) : null;
  if (minor < 13 && !shim && !/abi3lint_PyType_GetFullyQualifiedName|abi3lint_compat\.h/.test(text)) return null;
  return field ? typeNameFix(text, cx.pos, field, minor, shim) : typeNameInMacroFix(text, cx.pos, macro!, use.end, minor, shim);
}

/** A safe replacement first (PyType_GetSlot from 3.10), then the rewrite of this rule, then the others. */
const ordered = (own: Fix | null, replacements: Fix[]): Fix[] => [...replacements.filter((f) => f.safety === 'safe' && f.edits.length), ...(own ? [own] : []), ...replacements.filter((f) => !(f.safety === 'safe' && f.edits.length))];

/** `((PyTypeObject *)t)->tp_vectorcall = f;` on a type made from a spec (a speed-up of calling the type): the
 *  statement goes below 3.14, where the Limited API has no Py_tp_vectorcall slot; the type is then called through
 *  its tp_new and tp_init. */
function vectorcallWrite(cx: RuleContext, field: ReturnType<MemberUse['field']>): Fix | null {
  const assign = field?.parent;
  const stmt = assign?.parent;
  if (!field || cx.target.minor >= 14 || assign?.type !== 'assignment_expression' || assign.childForFieldName('left')?.id !== field.id || stmt?.type !== 'expression_statement') return null;
  const text = cx.doc.text;
  const s = text.lastIndexOf('\n', stmt.startIndex - 1) + 1;
  const nl = text.indexOf('\n', stmt.endIndex);
  const whole = /^[ \t]*$/.test(text.slice(s, stmt.startIndex)) && nl >= 0 && /^[ \t]*$/.test(text.slice(stmt.endIndex, nl));
  const [a, b] = whole ? [s, nl + 1] : [stmt.startIndex, stmt.endIndex];
  return { kind: 'replace', title: 'Remove the tp_vectorcall assignment (unsafe: the type is then called through tp_new and tp_init, which it must have)', safety: 'unsafe', edits: [{ range: cx.pos.range(a, b), newText: '' }] };
}

const iterNext = (cx: RuleContext, field: ReturnType<MemberUse['field']>): Fix | null => (field ? iterNextFix(cx.pos, field) : null);

/** A method table of a type (`tp_as_number`) or one of its slots (`nb_add`): read through PyType_GetSlot. */
const tableMember = (name: string, owners: string[]): boolean => name in SUB_TABLES || owners.some((o) => TABLE_TYPES.has(o));

export default defineRule({
  meta: { code: 'ABI005', name: 'opaque-struct-member', reuse: 'local' },
  create: (cx) => ({
    member(use) {
      if (!CPYTHON_MEMBER.test(use.name)) return;
      const owners = cx.cat.members.get(use.name);
      if (!owners || visibleOwners(cx, owners).length || cx.project.isMember(use.name)) return;
      const r = cx.cat.memberReplacements.get(use.name);
      const typeName = owners.find((o) => !o.startsWith('struct ')) ?? typedefName(cx.cat, owners[0]);
      const minor = cx.target.minor;
      // a macro of type fields that converted types left unused
      const unused = use.inMacro ? unusedDefinitionFix(cx.doc.path, cx.doc.text, cx.pos, cx.tree, cx.pp.directives, use.start, (w) => cx.watch(w)) : null;
      const slot = !unused && !use.inMacro && tableMember(use.name, owners) ? subSlotFix(cx.cat, cx.pos, minor, use.field()) : null;
      const named = unused ?? slot ?? (use.name === 'tp_name' ? typeNameInMessage(cx, use) : use.name === 'tp_iternext' ? iterNext(cx, use.field()) : use.name === 'tp_vectorcall' ? vectorcallWrite(cx, use.field()) : null);
      cx.report(use.start, use.end, `'${use.name}' is a member of ${typeName}, which is opaque in the Limited API at ${minorToString(minor)}${replacementHint(r, minor, 'member')}`, {
        identifier: use.name,
        fixes: ordered(named, r ? replacementFixes(cx.pos, minor, r, null, null, () => use.field()) : []),
      });
    },
  }),
});
