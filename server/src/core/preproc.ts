/**
 * Preprocessor awareness without a preprocessor: a line scanner for directives and a three-valued evaluator
 * for #if conditions. Known: Py_LIMITED_API (the target), Py_TARGET_ABI3T, macros the file defines before the
 * condition. PY_VERSION_HEX in a Limited API build is only known to be >= the target. Anything else is unknown
 * and both branches stay active.
 */
import { COMMENT, EOF, HASH, Lexer, NEWLINE } from './lexer';

export interface Directive {
  /** 0-based line of the '#'. */
  line: number;
  /** Last line (continuations). */
  endLine: number;
  /** Offset of the '#' and end offset of the directive text in the document. */
  start: number;
  end: number;
  name: string;
  /** Text after the directive name, continuations joined, comments removed. */
  rest: string;
  /** Offset in the document where `rest` starts (approximate across continuations). */
  restStart: number;
}

/** Text between two tokens of a directive, line splices read as spaces. */
const gap = (text: string, from: number, to: number): string => (from >= to ? '' : text.slice(from, to).replace(/\\\r?\n/g, ' '));

/** Scans a C document for preprocessor directives, through the one C lexer (comments, literals, splices). */
export function scanDirectives(text: string): Directive[] {
  const out: Directive[] = [];
  const lx = new Lexer(text);
  for (let t = lx.next(); t !== EOF; t = lx.next()) {
    if (t !== HASH) continue;
    const start = lx.start;
    const startLine = lx.tokLine;
    // the logical line: block comments read as a space, a line comment dropped, splices joined
    let buf = '';
    let cursor = lx.end;
    let k = lx.next();
    while (k !== NEWLINE && k !== EOF) {
      buf += gap(text, cursor, lx.start);
      if (k === COMMENT) {
        if (text.charCodeAt(lx.start + 1) === 42) buf += ' ';
      } else buf += text.slice(lx.start, lx.end);
      cursor = lx.end;
      k = lx.next();
    }
    buf += gap(text, cursor, lx.start);
    const m = /^\s*([A-Za-z_]\w*)?/.exec(buf)!;
    const name = m[1] ?? '';
    const rest = buf.slice(m[0].length).replace(/\r$/, '').trim();
    const restOffset = text.indexOf(rest.slice(0, Math.min(8, rest.length)), start);
    out.push({ line: startLine, endLine: lx.tokLine, start, end: lx.start, name, rest, restStart: rest && restOffset >= 0 ? restOffset : start });
    if (k === EOF) break;
  }
  return out;
}

/** A value in a preprocessor expression: an interval [lo, hi], or null for unknown. */
export type PPValue = { lo: bigint; hi: bigint } | null;
export type Tri = true | false | null;

const MAXV = (1n << 63n) - 1n;
const exact = (v: bigint): PPValue => ({ lo: v, hi: v });

export interface PPEnv {
  /** Macro -> value; `null` value = defined with an unknown value; absent = consult `known`. */
  defined: Map<string, PPValue | 'empty'>;
  /** Macros known not to be defined. */
  undefinedKnown: Set<string>;
  /** PY_VERSION_HEX as known in this build. */
  pyVersionHex: PPValue;
  /** Raw bodies of function-like macros the file defines that evaluate to numbers (rare); not expanded. */
}

type Tok = { t: 'num'; v: bigint } | { t: 'id'; v: string } | { t: 'op'; v: string };

function tokenize(s: string): Tok[] | null {
  const out: Tok[] = [];
  const re = /\s*(?:(0[xX][0-9a-fA-F]+|\d+)[uUlL]*|([A-Za-z_]\w*)|(<<|>>|<=|>=|==|!=|&&|\|\||[-+*/%<>!~&|^?:(),]))/y;
  let pos = 0;
  while (pos < s.length) {
    if (/^\s*$/.test(s.slice(pos))) break;
    re.lastIndex = pos;
    const m = re.exec(s);
    if (!m) return null;
    pos = re.lastIndex;
    if (m[1] !== undefined) {
      const lit = m[1];
      if (/^0\d*[89]/.test(lit)) return null; // not a valid octal literal: the expression is malformed
      out.push({ t: 'num', v: /^0[xX]/.test(lit) ? BigInt(lit) : /^0\d/.test(lit) ? BigInt('0o' + lit.slice(1)) : BigInt(lit) });
    } else if (m[2] !== undefined) out.push({ t: 'id', v: m[2] });
    else out.push({ t: 'op', v: m[3] });
    if (out.length > 10000) return null;
  }
  return out;
}

