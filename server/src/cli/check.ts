/**
 * Checking one file for the CLI (read, lint, apply fixes when asked), in the main thread or in a worker
 * (parallel.ts). Headers are checked first so that the files including them reuse what was read.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BuildConfig } from '../core/buildconfig';
import { fixText } from '../core/migrate';
import { readRegularFile, runHost, type LintHost } from '../core/host';
import { lint, type LintOptions } from '../core/lint';
import type { Settings } from '../core/settings';
import type { LintResult } from '../core/types';
import { formatJsonFile } from './format';

/** Files larger than this are not even read (lint() analyses up to MAX_FILE_BYTES and says so above it). */
const MAX_READ_BYTES = 64 * 1024 * 1024;

/** What a check needs besides the file: plain data, so that it can be sent to a worker. */
export interface CheckOptions {
  settings: Settings;
  select?: string[];
  ignore?: string[];
  fix: boolean;
  unsafeFixes: boolean;
  cwd: string;
  /** The output is JSON: each file's entry is made where it is checked (see preformat). */
  json?: boolean;
}

export interface CheckOutcome {
  /** Null when the file was not checked, or when its JSON entry was made already (`json`, `status`). */
  result: LintResult | null;
  fixed: number;
  /** Lines for stderr. */
  messages: string[];
  /** The file's entry of the JSON output. */
  json?: string;
  /** What the exit status needs of a result formatted already. */
  status?: { path: string; error: boolean; internalError?: string };
}

/**
 * An outcome with its result formatted as JSON where it was checked: a worker sends a string instead of the
 * result's objects, which the main thread would copy and then turn into the same string (measured on 400
 * generated files with 14k findings: the copies took the main thread about a tenth of the run).
 */
export function preformat(outcome: CheckOutcome): CheckOutcome {
  const r = outcome.result;
  if (!r) return outcome;
  const status = { path: r.path, error: r.findings.some((f) => f.severity === 'error'), internalError: r.internalError };
  return { ...outcome, result: null, json: formatJsonFile(r), status };
}

/** One host per run (its build-configuration cache): each file stat'ed once. */
const hosts = new WeakMap<Map<string, BuildConfig | null>, LintHost>();
function hostOf(cache: Map<string, BuildConfig | null>): LintHost {
  let h = hosts.get(cache);
  if (!h) hosts.set(cache, (h = runHost()));
  return h;
}

/** One file: read it, lint it, apply fix-all until nothing changes (at most 5 passes) when asked. */
export async function checkFile(file: string, o: CheckOptions, cache: Map<string, BuildConfig | null>): Promise<CheckOutcome> {
  const rel = path.relative(o.cwd, file) || path.basename(file);
  const read = readRegularFile(file, MAX_READ_BYTES);
  if ('error' in read) return { result: null, fixed: 0, messages: [`abi3lint: ${rel}: skipped, ${read.error}`] };
  const text = read.text;
  const opts: LintOptions = { settings: o.settings, select: o.select, ignore: o.ignore, buildConfigCache: cache, root: undefined, shareHeaders: true, host: hostOf(cache) };
  let r: LintResult;
  let fixed = 0;
  if (o.fix) {
    const done = await fixText({ path: file, text }, opts, o.unsafeFixes);
    r = done.result;
    fixed = done.fixes;
    if (done.text !== text) fs.writeFileSync(file, done.text);
  } else r = await lint({ path: file, text }, opts);
  r.path = rel;
  if (r.target && r.target.source.kind !== 'option') {
    r.target = { ...r.target, source: { ...r.target.source, file: path.relative(o.cwd, r.target.source.file) || path.basename(file) } };
  }
  const outcome = { result: r, fixed, messages: [] };
  return o.json ? preformat(outcome) : outcome;
}

/**
 * The order in which to check files: headers first, each after the project headers it includes (so that what
 * it includes was already read as a file of its own: see shareAsHeader), then the other files as given.
 */
export function checkOrder(files: string[]): number[] {
  const idx = files.map((_, i) => i);
  const headers = idx.filter((i) => /\.h$/i.test(files[i]));
  const byPath = new Map(headers.map((i) => [path.resolve(files[i]), i]));
  const order: number[] = [];
  const state = new Map<number, 'visiting' | 'done'>();
  const visit = (i: number): void => {
    if (state.has(i)) return; // (done, or a cycle: its order does not matter then)
    state.set(i, 'visiting');
    const read = readRegularFile(files[i], 2 * 1024 * 1024);
    const text = 'text' in read ? read.text : '';
    for (const m of text.matchAll(/^[ \t]*#[ \t]*include[ \t]*"([^"\n]+)"/gm)) {
      const dep = byPath.get(path.resolve(path.dirname(files[i]), m[1]));
      if (dep !== undefined) visit(dep);
    }
    state.set(i, 'done');
    order.push(i);
  };
  for (const i of headers) visit(i);
  return [...order, ...idx.filter((i) => !/\.h$/i.test(files[i]))];
}
