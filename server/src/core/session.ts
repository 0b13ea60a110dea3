/**
 * The incremental form of lint() for the language server: one session per open document keeps the text and
 * its tree, applies editor changes to both (tree.edit + re-parse with the old tree), and analyses on demand.
 */
import { loadCatalog } from './catalog';
import { analyze, emptyResult, failed, isTooLarge, settingsOf, tooLarge, type Analysis, type IncrementalInput, type IncrementalState, type LintOptions } from './lint';
import { PositionMap } from './position';
import { Edit, initParser, type Tree } from './parser';
import type { LintResult, Range } from './types';

export interface TextChange {
  /** Absent: the whole text is replaced. */
  range?: Range;
  text: string;
}

function pointAfter(start: { row: number; column: number }, text: string): { row: number; column: number } {
  const lines = text.split('\n');
  if (lines.length === 1) return { row: start.row, column: start.column + text.length };
  return { row: start.row + lines.length - 1, column: lines[lines.length - 1].length };
}

/** A change the session refuses (the document is then out of step with the editor until a full text arrives). */
export class InvalidChange extends Error {}

const validPosition = (p: unknown): boolean => {
  const q = p as { line?: unknown; character?: unknown } | null | undefined;
  return !!q && Number.isSafeInteger(q.line) && Number.isSafeInteger(q.character) && (q.line as number) >= 0 && (q.character as number) >= 0;
};

export class DocumentSession {
  private tree: Tree | null = null;
  private dirty = true;
  private disposed = false;
  /** The previous analysis's lexical findings, and what changed in the text since. */
  private incState: IncrementalState | undefined;
  private edited: { start: number; end: number; delta: number } | null = null;
  /** Line starts of the current text, updated per edit (a 16k-line file is not rescanned per keystroke). */
  private lineStarts: number[] | null = null;
  private mayHaveNul = true;
  /** Whether the last lint() rescanned only the edited region (for tests and the benchmark). */
  lastWasRegional = false;
  /** Whether the last lint() moved the previous directives and #if results instead of recomputing them. */
  lastKeptDirectives = false;
  /** Time of the last (re-)parse, ms. */
  lastParseMs = 0;

  constructor(
    readonly path: string,
    private textValue: string,
  ) {}

  get text(): string {
    return this.textValue;
  }

  /** The text as analysed: NUL bytes read as spaces (looked for only when an edit may have brought one). */
  private parseText(): string {
    if (this.mayHaveNul) {
      this.mayHaveNul = this.textValue.includes('\0');
      if (this.mayHaveNul) return this.textValue.replace(/\0/g, ' ');
    }
    return this.textValue;
  }

  private starts(): number[] {
    this.lineStarts ??= new PositionMap(this.textValue).starts;
    return this.lineStarts;
  }

  /** The current text's positions (line starts kept by the session). */
  get positions(): PositionMap {
    return new PositionMap(this.textValue, this.starts());
  }

  /**
   * Applies editor changes in order (LSP incremental sync semantics). A change whose range is not made of
   * whole, non-negative numbers (a line of 1.5, a string) is refused before anything is applied: InvalidChange.
   */
  applyChanges(changes: TextChange[]): void {
    for (const ch of changes) {
      if (typeof ch?.text !== 'string') throw new InvalidChange('a change without text');
      if (ch.range !== undefined && !(validPosition(ch.range?.start) && validPosition(ch.range?.end))) throw new InvalidChange(`a change with an invalid range ${JSON.stringify(ch.range).slice(0, 120)}`);
    }
    for (const ch of changes) {
      if (!ch.range) {
        this.incState = undefined;
        this.edited = null;
        this.lineStarts = null;
        this.mayHaveNul = true;
        this.textValue = ch.text;
        this.tree?.delete();
        this.tree = null;
        this.dirty = true;
        continue;
      }
      const pos = new PositionMap(this.textValue, this.starts());
      const clampLine = (l: number): number => Math.max(0, Math.min(l, pos.lineCount - 1));
      const off = (p: { line: number; character: number }): number => {
        const line = clampLine(p.line);
        const lineEnd = line + 1 < pos.lineCount ? pos.starts[line + 1] - 1 : this.textValue.length;
        return Math.min(pos.starts[line] + Math.max(0, p.character), lineEnd);
      };
      const start = off(ch.range.start);
      const end = Math.max(start, off(ch.range.end));
      const startPos = pos.position(start);
      const endPos = pos.position(end);
      // line starts after the edit, updated in place (the session owns them): those of the inserted text
      // replace the edited lines', and the later ones move (no rescan of the text, no new array per keystroke)
      const inserted: number[] = [];
      for (let k = ch.text.indexOf('\n'); k >= 0; k = ch.text.indexOf('\n', k + 1)) inserted.push(start + k + 1);
      const d = ch.text.length - (end - start);
      const starts = pos.starts;
      const removed = endPos.line - startPos.line;
      if (inserted.length > 4096) {
        // (a large paste: a new array, as spreading it into splice() would exceed the argument limit)
        const tail = starts.slice(endPos.line + 1).map((x) => x + d);
        this.lineStarts = starts.slice(0, startPos.line + 1).concat(inserted, tail);
      } else {
        if (removed || inserted.length) starts.splice(startPos.line + 1, removed, ...inserted);
        for (let k = startPos.line + 1 + inserted.length; k < starts.length; k++) starts[k] += d;
      }
      this.textValue = this.textValue.slice(0, start) + ch.text + this.textValue.slice(end);
      if (ch.text.includes('\0')) this.mayHaveNul = true;
      // the edited span in current offsets, merged with earlier edits since the last analysis
      const delta = ch.text.length - (end - start);
      const newEnd = start + ch.text.length;
      if (!this.edited) this.edited = { start, end: newEnd, delta };
      else {
        const d = this.edited;
        const shiftedEnd = end <= d.end ? d.end + delta : d.end;
        this.edited = { start: Math.min(d.start, start), end: Math.max(shiftedEnd, newEnd), delta: d.delta + delta };
      }
      if (this.tree) {
        const startPoint = { row: startPos.line, column: startPos.character };
        this.tree.edit(
          new Edit({
          startIndex: start,
          oldEndIndex: end,
          newEndIndex: start + ch.text.length,
          startPosition: startPoint,
          oldEndPosition: { row: endPos.line, column: endPos.character },
          newEndPosition: pointAfter(startPoint, ch.text),
          }),
        );
      }
      this.dirty = true;
    }
  }