function truth(v: PPValue): Tri {
  if (!v) return null;
  if (v.lo > 0n || v.hi < 0n) return true;
  if (v.lo === 0n && v.hi === 0n) return false;
  return null;
}
const fromTri = (t: Tri): PPValue => (t === null ? null : exact(t ? 1n : 0n));

/** Evaluates a #if expression with three-valued logic. Never throws. */
export function evaluate(expr: string, env: PPEnv, depth = 0): { value: PPValue; ids: string[] } {
  const ids: string[] = [];
  let toks: Tok[] | null;
  try {
    toks = tokenize(expr);
  } catch {
    toks = null;
  }
  if (!toks) return { value: null, ids };
  let p = 0;
  const peek = (): Tok | undefined => toks[p];
  const isOp = (v: string): boolean => {
    const t = toks[p];
    return !!t && t.t === 'op' && t.v === v;
  };
  let guard = 0;
  const lookup = (name: string): PPValue => {
    ids.push(name);
    if (name === 'PY_VERSION_HEX') return env.pyVersionHex;
    const d = env.defined.get(name);
    if (d === 'empty') return null;
    if (d !== undefined) return d;
    if (env.undefinedKnown.has(name)) return exact(0n);
    return null;
  };
  const primary = (): PPValue => {
    if (++guard > 20000) return null;
    const t = toks[p++];
    if (!t) return null;
    if (t.t === 'num') return exact(t.v);
    if (t.t === 'op') {
      if (t.v === '(') {
        if (depth > 200) return null;
        depth++;
        const v = ternary();
        depth--;
        if (isOp(')')) p++;
        return v;
      }
      if (t.v === '!') return fromTri(negate(truth(unary0())));
      if (t.v === '-') {
        const v = unary0();
        return v ? { lo: -v.hi, hi: -v.lo } : null;
      }
      if (t.v === '+') return unary0();
      if (t.v === '~') {
        const v = unary0();
        return v && v.lo === v.hi ? exact(~v.lo) : null;
      }
      return null;
    }
    // identifier
    if (t.v === 'defined') {
      let name: string | undefined;
      if (isOp('(')) {
        p++;
        const n = toks[p++];
        name = n && n.t === 'id' ? n.v : undefined;
        if (isOp(')')) p++;
      } else {
        const n = toks[p++];
        name = n && n.t === 'id' ? n.v : undefined;
      }
      if (!name) return null;
      ids.push(name);
      if (env.defined.has(name) || (name === 'PY_VERSION_HEX' && env.pyVersionHex)) return exact(1n);
      if (env.undefinedKnown.has(name)) return exact(0n);
      return null;
    }
    if (isOp('(')) {
      // function-like macro call: Py_PACK_VERSION(3, 12) / _Py_PACK_VERSION / _Py_PACK_FULL_VERSION
      p++;
      const args: PPValue[] = [];
      let d = 1;
      const argStart = p;
      while (p < toks.length && d > 0) {
        const x = toks[p];
        if (x.t === 'op' && x.v === '(') d++;
        if (x.t === 'op' && x.v === ')') d--;
        p++;
      }
      const inner = toks.slice(argStart, p - 1);
      if (/^_?Py_PACK_(FULL_)?VERSION$/.test(t.v)) {
        const parts: Tok[][] = [[]];
        for (const x of inner) {
          if (x.t === 'op' && x.v === ',') parts.push([]);
          else parts[parts.length - 1].push(x);
        }
        for (const part of parts) args.push(part.length === 1 && part[0].t === 'num' ? exact(part[0].v) : null);
        if (args.length >= 2 && args.every((a) => a && a.lo === a.hi)) {
          const v = (args as { lo: bigint; hi: bigint }[]).map((a) => a.lo);
          const [maj, min, mic = 0n, lvl = 0n, ser = 0n] = v;
          return exact((maj << 24n) | (min << 16n) | (mic << 8n) | (lvl << 4n) | ser);
        }
      }
      ids.push(t.v);
      return null;
    }
    return lookup(t.v);
  };
  const negate = (x: Tri): Tri => (x === null ? null : !x);
  const unary0 = (): PPValue => primary();
  const binop = (ops: string[], next: () => PPValue, f: (op: string, a: PPValue, b: PPValue) => PPValue) => (): PPValue => {
    let a = next();
    for (;;) {
      const t = peek();
      if (!t || t.t !== 'op' || !ops.includes(t.v)) return a;
      p++;
      a = f(t.v, a, next());
    }
  };
  const arith = (op: string, a: PPValue, b: PPValue): PPValue => {
    if (!a || !b) return null;
    if (op === '+') return { lo: a.lo + b.lo, hi: a.hi + b.hi > MAXV ? MAXV : a.hi + b.hi };
    if (op === '-') return { lo: a.lo - b.hi, hi: a.hi - b.lo };
    if (a.lo !== a.hi || b.lo !== b.hi) return null;
    const x = a.lo;
    const y = b.lo;
    switch (op) {
      case '*':
        return exact(x * y);
      case '/':
        return y === 0n ? null : exact(x / y);
      case '%':
        return y === 0n ? null : exact(x % y);
      case '<<':
        return y < 0n || y > 63n ? null : exact(x << y);
      case '>>':
        return y < 0n || y > 63n ? null : exact(x >> y);
      case '&':
        return exact(x & y);
      case '|':
        return exact(x | y);
      case '^':
        return exact(x ^ y);
    }
    return null;
  };
  const compare = (op: string, a: PPValue, b: PPValue): PPValue => {
    if (!a || !b) return null;
    const lt = (x: PPValue & object, y: PPValue & object): Tri => (x.hi < y.lo ? true : x.lo >= y.hi ? false : null);
    switch (op) {
      case '<':
        return fromTri(lt(a, b));
      case '>':
        return fromTri(lt(b, a));
      case '<=':
        return fromTri(negate(lt(b, a)));
      case '>=':
        return fromTri(negate(lt(a, b)));
      case '==':
        return a.lo === a.hi && b.lo === b.hi ? exact(a.lo === b.lo ? 1n : 0n) : a.hi < b.lo || b.hi < a.lo ? exact(0n) : null;
      case '!=':
        return a.lo === a.hi && b.lo === b.hi ? exact(a.lo !== b.lo ? 1n : 0n) : a.hi < b.lo || b.hi < a.lo ? exact(1n) : null;
    }
    return null;
  };
  const mul = binop(['*', '/', '%'], unary0, arith);
  const add = binop(['+', '-'], mul, arith);
  const shift = binop(['<<', '>>'], add, arith);
  const rel = binop(['<', '>', '<=', '>='], shift, compare);
  const eq = binop(['==', '!='], rel, compare);
  const band = binop(['&'], eq, arith);
  const bxor = binop(['^'], band, arith);
  const bor = binop(['|'], bxor, arith);
  const land = binop(['&&'], bor, (_op, a, b) => {
    const x = truth(a);
    const y = truth(b);
    return fromTri(x === false || y === false ? false : x === true && y === true ? true : null);
  });
  const lor = binop(['||'], land, (_op, a, b) => {
    const x = truth(a);
    const y = truth(b);
    return fromTri(x === true || y === true ? true : x === false && y === false ? false : null);
  });
  const ternary = (): PPValue => {
    const c = lor();
    if (!isOp('?')) return c;
    p++;
    const a = ternary();
    if (isOp(':')) p++;
    const b = ternary();
    const t = truth(c);
    if (t === true) return a;
    if (t === false) return b;
    if (a && b) return { lo: a.lo < b.lo ? a.lo : b.lo, hi: a.hi > b.hi ? a.hi : b.hi };
    return null;
  };
  let value: PPValue;
  try {
    value = ternary();
    if (p < toks.length) value = null; // trailing garbage: unknown
  } catch {
    value = null;
  }
  return { value, ids };
}

