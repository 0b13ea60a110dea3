/**
 * Regional reuse: after an edit, the lexical pass runs over the top-level syntax nodes the edit touched; the
 * previous findings and minimum contributions outside them are kept (those below moved by the edit's line
 * change), unless something makes the region's edges unsafe.
 */
import { lowerBound } from '../bisect';
import type { MinContrib } from '../facts/minimum';
import type { Node, Tree } from '../parser';
import { lineStartAt, type PositionMap } from '../position';
import type { Finding, Range } from '../types';
import type { IncrementalState, LineEdit } from './state';

export interface Region {
  start: number;
  end: number;
  /** End of the region in the previous text. */
  oldEnd: number;
  startLine: number;
  /** Last line of the region in the previous text. */
  lastOld: number;
  keptBefore: Finding[];
  keptAfter: Finding[];
  multiLine: Finding[];
  editLines: number[];
  minBefore: MinContrib[];
  minAfter: MinContrib[];
}

/** A finding of the lexical pass after lines past `after` moved by `lineDelta`. */
export function moveLines(f: Finding, after: number, lineDelta: number): Finding {
  const mv = (r: Range): Range =>
    r.end.line > after
      ? { start: r.start.line > after ? { line: r.start.line + lineDelta, character: r.start.character } : r.start, end: { line: r.end.line + lineDelta, character: r.end.character } }
      : r;
  return { ...f, range: mv(f.range), fixes: f.fixes.map((fx) => ({ ...fx, edits: fx.edits.map((e) => ({ range: mv(e.range), newText: e.newText })) })) };
}

/**
 * Whether the previous lexical pass can be reused outside the edited region, and that region: the top-level
 * syntax nodes the edit touched, widened to whole lines. Null means: do the whole pass. Findings and minimum
 * contributions outside the region are kept, those below it moved by the edit's line change.
 */
export function reusableRegion(text: string, tree: Tree, pos: PositionMap, prev: IncrementalState, edit: LineEdit, dirty: { start: number; end: number; delta: number }): Region | null {
  const [start, end] = regionBounds(text, tree, dirty);
  // a line continued into or out of the region could change how its first or last line reads
  if (start >= 2 && /\\\r?$/.test(text.slice(lineStartAt(text, start - 1), start - 1))) return null;
  if (/\\\r?$/.test(text.slice(lineStartAt(text, end), end))) return null;
  if (text.slice(start, end).includes('abi3lint:')) return null;
  if (touchesWatched(prev, text.slice(start, end), prev.text.slice(start, end - dirty.delta))) return null;
  // the lexical pass starts the region in code: not inside a block comment opened before it (an unterminated
  // `/*` is a comment to the end for the lexical pass, but an error node that ends early in the tree)
  const opener = text.lastIndexOf('/*', start - 1);
  if (opener >= 0) {
    const closer = text.indexOf('*/', opener + 2);
    if (closer < 0 || closer + 2 > start) return null;
  }
  const startLine = pos.position(start).line;
  const lastOld = pos.position(end).line - edit.lineDelta;
  if (!regionIsolated(prev, startLine, lastOld)) return null;
  return { start, end, oldEnd: end - dirty.delta, startLine, lastOld, ...keptOutside(prev, startLine, lastOld, edit.lineDelta) };
}

/** Whether the region's old or new text holds a word some kept finding's fixes depend on. */
function touchesWatched(prev: IncrementalState, now: string, old: string): boolean {
  for (const w of prev.watched) {
    const re = new RegExp(`\\b${w}\\b`);
    if (re.test(now) || re.test(old)) return true;
  }
  return false;
}

/** The top-level syntax nodes the edit touched, widened to whole lines: [start, end) of the text. */
function regionBounds(text: string, tree: Tree, dirty: { start: number; end: number }): [number, number] {
  const root = tree.rootNode;
  let start = dirty.start;
  let end = dirty.end;
  // the top-level nodes touching the edited span: found by index, not by walking every top-level node
  let node: Node | null = root.firstChildForIndex(dirty.start);
  const before = node ? node.previousSibling : root.lastChild;
  if (before && before.endIndex >= dirty.start) node = before;
  for (let guard = 0; node && node.startIndex <= dirty.end && guard < 100000; guard++) {
    start = Math.min(start, node.startIndex);
    end = Math.max(end, node.endIndex);
    node = node.nextSibling;
  }
  start = lineStartAt(text, start);
  // a comment (or any node) ending on the region's first line starts the region
  for (let guard = 0; start > 0 && guard < 8; guard++) {
    const inside = root.descendantForIndex(start, start);
    if (!inside || inside.startIndex >= start || inside.type === 'translation_unit') break;
    let top: Node = inside;
    while (top.parent && top.parent.type !== 'translation_unit') top = top.parent;
    if (top.startIndex >= start) break;
    start = lineStartAt(text, top.startIndex);
  }
  const nl = text.indexOf('\n', end);
  end = nl < 0 ? text.length : nl;
  return [start, end];
}

/** Whether no kept finding spans the region's edge and no fix of a finding elsewhere edits the region. */
function regionIsolated(prev: IncrementalState, startLine: number, lastOld: number): boolean {
  for (const f of prev.multiLine) {
    if (f.range.start.line <= lastOld && f.range.end.line >= startLine) return false; // spans the region's edge
  }
  const el = prev.editLines;
  for (let lo = 0, hi = el.length; lo < hi; ) {
    const mid = (lo + hi) >> 1;
    if (el[mid] < startLine) lo = mid + 1;
    else if (el[mid] > lastOld) hi = mid;
    else return false; // a fix of a finding elsewhere edits the region
  }
  return true;
}

/** The previous findings and minimum contributions outside the region: before it kept, after it moved. */
function keptOutside(prev: IncrementalState, startLine: number, lastOld: number, ld: number): Omit<Region, 'start' | 'end' | 'oldEnd' | 'startLine' | 'lastOld'> {
  const el = prev.editLines;
  // the others sit on one line with their fixes: those starting before the region are kept, those after moved
  const firstAt = <T>(xs: T[], line: (x: T) => number, min: number): number => lowerBound(xs.length, (i) => line(xs[i]) < min);
  const sc = prev.scanned;
  const fLine = (f: Finding): number => f.range.start.line;
  const a = firstAt(sc, fLine, startLine);
  const b = firstAt(sc, fLine, lastOld + 1);
  const editsAfter = (f: Finding): boolean => f.fixes.some((fx) => fx.edits.some((e) => e.range.end.line > lastOld));
  const keptBefore = ld ? sc.slice(0, a).map((f) => (editsAfter(f) ? moveLines(f, lastOld, ld) : f)) : sc.slice(0, a);
  const keptAfter = ld ? sc.slice(b).map((f) => moveLines(f, lastOld, ld)) : sc.slice(b);
  const multiLine = prev.multiLine.map((f) => (ld && f.range.end.line > lastOld ? moveLines(f, lastOld, ld) : f));
  const editLines = ld ? el.map((l) => (l > lastOld ? l + ld : l)) : el;
  const mc = prev.minContrib;
  const cLine = (c: MinContrib): number => c.line;
  const minBefore = mc.slice(0, firstAt(mc, cLine, startLine));
  const rest = mc.slice(firstAt(mc, cLine, lastOld + 1));
  const minAfter = ld ? rest.map((c) => ({ ...c, line: c.line + ld })) : rest;
  return { keptBefore, keptAfter, multiLine, editLines, minBefore, minAfter };
}

