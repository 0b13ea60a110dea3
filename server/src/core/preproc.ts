/**
 * Preprocessor awareness without a preprocessor: a line scanner for directives and a three-valued evaluator
 * for #if conditions. Known: Py_LIMITED_API (the target), Py_TARGET_ABI3T, macros the file defines before the
 * condition. PY_VERSION_HEX in a Limited API build is only known to be >= the target. Anything else is unknown
 * and both branches stay active.
 */
import { COMMENT, EOF, HASH, Lexer, NEWLINE } from './lexer';
import { evaluate, truth, type PPEnv, type Tri } from './ppexpr';

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
  while (lx.nextDirective() === HASH) {
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

export { evaluate, truth, type PPEnv, type PPValue, type Tri } from './ppexpr';

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

const positivesOf = (text: string, value: Tri): Set<string> => {
  const s = new Set<string>();
  if (value === false) return s;
  // names tested positively: `defined(X)`, `X` alone, `#ifdef X`; not under a `!`.
  const re = /(!\s*)?(?:defined\s*\(?\s*)?([A-Za-z_]\w*)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) if (!m[1] && m[2] !== 'defined') s.add(m[2]);
  return s;
};

/** The #if stack while walking the directives in order: inactive ranges, conditions, platform guards. */
class ConditionalWalker {
  readonly stack: CondFrame[] = [];
  readonly inactive: InactiveRange[] = [];
  readonly conditions: ConditionUse[] = [];
  readonly problems: { line: number; message: string }[] = [];
  readonly guardRanges: GuardRange[] = [];
  /** Number of frames on the stack whose current branch is inactive (kept in step with `stack`). */
  private inactiveFrames = 0;
  private inactiveStart = -1;
  private inactiveReason = '';
  private readonly openGuard = new Map<CondFrame, number>();

  constructor(private readonly env: PPEnv) {}

  allActive(): boolean {
    return this.inactiveFrames === 0;
  }

  private setActive(f: CondFrame, active: boolean): void {
    if (f.active !== active) this.inactiveFrames += active ? -1 : 1;
    f.active = active;
  }

  private openInactiveIfNeeded(line: number, reason: string): void {
    if (this.inactiveStart < 0 && !this.allActive()) {
      this.inactiveStart = line;
      this.inactiveReason = reason;
    }
  }

  private closeInactive(line: number): void {
    if (this.inactiveStart >= 0 && this.allActive()) {
      this.inactive.push({ startLine: this.inactiveStart, endLine: line, reason: this.inactiveReason });
      this.inactiveStart = -1;
    }
  }

  endGuard(f: CondFrame, line: number): void {
    const start = this.openGuard.get(f);
    if (start !== undefined && f.positive.size) this.guardRanges.push({ start, end: line, names: f.positive });
    this.openGuard.delete(f);
  }

  /** Whether `#ifdef NAME` holds: known defined, known undefined, or unknown. */
  private isDefined(name: string, pyVersionHex: boolean): Tri {
    const env = this.env;
    return env.defined.has(name) || (pyVersionHex && name === 'PY_VERSION_HEX' && !!env.pyVersionHex) ? true : env.undefinedKnown.has(name) ? false : null;
  }

  onIf(d: Directive): void {
    const parentActive = this.allActive();
    let value: Tri;
    let text: string;
    if (d.name === 'if') {
      const r = evaluate(d.rest, this.env);
      value = truth(r.value);
      text = d.rest;
      if (parentActive) this.conditions.push({ directive: d, ids: r.ids, value });
    } else {
      const name = /^[A-Za-z_]\w*/.exec(d.rest)?.[0] ?? '';
      const isDef = this.isDefined(name, true);
      value = d.name === 'ifdef' ? isDef : isDef === null ? null : !isDef;
      text = d.name === 'ifdef' ? `defined(${name})` : `!defined(${name})`;
      if (parentActive) this.conditions.push({ directive: d, ids: [name], value });
    }
    const frame: CondFrame = { open: d, active: value !== false, taken: value === true, positive: positivesOf(text, value) };
    this.stack.push(frame);
    if (!frame.active) this.inactiveFrames++;
    this.openGuard.set(frame, d.line);
    this.openInactiveIfNeeded(d.endLine + 1, `#${d.name} ${d.rest}`);
  }

  onElse(d: Directive): void {
    const f = this.stack[this.stack.length - 1];
    if (!f) {
      this.problems.push({ line: d.line, message: `#${d.name} without #if` });
      return;
    }
    this.endGuard(f, d.line);
    let value: Tri;
    if (d.name === 'else') value = true;
    else if (d.name === 'elif') {
      const r = evaluate(d.rest, this.env);
      value = truth(r.value);
      if (this.inactiveFrames === (f.active ? 0 : 1)) this.conditions.push({ directive: d, ids: r.ids, value });
    } else {
      const isDef = this.isDefined(/^[A-Za-z_]\w*/.exec(d.rest)?.[0] ?? '', false);
      value = d.name === 'elifdef' ? isDef : isDef === null ? null : !isDef;
    }
    const prevTaken = f.taken;
    this.setActive(f, !prevTaken && value !== false);
    // the chain takes its first true branch: once a branch is known true, every later one is dead
    f.taken = prevTaken || value === true;
    f.positive = d.name === 'else' ? new Set() : positivesOf(d.rest, value);
    this.openGuard.set(f, d.line);
    if (this.allActive()) this.closeInactive(d.line);
    else this.openInactiveIfNeeded(d.endLine + 1, d.name === 'else' ? `#else of ${f.open.rest || f.open.name}` : `#${d.name} ${d.rest}`);
  }

  onEndif(d: Directive): void {
    const f = this.stack.pop();
    if (!f) {
      this.problems.push({ line: d.line, message: '#endif without #if' });
      return;
    }
    if (!f.active) this.inactiveFrames--;
    this.endGuard(f, d.line);
    this.closeInactive(d.line);
  }

  /** `#define` and `#undef` in active code change what later conditions see. */
  onDefine(d: Directive): void {
    if (!this.allActive()) return;
    const env = this.env;
    if (d.name === 'undef') {
      const name = /^[A-Za-z_]\w*/.exec(d.rest)?.[0];
      if (name) {
        env.defined.delete(name);
        env.undefinedKnown.add(name);
      }
      return;
    }
    const m = /^([A-Za-z_]\w*)(\()?\s*(.*)$/.exec(d.rest);
    if (!m) return;
    env.undefinedKnown.delete(m[1]);
    if (m[2]) env.defined.set(m[1], null);
    else if (!m[3]) env.defined.set(m[1], 'empty');
    else env.defined.set(m[1], evaluate(m[3], env).value);
  }

  finish(lineCount: number): void {
    for (const f of this.stack) this.problems.push({ line: f.open.line, message: `#${f.open.name} is never closed with #endif` });
    for (const f of this.stack) this.endGuard(f, lineCount);
    if (this.inactiveStart >= 0) this.inactive.push({ startLine: this.inactiveStart, endLine: lineCount, reason: this.inactiveReason });
  }
}

/**
 * Walks the directives in order, keeping the #if stack, and computes which lines are inactive at the target.
 * `env` is updated as the file's own #define/#undef directives are met (outside inactive regions).
 */
export function evaluateConditionals(directives: Directive[], env: PPEnv, lineCount: number): PreprocResult {
  const w = new ConditionalWalker(env);
  for (const d of directives) {
    switch (d.name) {
      case 'if':
      case 'ifdef':
      case 'ifndef':
        w.onIf(d);
        break;
      case 'elif':
      case 'elifdef':
      case 'elifndef':
      case 'else':
        w.onElse(d);
        break;
      case 'endif':
        w.onEndif(d);
        break;
      case 'define':
      case 'undef':
        w.onDefine(d);
        break;
    }
  }
  w.finish(lineCount);
  const inactiveSorted = w.inactive.slice().sort((a, b) => a.startLine - b.startLine);
  return withLookups(directives, inactiveSorted, w.guardRanges, w.conditions, w.problems, lineCount);
}
