/**
 * The data abi3lint ships: data/capi.json (generated), data/replacements.json and data/rules.json (curated).
 * Loaded once per process, synchronously, from the folder next to the bundle or the source tree.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import type { CapiData, CapiEntry } from './dataSchema';
import { TARGET_MINORS } from './dataSchema';

export const SafetySchema = z.enum(['safe', 'unsafe', 'display-only']);
export type Safety = z.infer<typeof SafetySchema>;

export const ReplacementSchema = z.strictObject({
  old: z.string(),
  /** rename: swap the identifier; template: rewrite the call ($1.. are its arguments); member: rewrite
   *  `X->member` ($0 is X); display: advice only. */
  form: z.enum(['rename', 'template', 'member', 'display']),
  member: z.string().optional(),
  alternatives: z
    .array(
      z
        .strictObject({
          new: z.string(),
          since: z.string().regex(/^3\.\d+$/),
          safety: SafetySchema,
          /** For unsafe fixes: what may change, in a few words (the fix title shows it; `note` explains). */
          risk: z.string().max(48).optional(),
          note: z.string(),
          template: z.string().optional(),
        })
        .refine((a) => (a.safety === 'unsafe') === (a.risk !== undefined), { message: 'unsafe alternatives (and only they) name their risk' }),
    )
    .min(1),
});
export type Replacement = z.infer<typeof ReplacementSchema>;
export const ReplacementsFileSchema = z.strictObject({ version: z.literal(1), replacements: z.array(ReplacementSchema) });

export const RuleSchema = z.strictObject({
  code: z.string().regex(/^ABI0\d\d$/),
  name: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/),
  severity: z.enum(['error', 'warning', 'info', 'hint']),
  summary: z.string(),
  fix: z.enum(['always', 'sometimes', 'never']),
  fixSafety: SafetySchema,
  status: z.enum(['stable', 'preview', 'deprecated']),
  since: z.string(),
});
export type Rule = z.infer<typeof RuleSchema>;
export const RulesFileSchema = z.strictObject({ version: z.literal(1), rules: z.array(RuleSchema) });

export interface Catalog {
  data: CapiData;
  names: Map<string, CapiEntry>;
  internal: Set<string>;
  /** struct member name -> the struct tags / typedef names that have it (full API) */
  members: Map<string, string[]>;
  replacements: Map<string, Replacement>;
  memberReplacements: Map<string, Replacement>;
  rules: Map<string, Rule>;
  rulesByName: Map<string, Rule>;
  /** C library name -> the headers (that Python.h includes directly) declaring it. */
  libcByName: Map<string, string[]>;
  /** Every name the lexical pass reports: the C API's, the internal ones and the C library's. */
  known: Set<string>;
  /** A filter of `known` read from the text without making a string (see mayBeKnown). */
  knownFilter: Uint32Array;
  loadMs: number;
}

/** Where each rule's documentation is published (docs/rules/ABI0NN.md of the repository). */
export const RULE_DOCS_URL = 'https://github.com/abi3lint/abi3lint/blob/main/docs/rules/';

/** The bundled documentation of a rule (docs/rules/ABI0NN.md next to data/), if it is there. */
export function ruleDocPath(code: string): string | null {
  if (!/^ABI\d{3}$/.test(code)) return null;
  try {
    const file = path.join(path.dirname(dataDir()), 'docs', 'rules', `${code}.md`);
    return fs.existsSync(file) ? file : null;
  } catch {
    return null;
  }
}

/** A link to a rule's documentation that opens: the bundled page as a file URI (every local editor opens it),
 *  the repository's page only when the bundle has none. */
export function ruleDocUri(code: string): string {
  const file = ruleDocPath(code);
  return file ? pathToFileURL(file).href : `${RULE_DOCS_URL}${code}.md`;
}

let cached: Catalog | null = null;

const FILTER_BITS = 1 << 20;

/** A hash of a name from its length and its first and last two characters: over the known names nearly
 *  one-to-one (7,292 keys for 10,543 names), and it tells most other identifiers apart (psutil: 2,564 of 23,376
 *  identifiers pass, 2,552 of them known). */
function nameHash(text: string, start: number, end: number): number {
  const n = end - start;
  let h = n;
  h = (h * 31 + text.charCodeAt(start)) | 0;
  h = (h * 31 + text.charCodeAt(start + (n > 1 ? 1 : 0))) | 0;
  h = (h * 31 + text.charCodeAt(end - 1)) | 0;
  h = (h * 31 + text.charCodeAt(end - (n > 1 ? 2 : 1))) | 0;
  return (h >>> 0) & (FILTER_BITS - 1);
}

function filterOf(names: Iterable<string>): Uint32Array {
  const bits = new Uint32Array(FILTER_BITS >>> 5);
  for (const n of names) {
    const h = nameHash(n, 0, n.length);
    bits[h >>> 5] |= 1 << (h & 31);
  }
  return bits;
}

/** False when the name at [start, end) of `text` is certainly not one of the catalog's known names (no string
 *  is made: the lexical pass asks this of every identifier). */
export function mayBeKnown(cat: Catalog, text: string, start: number, end: number): boolean {
  const h = nameHash(text, start, end);
  return (cat.knownFilter[h >>> 5] & (1 << (h & 31))) !== 0;
}