export interface CondFrame {
  /** The directive that opened the group. */
  open: Directive;
  /** Whether the current branch is active (not known false), and whether any earlier branch was known true. */
  active: boolean;
  taken: boolean;
  /** Identifiers tested by conditions of this branch that are assumed defined/true inside it. */
  positive: Set<string>;
}

export interface InactiveRange {
  startLine: number;
  endLine: number;
  /** The condition that is false for this target. */
  reason: string;
}

export interface ConditionUse {
  directive: Directive;
  ids: string[];
  value: Tri;
}

export interface PreprocResult {
  directives: Directive[];
  inactive: InactiveRange[];
  /** Per line: the set of macro names the enclosing active conditions assume defined (for platform guards). */
  guardAt(line: number): ReadonlySet<string>;
  isInactive(line: number): boolean;
  conditions: ConditionUse[];
  /** Unterminated #if groups, #else/#endif without #if. */
  problems: { line: number; message: string }[];
  /** Lines strictly between start and end assume `names` defined. */
  guardRanges: GuardRange[];
  lineCount: number;
}

export interface GuardRange {
  start: number;
  end: number;
  names: Set<string>;
}

function withLookups(
  directives: Directive[],
  inactiveSorted: InactiveRange[],
  guardRanges: GuardRange[],
  conditions: ConditionUse[],
  problems: { line: number; message: string }[],
  lineCount: number,
): PreprocResult {
  const isInactive = (line: number): boolean => {
    let lo = 0;
    let hi = inactiveSorted.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const r = inactiveSorted[mid];
      if (line < r.startLine) hi = mid - 1;
      else if (line >= r.endLine) lo = mid + 1;
      else return true;
    }
    return false;
  };
  const guardAt = (line: number): ReadonlySet<string> => {
    const s = new Set<string>();
    for (const g of guardRanges) if (line > g.start && line < g.end) for (const n of g.names) s.add(n);
    return s;
  };
  return { directives, inactive: inactiveSorted, guardAt, isInactive, conditions, problems, guardRanges, lineCount };
}

