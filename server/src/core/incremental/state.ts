/**
 * What an analysis keeps for the next one of the same document (the language server's DocumentSession), and
 * the edit between them in lines: directives moved in place when the edit cannot have changed any.
 */
import { lowerBound } from '../bisect';
import type { MinContrib } from '../facts/minimum';
import type { ProjectState } from '../facts/project';
import type { PositionMap } from '../position';
import type { Directive, PreprocResult } from '../preproc';
import type { Finding } from '../types';

/** What the language server's session keeps between two analyses of one document (see DocumentSession). */
export interface IncrementalState {
  text: string;
  lineCount: number;
  /** Everything besides the text that the findings of the lexical pass depend on ('' = never reuse). */
  key: string;
  directives: Directive[];
  /** The preprocessor evaluations, for the target in `ppKey`. */
  ppKey: string;
  pp: PreprocResult[];
  /** Findings of the lexical pass, before suppression, in line order. */
  scanned: Finding[];
  /** Those of them spanning lines, and the lines other findings' fixes edit beyond their own line (sorted). */
  multiLine: Finding[];
  editLines: number[];
  /** In line order, and counted by name (the file's minimum is found among names, not uses). */
  minContrib: MinContrib[];
  minCounts: Map<string, { minor: number; count: number }>;
  /** Words whose occurrences anywhere the kept findings' fixes depend on: an edit whose old or new text holds
   *  one is analysed over the whole file. */
  watched: Set<string>;
  /** What the project's declarations make of each name asked about. */
  memo: Map<string, ProjectState>;
}

export interface IncrementalInput {
  prev?: IncrementalState;
  /** The edited span of the current text since `prev` ([start, end) in current offsets) and the length change. */
  dirty?: { start: number; end: number; delta: number } | null;
}

/** What an incremental analysis reused, and the state for the next one. */
export interface Reuse {
  next: IncrementalState;
  /** This analysis rescanned only the edited region. */
  regional: boolean;
  /** The directives and #if evaluations were carried over (moved) instead of recomputed. */
  directivesKept: boolean;
}

/** An edit between two analyses, in lines: old lines [firstLine, lastOldLine] became [firstLine, lastNewLine]. */
export interface LineEdit {
  firstLine: number;
  lastOldLine: number;
  lastNewLine: number;
  lineDelta: number;
  delta: number;
  /** Offset in both texts of the first edited line's start; end of the last edited line, old and new. */
  startOffset: number;
  oldEnd: number;
  newEnd: number;
}

export function lineEditOf(prev: IncrementalState, dirty: { start: number; end: number; delta: number }, text: string, pos: PositionMap): LineEdit {
  const firstLine = pos.position(dirty.start).line;
  const lastNewLine = pos.position(dirty.end).line;
  const lineDelta = pos.lineCount - prev.lineCount;
  const nl = text.indexOf('\n', dirty.end);
  const newEnd = nl < 0 ? text.length : nl;
  return { firstLine, lastNewLine, lastOldLine: lastNewLine - lineDelta, lineDelta, delta: dirty.delta, startOffset: pos.starts[firstLine], oldEnd: newEnd - dirty.delta, newEnd };
}

/**
 * The previous directives moved past an edit, when the edit cannot have changed any: no directive on the
 * edited lines, and neither the old nor the new lines hold a `#`, a backslash or a comment delimiter. The
 * directive objects are moved in place (the session owns them; the kept #if evaluations refer to them).
 */
export function movedDirectives(prev: IncrementalState, edit: LineEdit, text: string): Directive[] | null {
  const risky = /[#\\]|\/\*|\*\//;
  if (risky.test(text.slice(edit.startOffset, edit.newEnd)) || risky.test(prev.text.slice(edit.startOffset, edit.oldEnd))) return null;
  const ds = prev.directives;
  // the first directive ending at or after the first edited line
  const lo = lowerBound(ds.length, (i) => ds[i].endLine < edit.firstLine);
  if (lo < ds.length && ds[lo].line <= edit.lastOldLine) return null;
  const { lineDelta, delta } = edit;
  for (let k = lo; k < ds.length; k++) {
    const d = ds[k];
    d.line += lineDelta;
    d.endLine += lineDelta;
    d.start += delta;
    d.end += delta;
    d.restStart += delta;
  }
  return ds;
}