/** The folder holding capi.json: next to the bundle (dist/../data) or up the source tree. */
export function dataDir(): string {
  const env = process.env.ABI3LINT_DATA_DIR;
  if (env) return env;
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    const c = path.join(dir, 'data', 'capi.json');
    if (fs.existsSync(c)) return path.dirname(c);
    dir = path.dirname(dir);
  }
  throw new Error(`abi3lint: cannot find data/capi.json above ${__dirname}`);
}

function readVersioned<T>(dir: string, name: string): T {
  const data = JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8')) as { version?: unknown };
  if (data.version !== 1) throw new Error(`abi3lint: ${path.join(dir, name)} has an unexpected format (version ${String(data.version)})`);
  return data as T;
}

export function loadCatalog(): Catalog {
  if (cached) return cached;
  const t0 = performance.now();
  const dir = dataDir();
  // The generator validated capi.json with zod; here only its version is checked (speed: < 50 ms).
  const data = JSON.parse(fs.readFileSync(path.join(dir, 'capi.json'), 'utf8')) as CapiData;
  if (data.version !== 1 || data.targets.length !== TARGET_MINORS.length) {
    throw new Error(`abi3lint: ${path.join(dir, 'capi.json')} has an unexpected format; rebuild it with 'npm run data:build'`);
  }
  // (the curated files are validated with their zod schemas by the tests and `npm run data:build --check`, not
  // on every start: a whole CLI run is measured against a process that only parses)
  const repl = readVersioned<z.infer<typeof ReplacementsFileSchema>>(dir, 'replacements.json');
  const rules = readVersioned<z.infer<typeof RulesFileSchema>>(dir, 'rules.json');
  const names = new Map(Object.entries(data.names));
  const members = new Map<string, string[]>();
  for (const [name, e] of names) {
    for (const m of e.members ?? []) {
      const list = members.get(m);
      if (list) list.push(name);
      else members.set(m, [name]);
    }
  }
  const replacements = new Map<string, Replacement>();
  const memberReplacements = new Map<string, Replacement>();
  for (const r of repl.replacements) {
    if (r.form === 'member' && r.member) memberReplacements.set(r.member, r);
    else replacements.set(r.old, r);
  }
  const libcByName = new Map<string, string[]>();
  const known = new Set<string>();
  for (const [h, v] of Object.entries(data.libc ?? {})) {
    for (const n of v.names) {
      const list = libcByName.get(n);
      if (list) list.push(h);
      else libcByName.set(n, [h]);
    }
  }
  for (const n of [...names.keys(), ...data.internal, ...libcByName.keys()]) known.add(n);
  cached = {
    libcByName,
    known,
    knownFilter: filterOf(known),
    data,
    names,
    internal: new Set(data.internal),
    members,
    replacements,
    memberReplacements,
    rules: new Map(rules.rules.map((r) => [r.code, r])),
    rulesByName: new Map(rules.rules.map((r) => [r.name, r])),
    loadMs: performance.now() - t0,
  };
  return cached;
}

/** Index of a target minor in the per-target strings; targets past the newest headers use the newest. */
export function targetIndex(minor: number): number {
  const i = TARGET_MINORS.indexOf(minor as (typeof TARGET_MINORS)[number]);
  if (i >= 0) return i;
  return minor > TARGET_MINORS[TARGET_MINORS.length - 1] ? TARGET_MINORS.length - 1 : 0;
}

export type Status =
  | { kind: 'limited' }
  /** `breaks`: compile (some headers from the target on do not declare it there) or link (every header set
   *  declares it, but the Stable ABI adds the symbol later: it compiles, and the binary does not load on the
   *  older Pythons). */
  | { kind: 'too-new'; since: number; breaks: 'compile' | 'link' }
  | { kind: 'removed'; removedIn: string }
  | { kind: 'not-limited' }
  | { kind: 'private' }
  | { kind: 'abi-only' }
  | { kind: 'abi3t-incompatible' };

const minors = new Map<string, number>();
/** The minor of a version string ('3.10' → 10), asked for every Limited API use: remembered. */
export function minorOf(v: string): number {
  let m = minors.get(v);
  if (m === undefined) minors.set(v, (m = Number(v.split('.')[1])));
  return m;
}

/** Whether a name may be used at a target, as the data built from the headers says. */
export function statusAt(e: CapiEntry, name: string, minor: number, abi3t: boolean): Status {
  const idx = targetIndex(minor);
  const c = e.limited ? e.limited[idx] : 'N';
  if (c === 'Y') {
    if (e.manifest?.abiOnly) return { kind: 'abi-only' };
    if (abi3t && !e.abi3t && !/^(struct|union|enum) /.test(name)) return { kind: 'abi3t-incompatible' };
    if (e.private) return { kind: 'private' };
    return { kind: 'limited' };
  }
  if (e.limited) {
    const later = e.limited.indexOf('Y', idx + 1);
    if (later > idx) return { kind: 'too-new', since: TARGET_MINORS[later], breaks: c === 'M' ? 'link' : 'compile' };
  }
  if (e.limitedRemovedIn) return { kind: 'removed', removedIn: e.limitedRemovedIn };
  if (e.manifest?.abiOnly) return { kind: 'abi-only' };
  if (e.private) return { kind: 'private' };
  return { kind: 'not-limited' };
}
