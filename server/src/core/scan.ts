/**
 * The lexical pass: one walk over the tokens of the one C lexer that turns the text into events for the rules.
 * Names the data knows and `->member` / `.member` accesses become events; directives are read for their
 * names (`#define X`, `#include <...>`) and otherwise skipped (conditions are not uses of names); macro bodies
 * are code, with the macro's parameters excluded. The syntax tree is not walked: the rules ask it about the
 * few positions that need it.
 */
import { COMMENT, EOF, HASH, IDENT, Lexer, NEWLINE, PUNCT } from './lexer';

export interface ScanListener {
  /** Whether a name is worth an event (the data knows it); asked before anything else about it. */
  knows(name: string): boolean;
  /** False when the name at [start, end) is certainly not known: asked first, before the name is sliced. */
  mayKnow?(text: string, start: number, end: number): boolean;
  isInactive(line: number): boolean;
  /** A name the data knows, on an active line; `isCall`: followed by `(`; `inMacro`: in a `#define` body. */
  name(name: string, start: number, end: number, line: number, isCall: boolean, inMacro: boolean): void;
  /** `x->name` or `x.name` on an active line. */
  member(name: string, start: number, end: number, line: number, inMacro: boolean): void;
  /** `#include` with its `<...>` or `"..."` operand. */
  include(spec: string, start: number, end: number, line: number): void;
  /** The name a `#define` defines. */
  define(name: string, start: number, end: number, line: number): void;
  /** Every directive's `#` (for tests: the preprocessor's scanner must see the same directives). */
  directive?(start: number, line: number): void;
  /** Every comment (inactive code included): suppressions live there. */
  comment(start: number, end: number, endLine: number): void;
}

const C_KEYWORDS = new Set(
  'auto break case char const continue default do double else enum extern float for goto if inline int long register restrict return short signed sizeof static struct switch typedef union unsigned void volatile while defined'.split(' '),
);

const ARROW = 1;
const PASTE = 2;

/** Scans [from, to) of `text` (`from` a line start on line `fromLine`), sending events to `on`. */
export function scan(text: string, on: ScanListener, from = 0, to = text.length, fromLine = 0): void {
  const lx = new Lexer(text, from, to, fromLine);
  // the last significant token of the line, as a punctuation code (0: not punctuation), and where it starts
  let prev = 0;
  let prevAt = -1;
  // the directive being read: 'skip' (conditions, includes, pragmas), 'define' (a macro body) or none
  let dir: 'none' | 'skip' | 'define' = 'none';
  let params: Set<string> | null = null;
  for (let t = lx.next(); t !== EOF; t = lx.next()) {
    if (t === NEWLINE) {
      // (what came before a line does not make its first name a member: a regional pass starts at a line
      // start and must read the line as a whole-file pass does; found by the incremental fuzz)
      dir = 'none';
      prev = 0;
      continue;
    }
    if (t === COMMENT) {
      on.comment(lx.start, lx.end, lx.line);
      continue;
    }
    const start = lx.start;
    const end = lx.end;
    const line = lx.tokLine;
    if (t === HASH) {
      on.directive?.(start, line);
      const k = lx.next();
      if (k === NEWLINE || k === EOF) continue;
      const name = k === IDENT ? text.slice(lx.start, lx.end) : '';
      if (name === 'define') {
        params = readDefine(lx, text, on);
        dir = 'define';
      } else {
        if (name === 'include' && !on.isInactive(line)) readInclude(text, lx.end, line, on);
        dir = 'skip';
      }
      if (lx.end > lx.start && text.charCodeAt(lx.end - 1) === 10) dir = 'none'; // (the directive ended already)
      prev = 0;
      continue;
    }
    if (dir === 'skip') continue;
    if (t !== IDENT) {
      prev = t === PUNCT ? punctCode(text, start, end) : 0;
      prevAt = start;
      continue;
    }
    const before = prev;
    prev = 0;
    const member = before === ARROW || before === 46;
    if (!member && on.mayKnow && !on.mayKnow(text, start, end)) continue; // (most names: no string made)
    const name = text.slice(start, end);
    const inMacro = dir === 'define';
    if (inMacro && (params!.has(name) || name === '__VA_ARGS__')) continue;
    if (member) {
      // member access `->name` / `.name`, not a designator (`{ .name =`, `, .name =`, `( .name`, `= .name`)
      if (before === 46 && isDesignatorDot(text, prevAt)) continue;
      if (!on.isInactive(line)) on.member(name, start, end, line, inMacro);
      continue;
    }
    if (!on.knows(name) || C_KEYWORDS.has(name) || on.isInactive(line)) continue;
    if (inMacro && (before === 35 || before === PASTE)) continue; // `#x` stringizes, `a##x` pastes
    let q = end;
    while (q < to && (text.charCodeAt(q) === 32 || text.charCodeAt(q) === 9)) q++;
    on.name(name, start, end, line, text.charCodeAt(q) === 40, inMacro);
  }
}

/** Whether the `.` at `dot` starts a designator: the text before it (across lines and spaces, as the text
 *  reads, so a regional pass decides as a whole-file one does) ends in `{`, `,`, `=` or `(`. */
function isDesignatorDot(text: string, dot: number): boolean {
  let q = dot - 1;
  while (q >= 0 && /\s/.test(text[q])) q--;
  const c = text.charCodeAt(q);
  return c === 123 || c === 44 || c === 61 || c === 40;
}

function punctCode(text: string, start: number, end: number): number {
  if (end - start === 2) return text.charCodeAt(start) === 45 ? ARROW : PASTE;
  return text.charCodeAt(start);
}

/** After `#define`: the macro's name (an event), then its parameters when a `(` follows the name at once. */
function readDefine(lx: Lexer, text: string, on: ScanListener): Set<string> {
  const params = new Set<string>();
  const k = lx.next();
  if (k !== IDENT) return params;
  const nameEnd = lx.end;
  const line = lx.tokLine;
  if (!on.isInactive(line)) on.define(text.slice(lx.start, nameEnd), lx.start, nameEnd, line);
  if (text.charCodeAt(nameEnd) !== 40) return params;
  // the parameter list ends at `)`, or with the directive (an unterminated list must not swallow later code)
  lx.next(); // (
  for (let t = lx.next(); t !== EOF; t = lx.next()) {
    if (t === IDENT) params.add(text.slice(lx.start, lx.end));
    else if (t === NEWLINE || (t === PUNCT && text.charCodeAt(lx.start) === 41)) break;
  }
  return params;
}

function readInclude(text: string, from: number, line: number, on: ScanListener): void {
  const m = /^[ \t]*([<"][^>"\n]*[>"])/.exec(text.slice(from, from + 300));
  if (!m) return;
  const s = from + m[0].length - m[1].length;
  on.include(m[1], s, s + m[1].length, line);
}

/** The directives the lexical pass meets (offset of `#` and line): the preprocessor's scanner must find the
 *  same ones (checked by the tests and the fuzzer). */
export function directivesMet(text: string): { start: number; line: number }[] {
  const out: { start: number; line: number }[] = [];
  const none = (): void => undefined;
  scan(text, { knows: () => false, isInactive: () => false, name: none, member: none, include: none, define: none, comment: none, directive: (start, line) => out.push({ start, line }) });
  return out;
}
