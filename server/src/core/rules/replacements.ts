/**
 * Fixes and message hints from data/replacements.json, shared by the rules about names and members: the first
 * alternative that exists at the target is the recommended one.
 */
import { minorOf, type Replacement } from '../catalog';
import type { Node } from '../parser';
import type { PositionMap } from '../position';
import type { Fix, TextEdit } from '../types';

/** The recommended alternative at a target, if any exists there. */
export const alternativeAt = (r: Replacement, minor: number): Replacement['alternatives'][number] | undefined => r.alternatives.find((a) => minorOf(a.since) <= minor);

/** "use X", or the advice itself when the alternative is advice in parentheses ("(remove the call)"). */
const useOrAdvice = (what: string): string => (/^\(.*\)$/.test(what) ? what.slice(1, -1) : `use ${what}`);

/** `; use X` (the alternative at the target), or `; X replaces it from 3.N`; '' without a replacement. */
export function replacementHint(r: Replacement | undefined, minor: number, form: 'name' | 'member' = 'name'): string {
  if (!r) return '';
  const alt = alternativeAt(r, minor);
  if (alt) {
    if (form === 'member') return `; use ${alt.template ? alt.template.replace('$0', '…') : alt.new}`;
    return `; ${useOrAdvice(alt.template && !alt.template.startsWith('((') ? alt.template.replace(/\$\d/g, '…') : alt.new)}`;
  }
  const later = r.alternatives[r.alternatives.length - 1];
  return `; ${later.new} replaces it from ${later.since}`;
}

function callEdit(pos: PositionMap, template: string, call: Node): { edit: TextEdit; text: string } | null {
  const args = call.childForFieldName('arguments');
  const list = args ? args.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment').map((c) => c.text) : [];
  const need = Math.max(0, ...[...template.matchAll(/\$(\d)/g)].map((m) => Number(m[1])));
  if (!(list.length >= need && (need > 0 || list.length === 0 || /\$/.test(template) === false))) return null;
  const text = template.replace(/\$(\d)/g, (_m, i: string) => list[Number(i) - 1] ?? '');
  return { edit: { range: pos.range(call.startIndex, call.endIndex), newText: text }, text };
}

/** The fix of the recommended alternative: an edit where the form allows one, else a hint. */
export function replacementFixes(
  pos: PositionMap,
  minor: number,
  r: Replacement,
  ident: [number, number] | null,
  callOf: (() => Node | null) | null,
  memberOf: (() => Node | null) | null,
): Fix[] {
  const alt = alternativeAt(r, minor);
  if (!alt) return [];
  const edits: TextEdit[] = [];
  let title = `Replace with ${alt.new}`;
  if (alt.safety !== 'display-only') {
    const member = r.form === 'member' && alt.template ? (memberOf?.() ?? null) : null;
    const call = r.form !== 'member' && alt.template ? (callOf?.() ?? null) : null;
    const obj = member?.childForFieldName('argument');
    // (an assignment's target is no read: `x.tp_flags = v` has no function form, and a macro of designated
    // fields before `.tp_flags = …` in a type's initializer parses as one)
    const written = member?.parent?.type === 'assignment_expression' && member.parent.childForFieldName('left')?.id === member.id;
    if (member && obj && !written) {
      const text = alt.template!.replace(/\$0/g, obj.text);
      edits.push({ range: pos.range(member.startIndex, member.endIndex), newText: text });
      title = `Replace with ${text}`;
    } else if (written) {
      // no edit: the hint below
    } else if (!member && alt.template && call) {
      const c = callEdit(pos, alt.template, call);
      if (c) {
        edits.push(c.edit);
        title = `Replace with ${c.text.length > 60 ? alt.new + '(...)' : c.text}`;
      }
    } else if (!alt.template && ident && r.form === 'rename') {
      edits.push({ range: pos.range(ident[0], ident[1]), newText: alt.new });
    }
  }
  if (edits.length === 0) return [{ kind: 'hint', title: `Hint: ${useOrAdvice(alt.new)} (${alt.since}+). ${alt.note}`, safety: 'display-only', edits: [] }];
  // short titles with the safety in a fixed place; the explanation is in the hover and the finding's related note
  return [{ kind: 'replace', title: alt.safety === 'unsafe' ? `${title} (unsafe: ${alt.risk ?? 'review the change'})` : title, safety: alt.safety, edits }];
}
