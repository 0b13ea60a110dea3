/**
 * Definitions a conversion leaves unused, still naming API the Limited API hides: a macro of designated
 * `PyTypeObject` fields several types shared, a method table (`static PyMappingMethods T = {...};`) they shared.
 * Once the last of those types is converted nothing uses them; removing them keeps behaviour (safe). Only in a
 * source file: a header's macro or table may be used by files this analysis does not see.
 */
import type { Node, Tree } from '../parser';
import type { PositionMap } from '../position';
import type { Directive } from '../preproc';
import type { Fix } from '../types';
import { SUB_TABLES } from './heapType';

export const TABLE_TYPES: ReadonlySet<string> = new Set(Object.values(SUB_TABLES));

/** Occurrences of `name` as a word outside [start, end). */
function usedElsewhere(text: string, name: string, start: number, end: number): boolean {
  for (const m of text.matchAll(new RegExp(`\\b${name}\\b`, 'g'))) if (m.index! < start || m.index! >= end) return true;
  return false;
}

/** [start, end) of whole lines around [start, end), with the line break after (and the blank line after, when
 *  one is before too: no double blank line is left). */
function wholeLines(text: string, start: number, end: number): { start: number; end: number } {
  const s = text.lastIndexOf('\n', start - 1) + 1;
  const nl = text.indexOf('\n', end);
  let e = nl < 0 ? text.length : nl + 1;
  const blankAfter = /^[ \t]*\n/.exec(text.slice(e));
  if (blankAfter && /\n[ \t]*\n$/.test(text.slice(Math.max(0, s - 200), s))) e += blankAfter[0].length;
  return { start: s, end: e };
}

/** Whether the tree reads the directive [start, end) as one macro definition ending where it ends (where it reads
 *  the continued lines otherwise, broken code is around it: removing the lexer's span would leave the rest). */
function treeAgrees(tree: Tree, text: string, start: number, end: number): boolean {
  let n: Node | null = tree.rootNode.descendantForIndex(start);
  while (n && n.type !== 'preproc_def' && n.type !== 'preproc_function_def') n = n.parent;
  return !!n && n.startIndex === start && /^\s*$/.test(text.slice(end, Math.max(end, n.endIndex))) && n.endIndex >= end;
}

function unusedMacro(text: string, pos: PositionMap, tree: Tree, directives: Directive[], offset: number, watch: (word: string) => void): Fix | null {
  const d = directives.find((x) => x.name === 'define' && x.start <= offset && offset < x.end);
  const name = d && /^([A-Za-z_]\w*)/.exec(d.rest)?.[1];
  if (name) watch(name);
  if (!d || !name || usedElsewhere(text, name, d.start, d.end) || !treeAgrees(tree, text, d.start, d.end)) return null;
  const span = wholeLines(text, d.start, d.end);
  return { kind: 'replace', title: `Remove the unused macro ${name}`, safety: 'safe', edits: [{ range: pos.range(span.start, span.end), newText: '' }] };
}

function unusedTable(text: string, pos: PositionMap, tree: Tree, offset: number, watch: (word: string) => void): Fix | null {
  let n: Node | null = tree.rootNode.descendantForIndex(offset);
  while (n && n.parent && n.parent.type !== 'translation_unit') n = n.parent;
  if (!n || n.type !== 'declaration' || n.hasError || !n.children.some((c) => c?.type === 'storage_class_specifier' && c.text === 'static')) return null;
  const type = n.childForFieldName('type')?.text ?? '';
  const decls = n.namedChildren.filter((c) => c?.type === 'init_declarator');
  const name = decls.length === 1 ? decls[0]!.childForFieldName('declarator')?.text : undefined;
  if (name && /^\w+$/.test(name)) watch(name);
  if (!TABLE_TYPES.has(type) || !name || !/^\w+$/.test(name) || usedElsewhere(text, name, n.startIndex, n.endIndex)) return null;
  const span = wholeLines(text, n.startIndex, n.endIndex);
  return { kind: 'replace', title: `Remove the unused table ${name}`, safety: 'safe', edits: [{ range: pos.range(span.start, span.end), newText: '' }] };
}

/** The fix that removes an unused definition around `offset` (a finding inside it), if there is one. `watch`
 *  is told the definition's name: whether the fix is offered depends on its uses anywhere in the file. */
export function unusedDefinitionFix(path: string, text: string, pos: PositionMap, tree: Tree, directives: Directive[], offset: number, watch: (word: string) => void): Fix | null {
  if (!/\.c$/i.test(path)) return null;
  return unusedMacro(text, pos, tree, directives, offset, watch) ?? unusedTable(text, pos, tree, offset, watch);
}
