/** Offsets, lines and columns of a text (0-based lines, columns in UTF-16 units). */
import type { Range } from './types';

export function lineStarts(text: string): number[] {
  const out = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) out.push(i + 1);
  return out;
}

/** The offset where the line holding `offset` starts. (Not `lastIndexOf('\n', offset - 1) + 1` alone: at
 *  offset 0 that is lastIndexOf from 0, which finds a newline at 0 and says 1: found by the incremental fuzz.) */
export const lineStartAt = (text: string, offset: number): number => (offset <= 0 ? 0 : text.lastIndexOf('\n', offset - 1) + 1);

export class PositionMap {
  readonly starts: number[];
  /** `starts`: the line starts of `text` when the caller keeps them (the session updates them per edit). */
  constructor(
    readonly text: string,
    starts?: number[],
  ) {
    this.starts = starts ?? lineStarts(text);
  }
  position(offset: number): { line: number; character: number } {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: offset - this.starts[lo] };
  }
  range(start: number, end: number): Range {
    return { start: this.position(start), end: this.position(end) };
  }
  offset(line: number, character: number): number {
    return (this.starts[Math.min(line, this.starts.length - 1)] ?? 0) + character;
  }
  /** A position made valid for the text: the line within the document, the column within the line (any
   *  number a client sends, huge, negative or fractional, lands on a real place). */
  clamp(p: { line: number; character: number }): { line: number; character: number } {
    const line = Math.max(0, Math.min(Math.floor(Number(p.line)) || 0, this.starts.length - 1));
    const lineEnd = line + 1 < this.starts.length ? this.starts[line + 1] - 1 : this.text.length;
    const character = Math.max(0, Math.min(Math.floor(Number(p.character)) || 0, lineEnd - this.starts[line]));
    return { line, character };
  }
  get lineCount(): number {
    return this.starts.length;
  }
}
