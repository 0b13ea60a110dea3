/**
 * `#if` conditions at the target: which lines are inactive for the build, and which for the oldest and the
 * newest headers a Limited API build of the target may use (a polyfill under `#if PY_VERSION_HEX < V` exists
 * only for some of them). Evaluations for other header versions are computed on demand.
 */
import { evaluateConditionals, shiftPreproc, type Directive, type PPEnv, type PreprocResult } from '../preproc';
import type { Target } from '../types';
import { minorToHex, NEWEST_HEADERS } from '../version';

export interface Conditions {
  /** At the target, PY_VERSION_HEX only known to be at least the target. */
  pp: PreprocResult;
  /** With the headers of the target's version, and of the newest version. */
  atOldest: PreprocResult;
  atNewest: PreprocResult;
  /** With the headers of one version. */
  at(minor: number): PreprocResult;
  /** Active for the build and for every header version. */
  activeEverywhere(line: number): boolean;
}

/** What the conditions depend on besides the directives (a kept evaluation is reused only for the same key). */
export const conditionsKey = (target: Target): string => JSON.stringify(target);

function targetEnv(target: Target): PPEnv {
  const hex = BigInt(minorToHex(target.minor));
  const env: PPEnv = {
    defined: new Map([['Py_LIMITED_API', { lo: hex, hi: hex }]]),
    // a Limited API build without abi3t is a build for the default (GIL) interpreter: with Py_GIL_DISABLED it
    // would be abi3t (CPython's pyabi.h)
    undefinedKnown: new Set(target.abi3t ? [] : ['Py_TARGET_ABI3T', 'Py_GIL_DISABLED']),
    pyVersionHex: { lo: hex, hi: (1n << 32n) - 1n },
  };
  // patchlevel.h: the headers of any Limited API build are Python 3, of the target's minor version or later
  env.defined.set('PY_MAJOR_VERSION', { lo: 3n, hi: 3n });
  env.defined.set('PY_MINOR_VERSION', { lo: BigInt(target.minor), hi: 255n });
  if (target.abi3t) {
    env.defined.set('Py_TARGET_ABI3T', { lo: hex, hi: hex });
    env.defined.set('Py_GIL_DISABLED', 'empty');
  }
  return env;
}

/** The same environment with the headers of one version (each evaluation starts from the environment before
 *  the file's own #defines: evaluateConditionals adds them). */
function headersEnv(base: PPEnv, hex: bigint): PPEnv {
  const minor = (hex >> 16n) & 0xffn;
  return {
    defined: new Map([...base.defined].filter(([k]) => k !== 'PY_MINOR_VERSION').concat([['PY_MINOR_VERSION', { lo: minor, hi: minor }]])),
    undefinedKnown: new Set(base.undefinedKnown),
    pyVersionHex: { lo: hex, hi: hex },
  };
}

/** The previous evaluations moved past an edit that changed no directive (see incremental/edit.ts). */
export interface KeptConditions {
  pp: PreprocResult[];
  lastOldLine: number;
  lineDelta: number;
}

export function evaluateAtTarget(directives: Directive[], target: Target, lineCount: number, kept: KeptConditions | null): Conditions {
  const base = targetEnv(target);
  // (snapshot: evaluateConditionals adds the file's own #defines to the environment it is given)
  const before: PPEnv = { ...base, defined: new Map(base.defined), undefinedKnown: new Set(base.undefinedKnown) };
  const envAt = (minor: number): PPEnv => headersEnv(before, BigInt(minorToHex(minor)));
  const newest = Math.max(target.minor, NEWEST_HEADERS);
  let pp: PreprocResult;
  let atOldest: PreprocResult;
  let atNewest: PreprocResult;
  if (kept) {
    const [p0, p1, p2] = kept.pp;
    const move = (r: PreprocResult): PreprocResult => shiftPreproc(r, kept.lastOldLine, kept.lineDelta);
    pp = move(p0);
    atOldest = p1 === p0 ? pp : move(p1);
    atNewest = p2 === p0 ? pp : p2 === p1 ? atOldest : move(p2);
  } else {
    pp = evaluateConditionals(directives, base, lineCount);
    // without a condition on the Python version, every header version sees the same branches
    const versionDependent = directives.some((d) => /\bPY_(VERSION_HEX|MINOR_VERSION)\b/.test(d.rest));
    atOldest = versionDependent ? evaluateConditionals(directives, envAt(target.minor), lineCount) : pp;
    atNewest = versionDependent ? evaluateConditionals(directives, envAt(newest), lineCount) : pp;
  }
  const byHeaders = new Map<number, PreprocResult>([
    [target.minor, atOldest],
    [newest, atNewest],
  ]);
  return {
    pp,
    atOldest,
    atNewest,
    at(minor) {
      let r = byHeaders.get(minor);
      if (!r) byHeaders.set(minor, (r = evaluateConditionals(directives, envAt(minor), lineCount)));
      return r;
    },
    activeEverywhere: (line) => !pp.isInactive(line) && !atOldest.isInactive(line) && !atNewest.isInactive(line),
  };
}
