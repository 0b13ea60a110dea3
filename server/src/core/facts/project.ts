/**
 * The project's own declarations: a name the file (or a project header it includes) declares is the
 * project's, never flagged; a polyfill under a version condition provides the name for the header versions
 * that see it. Looked up per name, only when a rule is about to report it, and kept across edits for the
 * names an edit did not mention.
 */
import { minorOf, targetIndex, type Catalog } from '../catalog';
import type { CapiEntry } from '../dataSchema';
import { declaringRows } from '../declarations';
import { isIdChar } from '../lexer';
import type { Tree } from '../parser';
import type { PositionMap } from '../position';
import type { Target } from '../types';
import { NEWEST_HEADERS } from '../version';
import type { Conditions } from './conditions';
import { headerConditions, pastedMembers, type HeaderInfo } from './includes';

/** What the project's declarations make of a name: declared (never flagged), or provided by a polyfill. */
export interface ProjectState {
  project: boolean;
  covered: boolean;
  /** The rows where the file declares the name (kept across edits: only the edited region is looked at again). */
  rows: number[];
}

/** Whether the headers of version `h` declare a name for Limited API target `t` (from the per-target data). */
export function headerDeclares(e: CapiEntry, t: number, h: number): boolean {
  const c = e.limited?.[targetIndex(t)] ?? 'N';
  if (c === 'Y' || c === 'M') return true;
  if (c === 'G') {
    const first = e.limitedFirstHeader?.[targetIndex(t)];
    return !!first && first !== '-' && h >= parseInt(first, 16);
  }
  if (c === 'R') return !e.limitedRemovedIn || h < minorOf(e.limitedRemovedIn);
  return false;
}

/** Whether `name` occurs as a whole word in `t`. */
function mentions(t: string, name: string): boolean {
  for (let i = t.indexOf(name); i >= 0; i = t.indexOf(name, i + 1)) {
    const before = i > 0 ? t.charCodeAt(i - 1) : 32;
    const after = i + name.length < t.length ? t.charCodeAt(i + name.length) : 32;
    if (!isIdChar(before) && !isIdChar(after)) return true;
  }
  return false;
}

/** The edited region of an incremental analysis, in the terms the declaration look-ups need. */
export interface DeclarationRegion {
  start: number;
  end: number;
  /** The region's text before and after the edit. */
  oldText: string;
  newText: string;
  firstLine: number;
  lastOld: number;
  lineDelta: number;
}

/**
 * A declaration shadows the C API name where it exists for every header version from the target on; a
 * polyfill under `#if PY_VERSION_HEX < 0x030D0000` covers only the header versions that see it (and covers
 * the name when the C API's headers declare it for all the others).
 */
function judgeRows(rows: number[], cond: Conditions, e: CapiEntry | undefined, target: Target): { project: boolean; covered: boolean } {
  const conditional: number[] = [];
  for (const r of rows) {
    if (cond.activeEverywhere(r)) return { project: true, covered: false };
    if (!cond.pp.isInactive(r)) conditional.push(r);
  }
  if (!conditional.length || !e) return { project: false, covered: false };
  for (let h = Math.max(target.minor, 6); h <= NEWEST_HEADERS; h++) {
    if (conditional.some((r) => !cond.at(h).isInactive(r))) continue;
    if (!headerDeclares(e, target.minor, h)) return { project: false, covered: false };
  }
  return { project: false, covered: true };
}

export class ProjectDeclarations {
  /** Answers by name (`.name` for members), for the next analysis of the same document. */
  readonly memo = new Map<string, ProjectState>();
  /** Previous answers for names the edited region mentions: their rows outside the region are kept. */
  private recheck: Map<string, ProjectState> | null = null;
  private region: DeclarationRegion | null = null;
  /** What the included headers declare, per name (one analysis: the headers do not change within it). */
  private readonly headerMemo = new Map<string, { project: boolean; covered: boolean }>();

  constructor(
    private readonly tree: Tree,
    private readonly text: string,
    private readonly pos: PositionMap,
    private readonly cat: Catalog,
    private readonly target: Target,
    private readonly cond: Conditions,
    private readonly headers: HeaderInfo[],
  ) {}

  /** The project headers the file includes, directly or not, as read (their declared names, directives). */
  projectHeaders(): readonly HeaderInfo[] {
    return this.headers.filter((h) => !h.outside);
  }

  /** The project headers the file includes, directly or not: path and text (a migration may edit them too). */
  headerTexts(): { file: string; text: string }[] {
    return this.headers.filter((h) => !h.outside).map((h) => ({ file: h.file, text: h.text }));
  }

