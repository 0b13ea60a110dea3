/**
 * The lexical pass of an analysis, reusing the previous analysis of the same document where it can: over the
 * edited region only, findings and minimum contributions outside it kept. A regional pass that meets anything
 * file-wide (a suppression, a `first-use` finding, a changed project declaration, a failed check, the findings
 * cap) is redone over the whole file. Returns the state for the next analysis (with an incremental input).
 */
import type { PassOutput, RuleRunner } from '../checks';
import type { Conditions } from '../facts/conditions';
import { countMin, type MinContrib, type MinCounts } from '../facts/minimum';
import { MAX_FINDINGS, type Reporter, type Suppression } from '../report';
import type { Facts } from '../rules/rule';
import type { Directive } from '../preproc';
import type { Finding } from '../types';
import { reusableRegion, type Region } from './region';
import type { IncrementalInput, IncrementalState, LineEdit } from './state';

export interface PassInput {
  facts: Facts;
  runner: RuleRunner;
  reporter: Reporter;
  inc: IncrementalInput | undefined;
  edit: LineEdit | null;
  /** The directives were moved from the previous analysis. */
  directivesKept: boolean;
  directives: Directive[];
  cond: Conditions;
  /** Everything besides the text that the findings of the lexical pass depend on. */
  key: string;
  ppKey: string;
}

export interface PassResult {
  suppressions: Suppression[];
  counts: MinCounts;
  /** With an incremental input: the state for the next analysis, and whether this pass was regional. */
  next?: IncrementalState;
  regional: boolean;
}

/** In line order (a full pass reports in text order; kept and rescanned findings are merged in order). */
function byLine<T>(xs: T[], line: (x: T) => number): T[] {
  for (let k = 1; k < xs.length; k++) if (line(xs[k]) < line(xs[k - 1])) return xs.slice().sort((x, y) => line(x) - line(y));
  return xs;
}

function regionFor(p: PassInput): Region | null {
  const prev = p.inc?.prev;
  const dirty = p.inc?.dirty;
  if (!prev || !p.edit || !p.directivesKept || !dirty || !prev.key || prev.key !== p.key || prev.ppKey !== p.ppKey) return null;
  return reusableRegion(p.facts.doc.text, p.facts.tree, p.facts.pos, prev, p.edit, dirty);
}

export function lexicalPassWithReuse(p: PassInput): PassResult {
  const { facts, runner, reporter, inc } = p;
  const findings = reporter.findings;
  const before = findings.length;
  const region = regionFor(p);
  let regional = !!region;
  let pass: PassOutput;
  let scanned: Finding[];
  let minContrib: MinContrib[];
  if (region) {
    const text = facts.doc.text;
    facts.project.carryOver(inc!.prev!.memo, {
      start: region.start,
      end: region.end,
      oldText: inc!.prev!.text.slice(region.start, region.oldEnd),
      newText: text.slice(region.start, region.end),
      firstLine: region.startLine,
      lastOld: region.lastOld,
      lineDelta: p.edit!.lineDelta,
    });
    pass = runner.lexicalPass(facts, region.start, region.end, region.startLine);
    const fresh = findings.splice(before);
    scanned = region.keptBefore.concat(byLine(fresh, (f) => f.range.start.line), region.keptAfter);
    findings.push(...scanned);
    minContrib = region.minBefore.concat(pass.minContrib, region.minAfter);
    if (pass.suppressions.length || pass.firstUseFindings || runner.failures.size || findings.length > MAX_FINDINGS || facts.project.changedByEdit()) {
      // file-wide after all: the whole pass (answers about declarations computed so far are those of the current text)
      findings.length = before;
      pass = runner.lexicalPass(facts);
      scanned = findings.slice(before);
      minContrib = pass.minContrib;
      regional = false;
    }
  } else {
    pass = runner.lexicalPass(facts);
    scanned = findings.slice(before);
    minContrib = pass.minContrib;
  }
  // contributions counted by name: after a regional pass, the previous counts less the region's old uses
  const prev = inc?.prev;
  const counts =
    regional && prev
      ? countMin(countMin(new Map(prev.minCounts), prev.minContrib.slice(region!.minBefore.length, prev.minContrib.length - region!.minAfter.length), -1), pass.minContrib, 1)
      : countMin(new Map(), minContrib, 1);
  const next = inc ? nextState(p, { pass, scanned, minContrib, counts, region: regional ? region : null, fresh: regional ? scanned.slice(region!.keptBefore.length, scanned.length - region!.keptAfter.length) : scanned }) : undefined;
  return { suppressions: pass.suppressions, counts, next, regional };
}

/** The state the next analysis of the document starts from. */
function nextState(
  p: PassInput,
  r: { pass: PassOutput; scanned: Finding[]; minContrib: MinContrib[]; counts: MinCounts; region: Region | null; fresh: Finding[] },
): IncrementalState {
  const { facts, cond } = p;
  const reusable = !r.pass.suppressions.length && !p.reporter.dropped && !r.pass.firstUseFindings;
  const multi = (fs: Finding[]): Finding[] => fs.filter((f) => f.range.start.line !== f.range.end.line);
  // lines that fixes edit beyond their finding's own line
  const editLinesOf = (fs: Finding[], into: Set<number>): number[] => {
    for (const f of fs) for (const fx of f.fixes) for (const e of fx.edits) for (let l = e.range.start.line; l <= e.range.end.line; l++) if (l < f.range.start.line || l > f.range.end.line) into.add(l);
    return [...into].sort((x, y) => x - y);
  };
  const region = r.region;
  return {
    text: facts.doc.text,
    lineCount: facts.pos.lineCount,
    key: reusable ? p.key : '',
    directives: p.directives,
    ppKey: p.ppKey,
    pp: [cond.pp, cond.atOldest, cond.atNewest],
    scanned: !reusable ? [] : region ? r.scanned : byLine(r.scanned, (f) => f.range.start.line),
    multiLine: !reusable ? [] : region ? region.multiLine.concat(multi(r.fresh)) : multi(r.scanned),
    editLines: !reusable ? [] : region ? editLinesOf(r.fresh, new Set(region.editLines)) : editLinesOf(r.scanned, new Set()),
    minContrib: region ? r.minContrib : byLine(r.minContrib, (c) => c.line),
    minCounts: r.counts,
    watched: region && p.inc?.prev ? new Set([...p.inc.prev.watched, ...r.pass.watched]) : r.pass.watched,
    memo: facts.project.memo,
  };
}
