/**
 * A call read from the text alone, when it is plainly written: the name, `(`, arguments with balanced
 * parentheses and no brace, semicolon or directive among them, `)`. The rules that look at a call's arguments
 * (format strings, literal arguments) read it this way first to learn whether the call can matter at all; only
 * a call that can is looked up in the tree, so that most files are never parsed (see LazyTree).
 *
 * The answer is only ever used to rule a call out: a call that reads differently in the tree (error recovery,
 * a call inside a comment or a macro body) is asked of the tree whenever the text leaves it possible.
 */
import { lowerBound } from './bisect';
import { COMMENT, EOF, HASH, IDENT, Lexer, NEWLINE, PUNCT } from './lexer';

/** An argument's range [start, end), comments and surrounding space excluded. */
export interface ArgRange {
  start: number;
  end: number;
}

/** How far from its line's start a name, and from the name its `)`, may be: past that the tree is asked (a
 *  minified line of calls, or an unclosed `(` each, would otherwise be read again for every call). */
const MAX_LINE_PREFIX = 4096;
const MAX_CALL_LENGTH = 4096;

/** The last line start found: the calls of a file are asked in order, so each search stops where the last began
 *  (a minified line of calls is not searched again for each). */
let memo: { text: string; at: number; lineStart: number } | null = null;

function lineStartOf(text: string, at: number): number {
  const from = memo && memo.text === text && memo.at <= at ? memo.at : 0;
  let q = at;
  while (q > from && text.charCodeAt(q - 1) !== 10) q--;
  const lineStart = q > from || text.charCodeAt(q - 1) === 10 || q === 0 ? q : memo!.lineStart;
  memo = { text, at, lineStart };
  return lineStart;
}

/** After this many calls of one text read to their bound without an answer, the text's parentheses are matched
 *  once (`unclosedAt`): a file of unclosed calls read 4 kB ahead for each of them (150k lines: 6 s). */
const BOUND_HITS_BEFORE_MATCHING = 8;

/** Per text: how many reads reached the bound, and once matched, the `(` offsets that close nowhere plainly. */
let reads: { text: string; boundHits: number; opens: number[] | null; closes: Int32Array | null } | null = null;

/**
 * Every `(` of the text in order with where it closes (-1: never, plainly: a `{`, `}`, `;`, a directive line or
 * the end comes first), read once from the start. Used only to rule a call out quicker: a read from a line's
 * start that disagrees (inside a comment that began lines before) can only have made the call ask the tree.
 */
function matchParens(text: string): { opens: number[]; closes: Int32Array } {
  const opens: number[] = [];
  const close: number[] = [];
  const stack: number[] = [];
  const lx = new Lexer(text, 0, text.length);
  for (let k = lx.next(); k !== EOF; k = lx.next()) {
    const c = k === PUNCT ? text.charCodeAt(lx.start) : k === HASH ? -1 : 0;
    if (c === 40) {
      stack.push(opens.length);
      opens.push(lx.start);
      close.push(-1);
    } else if (c === 41) {
      const i = stack.pop();
      if (i !== undefined) close[i] = lx.start;
    } else if (c === 123 || c === 125 || c === 59 || c === -1) stack.length = 0;
  }
  return { opens, closes: Int32Array.from(close) };
}

/** Whether the `(` at `paren` is known to close nowhere plainly (only once the text's parentheses were matched). */
function unclosedAt(text: string, paren: number): boolean {
  if (reads && reads.text !== text) reads = null; // (another text: compared once, not at every call)
  if (!reads || !reads.opens || !reads.closes) return false;
  const { opens, closes } = reads;
  const i = lowerBound(opens.length, (k) => opens[k] < paren);
  return opens[i] === paren && closes[i] < 0;
}

/** Whether this text's parentheses were matched (for tests). */
export function parensMatched(text: string): boolean {
  return !!reads && reads.text === text && reads.opens !== null;
}

/** A read of this text reached its bound: after a few, its parentheses are matched once. */
function boundHit(text: string): void {
  if (!reads) reads = { text, boundHits: 0, opens: null, closes: null };
  if (++reads.boundHits === BOUND_HITS_BEFORE_MATCHING) Object.assign(reads, matchParens(text));
}

/** The arguments of the call whose name is at [start, end), or null when it is not plainly written there. */
export function plainCallArguments(text: string, start: number, end: number): ArgRange[] | null {
  const lineStart = lineStartOf(text, start);
  if (start - lineStart > MAX_LINE_PREFIX) return null;
  const lx = new Lexer(text, lineStart, Math.min(text.length, end + MAX_CALL_LENGTH));
  let k = lx.next();
  while (k !== EOF && lx.start < start) k = lx.next();
  if (k !== IDENT || lx.start !== start || lx.end !== end) return null;
  do k = lx.next();
  while (k === COMMENT || k === NEWLINE);
  if (k !== PUNCT || text.charCodeAt(lx.start) !== 40 || unclosedAt(text, lx.start)) return null;
  const args: ArgRange[] = [];
  let depth = 0;
  let from = -1;
  let to = -1;
  for (k = lx.next(); k !== EOF; k = lx.next()) {
    if (k === HASH) return null;
    if (k === COMMENT || k === NEWLINE) continue;
    const c = k === PUNCT ? text.charCodeAt(lx.start) : 0;
    if (c === 123 || c === 125 || c === 59) return null; // { } ;
    if (depth === 0 && (c === 44 || c === 41)) {
      // , or the closing )
      if (from >= 0) args.push({ start: from, end: to });
      else if (c === 44 || args.length) return null; // an empty argument
      if (c === 41) return args;
      from = -1;
      continue;
    }
    if (c === 40) depth++;
    else if (c === 41) depth--;
    if (from < 0) from = lx.start;
    to = lx.end;
  }
  if (lx.end < text.length) boundHit(text);
  return null;
}