  /** Re-parses if needed (incrementally when a tree exists) and returns the current tree. */
  async parse(): Promise<Tree | null> {
    if (this.disposed) return null;
    if (!this.dirty && this.tree) return this.tree;
    if (isTooLarge(this.textValue)) {
      this.tree?.delete();
      this.tree = null;
      this.dirty = false;
      return null;
    }
    const { parser } = await initParser();
    const t0 = performance.now();
    const next = parser.parse(this.parseText(), this.tree ?? null);
    this.lastParseMs = performance.now() - t0;
    if (this.tree && next && this.tree !== next && this.edited) {
      // where the syntax changed beyond the edited text (an edit that breaks a struct turns its members into
      // other nodes): the analysis looks again there too (found by the incremental fuzz)
      for (const r of this.tree.getChangedRanges(next)) {
        this.edited = { start: Math.min(this.edited.start, r.startIndex), end: Math.max(this.edited.end, r.endIndex), delta: this.edited.delta };
      }
    }
    if (this.tree && this.tree !== next) this.tree.delete();
    this.tree = next ?? null;
    this.dirty = false;
    return this.tree;
  }

  /** Analyses the current text, reusing the previous analysis outside the edited region. */
  async lint(opts: LintOptions = {}): Promise<LintResult> {
    const big = tooLarge(this.path, this.textValue);
    if (big) return big;
    const result = emptyResult(this.path);
    try {
      await this.parse(); // (first: the re-parse widens the edited span where the syntax changed beyond it)
      const { result: r, reuse } = await this.analyzeTree(opts, result, { prev: this.incState, dirty: this.edited });
      this.incState = reuse?.next;
      this.edited = null;
      this.lastWasRegional = !!reuse?.regional;
      this.lastKeptDirectives = !!reuse?.directivesKept;
      return r;
    } catch (e) {
      // the kept state may be half-updated: the next analysis starts afresh
      this.incState = undefined;
      this.edited = null;
      return failed(result, e);
    }
  }

  /**
   * A full analysis of the current tree, reusing nothing and leaving the incremental state alone: the oracle
   * the incremental form is fuzzed against. (A fresh parse of erroneous code can recover differently from an
   * incremental one, so a fresh lint() is not the oracle for fix details in broken code.)
   */
  async lintFull(opts: LintOptions = {}): Promise<LintResult> {
    return (await this.analyzeTree(opts, emptyResult(this.path), undefined)).result;
  }

  private async analyzeTree(opts: LintOptions, result: LintResult, incremental: IncrementalInput | undefined): Promise<Analysis> {
    const tree = await this.parse();
    if (!tree) return { result };
    result.timing.parse = this.lastParseMs;
    return analyze({ path: this.path, text: this.parseText() }, tree, loadCatalog(), settingsOf(opts), { ...opts, incremental, lineStarts: this.starts() }, result);
  }

  dispose(): void {
    this.disposed = true;
    this.tree?.delete();
    this.tree = null;
  }
}
