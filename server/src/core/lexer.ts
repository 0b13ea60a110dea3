/**
 * The one C lexer: comments, string and character literals, line splices (backslash-newline), directives,
 * identifiers, numbers and punctuation, as the C preprocessor sees them (translation phases 1–3). The
 * directive scanner (preproc.ts) and the lexical pass of the rules (scan.ts) both read the text through it,
 * so they cannot disagree on where a comment, a literal or a directive ends.
 *
 * It allocates nothing per token: `next()` returns the kind, and `start`/`end`/`tokLine` describe the token.
 */

/** Token kinds. */
export const EOF = 0;
/** A newline that is not spliced: it ends a directive. */
export const NEWLINE = 1;
/** `/* ... *\/` or `// ...` (a `//` comment continues over a line splice, as in C). */
export const COMMENT = 2;
/** A string or character literal (an unterminated one ends before its newline). */
export const STRING = 3;
/** The `#` that starts a directive (the first token of a logical line). */
export const HASH = 4;
export const IDENT = 5;
export const NUMBER = 6;
/** Punctuation: one character, or `->` and `##` as one token. */
export const PUNCT = 7;

export type TokenKind = typeof EOF | typeof NEWLINE | typeof COMMENT | typeof STRING | typeof HASH | typeof IDENT | typeof NUMBER | typeof PUNCT;

export const isIdStart = (c: number): boolean => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
export const isIdChar = (c: number): boolean => isIdStart(c) || (c >= 48 && c <= 57);
const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/** Length of a line splice at `i` (backslash, optional CR, LF), or 0. */
export function spliceAt(text: string, i: number): number {
  if (text.charCodeAt(i) !== 92) return 0;
  const d = text.charCodeAt(i + 1);
  if (d === 10) return 2;
  if (d === 13 && text.charCodeAt(i + 2) === 10) return 3;
  return 0;
}

export class Lexer {
  /** The current token: [start, end) and the line it starts on. */
  start = 0;
  end = 0;
  tokLine = 0;
  /** The line at the lexer's position (after the current token). */
  line: number;
  /** No token yet on this logical line (comments and splices do not count): a `#` here starts a directive. */
  private atLineStart = true;
  private pos: number;

  /** Reads [from, to) of `text`; `from` must be the start of a line, `line` its number. */
  constructor(
    readonly text: string,
    from = 0,
    readonly to = text.length,
    line = 0,
  ) {
    this.pos = from;
    this.line = line;
  }

  next(): TokenKind {
    const text = this.text;
    const n = this.to;
    let i = this.pos;
    for (;;) {
      if (i >= n) {
        this.start = this.end = this.pos = Math.max(i, this.pos);
        this.tokLine = this.line;
        return EOF;
      }
      const c = text.charCodeAt(i);
      if (c === 10) {
        this.start = i;
        this.end = this.pos = i + 1;
        this.tokLine = this.line++;
        this.atLineStart = true;
        return NEWLINE;
      }
      if (c === 32 || c === 9 || c === 13 || c === 12 || c === 11 || c === 0xfeff) {
        i++;
        continue;
      }
      if (c === 92) {
        const s = spliceAt(text, i);
        if (s) this.line++;
        i += s || 1; // (a stray backslash is read as a space)
        continue;
      }
      break;
    }
    this.start = i;
    this.tokLine = this.line;
    const c = text.charCodeAt(i);
    const d = text.charCodeAt(i + 1);
    if (c === 47 && d === 42) return this.blockComment(i);
    if (c === 47 && d === 47) return this.lineComment(i);
    if (c === 34 || c === 39) return this.literal(i, c);
    if (c === 35 && this.atLineStart) {
      this.atLineStart = false;
      this.end = this.pos = i + 1;
      return HASH;
    }
    this.atLineStart = false;
    if (isIdStart(c)) {
      let e = i + 1;
      while (e < n && isIdChar(text.charCodeAt(e))) e++;
      this.end = this.pos = e;
      return IDENT;
    }
    if (isDigit(c) || (c === 46 && isDigit(d))) {
      // a preprocessing number (0x1F, 1.5e-3, 10UL): whole, so `.e3` is not read as a member
      let e = i + 1;
      for (; e < n; e++) {
        const x = text.charCodeAt(e);
        if (isIdChar(x) || x === 46) continue;
        if ((x === 43 || x === 45) && /[eEpP]/.test(text[e - 1])) continue;
        break;
      }
      this.end = this.pos = e;
      return NUMBER;
    }
    const two = (c === 45 && d === 62) || (c === 35 && d === 35); // -> and ##
    this.end = this.pos = i + (two ? 2 : 1);
    return PUNCT;
  }

  /**
   * Advances to the next `#` that starts a directive and returns HASH with it as the token (EOF when there is
   * none), reading comments, literals and splices exactly as next() does but making no token of the code in
   * between: the directive scanner's fast path.
   */
  nextDirective(): TokenKind {
    const text = this.text;
    const n = this.to;
    let i = this.pos;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 10) {
        this.line++;
        this.atLineStart = true;
        i++;
      } else if (c === 32 || c === 9 || c === 13 || c === 12 || c === 11 || c === 0xfeff) i++;
      else if (c === 92) {
        const s = spliceAt(text, i);
        if (s) this.line++;
        i += s || 1;
      } else if (c === 47 && (text.charCodeAt(i + 1) === 42 || text.charCodeAt(i + 1) === 47)) {
        this.start = i;
        if (text.charCodeAt(i + 1) === 42) this.blockComment(i);
        else this.lineComment(i);
        i = this.pos;
      } else if (c === 34 || c === 39) {
        this.start = i;
        this.literal(i, c);
        i = this.pos;
      } else if (c === 35 && this.atLineStart) {
        this.start = i;
        this.tokLine = this.line;
        this.atLineStart = false;
        this.end = this.pos = i + 1;
        return HASH;
      } else {
        this.atLineStart = false;
        i++;
      }
    }
    this.start = this.end = this.pos = Math.max(i, this.pos);
    this.tokLine = this.line;
    return EOF;
  }

  private blockComment(i: number): TokenKind {
    const text = this.text;
    const e = text.indexOf('*/', i + 2);
    const stop = e < 0 ? this.to : e + 2;
    for (let k = text.indexOf('\n', i); k >= 0 && k < stop; k = text.indexOf('\n', k + 1)) this.line++;
    this.end = this.pos = stop;
    return COMMENT;
  }

  private lineComment(i: number): TokenKind {
    const text = this.text;
    const n = this.to;
    let e = i + 2;
    while (e < n) {
      const x = text.charCodeAt(e);
      if (x === 10) break;
      if (x === 92) {
        const s = spliceAt(text, e);
        if (s) {
          this.line++;
          e += s;
          continue;
        }
      }
      e++;
    }
    this.end = this.pos = e;
    return COMMENT;
  }

  private literal(i: number, quote: number): TokenKind {
    const text = this.text;
    const n = this.to;
    let e = i + 1;
    while (e < n) {
      const x = text.charCodeAt(e);
      if (x === 92) {
        const s = spliceAt(text, e);
        if (s) {
          this.line++;
          e += s;
        } else e += 2;
        continue;
      }
      if (x === quote || x === 10) break;
      e++;
    }
    if (e < n && text.charCodeAt(e) === quote) e++;
    this.atLineStart = false;
    this.end = this.pos = Math.min(e, n);
    return STRING;
  }
}
