/**
 * Reading C initializers and statements by tokens (the one C lexer), for the migrations: where a braced
 * initializer ends, its top-level elements (designated or positional), the statement around an offset.
 */
import { COMMENT, EOF, HASH, IDENT, Lexer, NEWLINE, PUNCT, STRING } from '../lexer';

export interface InitElement {
  /** `.tp_name = …`: the designator's field; null for a positional element. */
  field: string | null;
  /** The value's text, comments at its ends left out. */
  value: string;
  /** [start, end) of the whole element (designator included). */
  start: number;
  end: number;
}

export interface Initializer {
  elements: InitElement[];
  /** A `#if`/`#define` inside, other than conditionals balanced within one element's value: the elements depend
   *  on the build, and are not rewritten. */
  hasDirective: boolean;
}

/** A lexer at the start of the line that holds `offset` (callers skip the tokens before `offset`). */
function lexerAt(text: string, offset: number): Lexer {
  return new Lexer(text, text.lastIndexOf('\n', offset - 1) + 1);
}

/** The offset just past the `}` that closes the `{` at `open`, or -1. */
export function matchingBrace(text: string, open: number): number {
  const lx = lexerAt(text, open);
  let depth = 0;
  for (let k = lx.next(); k !== EOF; k = lx.next()) {
    if (lx.start < open || k !== PUNCT) continue;
    const c = text.charCodeAt(lx.start);
    if (c === 123) depth++;
    else if (c === 125 && --depth === 0) return lx.end;
  }
  return -1;
}

/** A head macro (`PyVarObject_HEAD_INIT(NULL, 0)`) expands to a braced element and its own comma. */
const HEAD_INIT = /^(PyVarObject_HEAD_INIT|PyObject_HEAD_INIT)$/;

/** The top-level elements of the braced initializer [open, close) (`close` just past its `}`). */
export function splitInitializer(text: string, open: number, close: number): Initializer {
  const lx = lexerAt(text, open);
  const elements: InitElement[] = [];
  let depth = 0;
  let first = -1;
  let last = -1;
  let headCall = false;
  let hasDirective = false;
  // conditionals inside the element being read (`#ifdef Py_TPFLAGS_MAPPING` between two flags): its value keeps
  // them, each on its own line
  let conditionals = 0;
  let directiveEnd = -1;
  const flush = (): void => {
    if (first >= 0) {
      let raw = text.slice(first, last);
      const d = /^\.\s*([A-Za-z_]\w*)\s*=\s*/.exec(raw);
      if (conditionals !== 0) hasDirective = true;
      // (a value that ends in a directive line ends with its newline: whatever follows it starts a new line)
      if (/\n[ \t]*#[^\n]*$/.test(raw)) raw += '\n';
      elements.push({ field: d ? d[1] : null, value: d ? raw.slice(d[0].length) : raw, start: first, end: last });
    }
    first = last = -1;
    conditionals = 0;
  };
  for (let k = lx.next(); k !== EOF && lx.start < close; k = lx.next()) {
    if (lx.start < open || k === COMMENT || k === NEWLINE) continue;
    if (lx.start < directiveEnd) {
      last = Math.max(last, lx.end);
      continue;
    }
    if (k === HASH) {
      const word = /^[ \t]*(\w*)/.exec(text.slice(lx.end, lx.end + 40))?.[1] ?? '';
      directiveEnd = directiveLineEnd(text, lx.start);
      if (first < 0 || depth !== 1 || !/^(if|ifdef|ifndef|elif|else|endif)$/.test(word)) hasDirective = true;
      else conditionals += word.startsWith('if') ? 1 : word === 'endif' ? -1 : 0;
      if (first >= 0) last = directiveEnd;
      continue;
    }
    const c = text.charCodeAt(lx.start);
    if (k === PUNCT && (c === 123 || c === 40 || c === 91)) {
      depth++;
      if (depth === 1) continue;
    } else if (k === PUNCT && (c === 125 || c === 41 || c === 93)) {
      depth--;
      if (depth === 0) break;
      if (depth === 1 && headCall && c === 41) {
        last = lx.end;
        headCall = false;
        flush();
        continue;
      }
    } else if (depth === 1 && k === PUNCT && c === 44) {
      flush();
      continue;
    }
    if (depth === 1 && first < 0 && k === IDENT && HEAD_INIT.test(text.slice(lx.start, lx.end))) headCall = true;
    if (first < 0) first = lx.start;
    last = lx.end;
  }
  flush();
  return { elements, hasDirective };
}

/** The end of the directive line that starts at `hash` (backslash continuations included), before its newline. */
function directiveLineEnd(text: string, hash: number): number {
  let i = hash;
  for (;;) {
    const nl = text.indexOf('\n', i);
    if (nl < 0) return text.length;
    if (text[nl - 1] !== '\\' && !(text[nl - 1] === '\r' && text[nl - 2] === '\\')) return text[nl - 1] === '\r' ? nl - 1 : nl;
    i = nl + 1;
  }
}

/** [start, end) of the statement (up to its `;`) that contains `offset`, within [from, to). */
export function statementAround(text: string, offset: number, from: number, to: number): { start: number; end: number } | null {
  const lx = lexerAt(text, from);
  let start = -1;
  let depth = 0;
  for (let k = lx.next(); k !== EOF && lx.start < to; k = lx.next()) {
    if (lx.start < from || k === COMMENT || k === NEWLINE) continue;
    const c = text.charCodeAt(lx.start);
    if (start < 0 && !(k === PUNCT && (c === 123 || c === 125 || c === 59))) start = lx.start;
    if (k === PUNCT && c === 40) depth++;
    else if (k === PUNCT && c === 41) depth--;
    if (k === PUNCT && depth === 0 && (c === 59 || c === 123 || c === 125)) {
      if (start >= 0 && offset >= start && offset < lx.end) return c === 59 ? { start, end: lx.end } : null;
      start = -1;
    }
  }
  return null;
}

/** Occurrences of `&NAME` as tokens (not in comments or strings, not the second `&` of `&&`) outside `ranges`:
 *  from the `&` to the end of the name. */
export function addressesOf(text: string, name: string, ranges: { start: number; end: number }[]): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  const lx = new Lexer(text);
  let amp = -1;
  for (let k = lx.next(); k !== EOF; k = lx.next()) {
    if (k === COMMENT || k === NEWLINE) continue;
    if (k === IDENT && amp >= 0 && text.slice(lx.start, lx.end) === name) {
      const at = amp;
      if (!ranges.some((r) => at >= r.start && at < r.end)) out.push({ start: at, end: lx.end });
    }
    amp = k === PUNCT && text.charCodeAt(lx.start) === 38 && text.charCodeAt(lx.start + 1) !== 38 && text.charCodeAt(lx.start - 1) !== 38 ? lx.start : -1;
    if (k === STRING) amp = -1;
  }
  return out;
}

/** Drops C casts in front of a value: `(destructor)X_dealloc` → `X_dealloc`. */
const CAST = /^\(\s*(?:const\s+|struct\s+)?[A-Za-z_]\w*(?:\s+[A-Za-z_]\w*)*\s*\**\s*\)\s*(?=[A-Za-z_&(])/;
export function stripCasts(value: string): string {
  let v = value.trim();
  for (let m = CAST.exec(v); m; m = CAST.exec(v)) v = v.slice(m[0].length);
  return v;
}

/** A value that leaves the field empty: `0`, `NULL`, `0L`, `(void *)0`. */
export const isNull = (value: string): boolean => /^(?:0[uUlL]*|NULL|\(\s*\w+\s*\*?\s*\)\s*(?:0|NULL))$/.test(value.trim());