/**
 * The result of evaluateConditionals after an edit that touched no directive (the directives themselves were
 * moved in place): lines after `lastOldLine` move by `lineDelta`. Every range boundary is a directive line or
 * the line count, so none lies inside the edited lines.
 */
export function shiftPreproc(pp: PreprocResult, lastOldLine: number, lineDelta: number): PreprocResult {
  if (lineDelta === 0) return pp;
  const f = (l: number): number => (l > lastOldLine ? l + lineDelta : l);
  const inactive = pp.inactive.map((r) => (r.endLine > lastOldLine ? { ...r, startLine: f(r.startLine), endLine: f(r.endLine) } : r));
  const guards = pp.guardRanges.map((g) => (g.end > lastOldLine ? { ...g, start: f(g.start), end: f(g.end) } : g));
  const problems = pp.problems.map((p) => (p.line > lastOldLine ? { ...p, line: p.line + lineDelta } : p));
  return withLookups(pp.directives, inactive, guards, pp.conditions, problems, pp.lineCount + lineDelta);
}

/**
 * Walks the directives in order, keeping the #if stack, and computes which lines are inactive at the target.
 * `env` is updated as the file's own #define/#undef directives are met (outside inactive regions).
 */
export function evaluateConditionals(directives: Directive[], env: PPEnv, lineCount: number): PreprocResult {
  const stack: CondFrame[] = [];
  const inactive: InactiveRange[] = [];
  const conditions: ConditionUse[] = [];
  const problems: { line: number; message: string }[] = [];
  const guardRanges: GuardRange[] = [];
  // number of frames on the stack whose current branch is inactive (kept in step with `stack`)
  let inactiveFrames = 0;
  const allActive = (): boolean => inactiveFrames === 0;
  const setActive = (f: CondFrame, active: boolean): void => {
    if (f.active !== active) inactiveFrames += active ? -1 : 1;
    f.active = active;
  };
  let inactiveStart = -1;
  let inactiveReason = '';
  const openGuard = new Map<CondFrame, number>();

  const openInactiveIfNeeded = (line: number, reason: string): void => {
    if (inactiveStart < 0 && !allActive()) {
      inactiveStart = line;
      inactiveReason = reason;
    }
  };
  const positivesOf = (text: string, value: Tri): Set<string> => {
    const s = new Set<string>();
    if (value === false) return s;
    // names tested positively: `defined(X)`, `X` alone, `#ifdef X`; not under a `!`.
    const re = /(!\s*)?(?:defined\s*\(?\s*)?([A-Za-z_]\w*)/g;
    let m: RegExpExecArray | null;
    while ((m = re.exec(text))) if (!m[1] && m[2] !== 'defined') s.add(m[2]);
    return s;
  };
  const endGuard = (f: CondFrame, line: number): void => {
    const start = openGuard.get(f);
    if (start !== undefined && f.positive.size) guardRanges.push({ start, end: line, names: f.positive });
    openGuard.delete(f);
  };

  for (const d of directives) {
    const parentActive = allActive();
    switch (d.name) {
      case 'if':
      case 'ifdef':
      case 'ifndef': {
        let value: Tri;
        let text: string;
        if (d.name === 'if') {
          const r = evaluate(d.rest, env);
          value = truth(r.value);
          text = d.rest;
          if (parentActive) conditions.push({ directive: d, ids: r.ids, value });
        } else {
          const name = /^[A-Za-z_]\w*/.exec(d.rest)?.[0] ?? '';
          const isDef = env.defined.has(name) || (name === 'PY_VERSION_HEX' && !!env.pyVersionHex) ? true : env.undefinedKnown.has(name) ? false : null;
          value = d.name === 'ifdef' ? isDef : isDef === null ? null : !isDef;
          text = d.name === 'ifdef' ? `defined(${name})` : `!defined(${name})`;
          if (parentActive) conditions.push({ directive: d, ids: [name], value });
        }
        const frame: CondFrame = {
          open: d,
          active: value !== false,
          taken: value === true,
          positive: positivesOf(text, value),
        };
        stack.push(frame);
        if (!frame.active) inactiveFrames++;
        openGuard.set(frame, d.line);
        openInactiveIfNeeded(d.endLine + 1, `#${d.name} ${d.rest}`);
        break;
      }
      case 'elif':
      case 'elifdef':
      case 'elifndef':
      case 'else': {
        const f = stack[stack.length - 1];
        if (!f) {
          problems.push({ line: d.line, message: `#${d.name} without #if` });
          break;
        }
        endGuard(f, d.line);
        let value: Tri;
        if (d.name === 'else') value = true;
        else if (d.name === 'elif') {
          const r = evaluate(d.rest, env);
          value = truth(r.value);
          if (inactiveFrames === (f.active ? 0 : 1)) conditions.push({ directive: d, ids: r.ids, value });
        } else {
          const name = /^[A-Za-z_]\w*/.exec(d.rest)?.[0] ?? '';
          const isDef = env.defined.has(name) ? true : env.undefinedKnown.has(name) ? false : null;
          value = d.name === 'elifdef' ? isDef : isDef === null ? null : !isDef;
        }
        const prevTaken = f.taken;
        setActive(f, !prevTaken && value !== false);
        // the chain takes its first true branch: once a branch is known true, every later one is dead
        f.taken = prevTaken || value === true;
        f.positive = d.name === 'else' ? new Set() : positivesOf(d.rest, value);
        openGuard.set(f, d.line);
        if (allActive()) {
          if (inactiveStart >= 0) {
            inactive.push({ startLine: inactiveStart, endLine: d.line, reason: inactiveReason });
            inactiveStart = -1;
          }
        } else {
          openInactiveIfNeeded(d.endLine + 1, d.name === 'else' ? `#else of ${f.open.rest || f.open.name}` : `#${d.name} ${d.rest}`);
        }
        break;
      }
      case 'endif': {
        const f = stack.pop();
        if (!f) {
          problems.push({ line: d.line, message: '#endif without #if' });
          break;
        }
        if (!f.active) inactiveFrames--;
        endGuard(f, d.line);
        if (inactiveStart >= 0 && allActive()) {
          inactive.push({ startLine: inactiveStart, endLine: d.line, reason: inactiveReason });
          inactiveStart = -1;
        }
        break;
      }
      case 'define': {
        if (!parentActive) break;
        const m = /^([A-Za-z_]\w*)(\()?\s*(.*)$/.exec(d.rest);
        if (!m) break;
        env.undefinedKnown.delete(m[1]);
        if (m[2]) env.defined.set(m[1], null);
        else if (!m[3]) env.defined.set(m[1], 'empty');
        else {
          const v = evaluate(m[3], env);
          env.defined.set(m[1], v.value);
        }
        break;
      }
      case 'undef': {
        if (!parentActive) break;
        const name = /^[A-Za-z_]\w*/.exec(d.rest)?.[0];
        if (name) {
          env.defined.delete(name);
          env.undefinedKnown.add(name);
        }
        break;
      }
      default:
        break;
    }
  }
  if (stack.length) {
    for (const f of stack) problems.push({ line: f.open.line, message: `#${f.open.name} is never closed with #endif` });
    for (const f of stack) endGuard(f, lineCount);
  }
  if (inactiveStart >= 0) inactive.push({ startLine: inactiveStart, endLine: lineCount, reason: inactiveReason });

  const inactiveSorted = inactive.slice().sort((a, b) => a.startLine - b.startLine);
  return withLookups(directives, inactiveSorted, guardRanges, conditions, problems, lineCount);
}