  /** What the included project headers declare of a name, each header's own #if evaluated as the file's
   *  are (pythoncapi_compat.h defines Py_SETREF only below some PY_VERSION_HEX). */
  private inHeaders(name: string, member: boolean): { project: boolean; covered: boolean } {
    const k = member ? `.${name}` : name;
    let st = this.headerMemo.get(k);
    if (st) return st;
    st = { project: false, covered: false };
    for (const h of this.headers) {
      const rows = h.rowsOf(name, member);
      if (!rows) continue;
      const cond = headerConditions(h, this.target);
      const one = member ? { project: rows.some((r) => !cond.pp.isInactive(r)), covered: false } : judgeRows(rows, cond, this.cat.names.get(name), this.target);
      st = { project: st.project || one.project, covered: st.covered || one.covered };
      if (st.project) break;
    }
    this.headerMemo.set(k, st);
    return st;
  }

  /** Members the file builds by token pasting, by name (read once per analysis, only for a file that pastes). */
  private pasted: Map<string, number[]> | null = null;
  private pastedRows(): Map<string, number[]> {
    if (!this.pasted) {
      this.pasted = new Map();
      for (const [m, row] of pastedMembers(this.text, this.cond.pp.directives)) this.pasted.set(m, [...(this.pasted.get(m) ?? []), row]);
    }
    return this.pasted;
  }

  /** The project declares the name (in the file or an included project header). */
  isName(name: string): boolean {
    return this.inHeaders(name, false).project || this.state(name, false).project;
  }

  isMember(member: string): boolean {
    return this.inHeaders(member, true).project || this.state(member, true).project;
  }

  /** A polyfill under a version condition provides the name for every header version from the target on. */
  covers(name: string): boolean {
    const h = this.inHeaders(name, false);
    return !h.project && (h.covered || this.state(name, false).covered);
  }

  /** The project's own, or provided by a polyfill: not the C API's. */
  owns(name: string): boolean {
    return this.isName(name) || this.covers(name);
  }

  private state(name: string, member: boolean): ProjectState {
    const k = member ? `.${name}` : name;
    let st = this.memo.get(k);
    if (st) return st;
    const rowOf = (o: number): number => this.pos.position(o).line;
    const was = this.recheck?.get(k);
    let rows: number[];
    if (this.region && was && !(member && this.text.includes('##'))) {
      const { start, end, firstLine, lastOld, lineDelta } = this.region;
      const inside = declaringRows(this.tree, this.text, name, member, rowOf, start, end);
      rows = was.rows.filter((r) => r < firstLine).concat(inside, was.rows.filter((r) => r > lastOld).map((r) => r + lineDelta));
    } else rows = declaringRows(this.tree, this.text, name, member, rowOf);
    if (member && !rows.length && this.text.includes('##')) rows = [...(this.pastedRows().get(name) ?? [])];
    st = member ? { project: rows.length > 0, covered: false, rows } : this.stateOfName(name, rows);
    this.memo.set(k, st);
    return st;
  }

  private stateOfName(name: string, rows: number[]): ProjectState {
    return { ...judgeRows(rows, this.cond, this.cat.names.get(name), this.target), rows };
  }

  /** Takes over the previous analysis's answers: moved past the edit, except for names the region mentions
   *  (old or new text), which are asked again with only the region looked at. */
  carryOver(prev: Map<string, ProjectState>, region: DeclarationRegion): void {
    const { lastOld, lineDelta } = region;
    const recheck = new Map<string, ProjectState>();
    // (members a macro builds by pasting depend on text that never names them: in a file that pastes, every
    // member answer is asked again)
    const pastes = this.text.includes('##');
    for (const [k, v] of prev) {
      const name = k.startsWith('.') ? k.slice(1) : k;
      if ((pastes && k.startsWith('.')) || mentions(region.oldText, name) || mentions(region.newText, name)) {
        recheck.set(k, v);
        continue;
      }
      this.memo.set(k, lineDelta && v.rows.some((r) => r > lastOld) ? { ...v, rows: v.rows.map((r) => (r > lastOld ? r + lineDelta : r)) } : v);
    }
    this.recheck = recheck;
    this.region = region;
  }

  /** Whether the edit changed what the project declares for a name asked again (then the whole file is
   *  checked again: a new declaration can silence uses anywhere). */
  changedByEdit(): boolean {
    for (const [k, v] of this.recheck ?? []) {
      const st = k.startsWith('.') ? this.state(k.slice(1), true) : this.state(k, false);
      if (st.project !== v.project || st.covered !== v.covered) return true;
    }
    return false;
  }
}
