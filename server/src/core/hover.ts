/**
 * Hover texts and completion candidates, built from the data (never from copied documentation).
 */
import { loadBehaviour, minorNumber, type Fact } from './behaviour';
import { loadCatalog, minorOf, statusAt, type Catalog } from './catalog';
import type { CapiEntry } from './dataSchema';
import { PositionMap } from './position';
import { scanDirectives, type Directive } from './preproc';
import { findTargetDefines } from './facts/defines';
import type { Target } from './types';
import { minorToHex, minorToString } from './version';

export const DOCS_BASE = 'https://docs.python.org/3/c-api/';

/** The identifier around a position (0-based line/character; clamped to the text). */
export function wordAt(text: string, line: number, character: number, starts?: number[]): { word: string; start: number; end: number } | null {
  const pos = new PositionMap(text, starts);
  if (!(line < pos.lineCount)) return null;
  const p = pos.clamp({ line, character });
  const off = pos.offset(p.line, p.character);
  let s = off;
  let e = off;
  while (s > 0 && /\w/.test(text[s - 1])) s--;
  while (e < text.length && /\w/.test(text[e])) e++;
  if (s === e || !/^[A-Za-z_]/.test(text[s])) return null;
  return { word: text.slice(s, e), start: s, end: e };
}

export function describeSource(t: Target): string {
  const s = t.source;
  if (s.kind === 'define') return `#define in ${basename(s.file)}:${s.line}`;
  if (s.kind === 'build-config') return `${basename(s.file)}${s.line ? ':' + s.line : ''} (${s.detail})`;
  return `setting (${s.detail})`;
}

const basename = (p: string): string => p.split(/[\\/]/).pop() ?? p;

function statusLine(e: CapiEntry, name: string, target: Target | null): string {
  if (!target) return e.limitedSince ? `Limited API since ${e.limitedSince}` : 'Not in the Limited API';
  const st = statusAt(e, name, target.minor, target.abi3t);
  const at = `${target.abi3t ? 'abi3t' : 'abi3'} ${minorToString(target.minor)}`;
  switch (st.kind) {
    case 'limited':
      return `✓ Available at ${at}${e.limitedSince ? ` (Limited API since ${e.limitedSince})` : ''}`;
    case 'too-new':
      return st.breaks === 'link'
        ? `✗ Too new for ${at}: needs ${minorToString(st.since)} (it compiles here, but the Stable ABI has the symbol only from ${minorToString(st.since)}: the wheel would not load on older Pythons)`
        : `✗ Too new for ${at}: needs ${minorToString(st.since)}`;
    case 'removed':
      return `✗ Removed from the Limited API (the ${st.removedIn} headers no longer declare it)`;
    case 'abi-only':
      return '✗ ABI-only: kept in the Stable ABI for old binaries, not part of the Limited API';
    case 'private':
      return '✗ Private CPython API (leading underscore)';
    case 'abi3t-incompatible':
      return '✗ Not available under abi3t (free-threaded stable ABI)';
    case 'not-limited':
      return '✗ Not in the Limited API';
  }
}

/** Markdown hover for a C API name, or null when the name is not in the data. */
export function hoverForName(name: string, target: Target | null, cat: Catalog = loadCatalog()): string | null {
  const e = cat.names.get(name);
  if (!e) {
    if (cat.internal.has(name)) return `**${name}**\n\nDeclared only by CPython's internal headers (Py_BUILD_CORE): no stability promise.`;
    return null;
  }
  const lines: string[] = [];
  if (e.signature) lines.push('```c\n' + (e.kind === 'macro' || e.kind === 'const' ? `#define ${e.signature}` : e.signature) + '\n```');
  lines.push(statusLine(e, name, target));
  const facts: string[] = [];
  if (e.private) facts.push('Limited API: no (a private name)');
  else if (e.limitedSince) facts.push(`Limited API: since ${e.limitedSince}`);
  else if (e.limitedRemovedIn) facts.push(`Limited API: removed in ${e.limitedRemovedIn}`);
  else facts.push('Limited API: no');
  if (e.manifest) {
    facts.push(e.manifest.abiOnly ? `Stable ABI: ABI-only (since ${e.manifest.added ?? '?'})` : `Stable ABI: since ${e.manifest.added ?? '?'}${e.manifest.ifdef ? `, only with ${e.manifest.ifdef}` : ''}`);
    if (e.manifest.structKind) facts.push(`Struct: ${e.manifest.structKind}${e.manifest.members ? ` (members ${e.manifest.members.join(', ')})` : ''}`);
  }
  if (e.abi3t === true) facts.push('abi3t: yes');
  else if (e.abi3t === 'opaque') facts.push('abi3t: opaque');
  else if (e.limitedSince) facts.push('abi3t: no');
  const capi = e.addedInDocs ?? e.firstHeader;
  if (capi) facts.push(`C API: since ${capi}${e.addedInDocs ? '' : ' (or earlier)'}${e.removedIn ? `, removed in ${e.removedIn}` : ''}`);
  if (e.returns === 'new') facts.push('Returns: new reference');
  else if (e.returns === 'borrowed') facts.push('Returns: borrowed reference');
  if (e.steals?.length) facts.push(`Steals a reference to argument ${e.steals.map((i) => i + 1).join(', ')}`);
  for (const s of e.superseded ?? []) {
    const [first, last] = [s.targets[0], s.targets[s.targets.length - 1]];
    facts.push(`CPython ${s.release}'s headers declare it as an exported function at targets ${first === last ? first : `${first}–${last}`}: a binary built with them at such a target needs Python ${s.release.split('.').slice(0, 2).join('.')} (the other releases' headers do not)`);
  }
  if (e.deprecated) facts.push(`Deprecated${e.deprecated === '?' ? '' : ` since ${e.deprecated}`}${e.docsRemovedIn ? `, removal planned in ${e.docsRemovedIn}` : ''}`);
  if (e.kind) facts.push(`Kind: ${e.kind === 'inline' ? 'static inline function' : e.kind}${e.header ? ` in ${e.header}` : ''}`);
  lines.push(facts.map((f) => `- ${f}`).join('\n'));
  const runtime = behaviourOf(name);
  if (runtime) lines.push(`**Run time:** ${runtime.title} needs Python ${runtime.version}: ${runtime.otherSide} ([docs](${runtime.docs}))`);
  const repl = cat.replacements.get(name);
  if (repl) {
    const alt = (target && repl.alternatives.find((a) => minorOf(a.since) <= target.minor)) ?? repl.alternatives[0];
    lines.push(`**Use instead:** \`${alt.template ? withParameters(alt.template, e.signature) : alt.new}\` (${alt.since}+, ${alt.safety}): ${alt.note}`);
  }
  if (e.docs) lines.push(`[Documentation](${DOCS_BASE}${e.docs.replace('#', '.html#')})`);
  return `**${name}**\n\n` + lines.join('\n\n');
}

/** A replacement template's `$1`, `$2` shown as the parameter names of the signature it replaces
 *  (`PyObject_SetAttr(v, name, NULL)`), or `…` where the signature names none. */
export function withParameters(template: string, signature: string | undefined): string {
  const params = /\(([^()]*)\)\s*$/.exec(signature ?? '')?.[1].split(',') ?? [];
  // a name only where the parameter has a type before it (`PyObject *v`, not `PyObject *` or `Py_hash_t`)
  const names = params.map((p) => /\S[\s*]+(\w+)\s*(?:\[\s*\])?$/.exec(p.trim())?.[1]).map((n) => (n && !/^(int|char|long|short|double|float|signed|unsigned)$/.test(n) ? n : undefined));
  return template.replace(/\$(\d+)/g, (_, i: string) => names[Number(i) - 1] ?? '…');
}

/**
 * The directive on a line, read from that line's logical line only (a hover must not lex the whole file: in a
 * typing storm every hover would). Lines continued by a backslash are followed both ways; a line inside a
 * block comment opened earlier is not a directive.
 */
function directiveAt(text: string, line: number, starts?: number[]): Directive | null {
  const pos = new PositionMap(text, starts);
  if (!(line >= 0 && line < pos.lineCount)) return null;
  const endOf = (l: number): number => (l + 1 < pos.lineCount ? pos.starts[l + 1] - 1 : text.length);
  const continued = (l: number): boolean => l >= 0 && /\\\r?$/.test(text.slice(pos.starts[l], endOf(l)));
  let first = line;
  while (first > 0 && line - first < 200 && continued(first - 1)) first--;
  let last = line;
  while (last + 1 < pos.lineCount && last - line < 200 && continued(last)) last++;
  const start = pos.starts[first];
  if (!/^[ \t]*#/.test(text.slice(start, endOf(first)))) return null;
  if (text.lastIndexOf('/*', start) > text.lastIndexOf('*/', start)) return null; // inside a comment
  const d = scanDirectives(text.slice(start, endOf(last)))[0];
  return d ? { ...d, line: d.line + first, endLine: d.endLine + first, start: d.start + start, end: d.end + start, restStart: d.restStart + start } : null;
}

/** Hover for the Py_LIMITED_API define or a version guard on a line. */
export function hoverForDirective(text: string, line: number, target: Target | null, starts?: number[]): string | null {
  const d = directiveAt(text, line, starts);
  if (!d) return null;
  if (d.name === 'define') {
    const defs = findTargetDefines('', [d]);
    const t = defs[0];
    if (!t || t.macro === 'Py_GIL_DISABLED') return null;
    if (!t.decoded.ok) return `**${t.macro}**: invalid value. ${t.decoded.reason}`;
    return `**${t.macro}** = ${minorToHex(t.decoded.minor)} → Python ${minorToString(t.decoded.minor)}${t.macro === 'Py_TARGET_ABI3T' ? ' (abi3t)' : ''}\n\n${target ? `Effective target: ${target.abi3t ? 'abi3t' : 'abi3'} ${minorToString(target.minor)} from ${describeSource(target)}` : ''}`;
  }
  if (d.name === 'if' || d.name === 'elif') {
    const hexes = [...d.rest.matchAll(/0[xX]0?3([0-9a-fA-F]{2})[0-9a-fA-F]{4}\b/g)].map((m) => `\`${m[0]}\` = ${minorToString(parseInt(m[1], 16))}`);
    const packs = [...d.rest.matchAll(/Py_PACK_VERSION\s*\(\s*3\s*,\s*(\d+)\s*\)/g)].map((m) => `\`${m[0]}\` = 3.${m[1]}`);
    const all = [...hexes, ...packs];
    if (!all.length && !/Py_LIMITED_API|PY_VERSION_HEX/.test(d.rest)) return null;
    const t = target ? `Target: ${target.abi3t ? 'abi3t' : 'abi3'} ${minorToString(target.minor)} (${describeSource(target)})` : 'No Limited API target for this file';
    // (with a target, ABI008's diagnostic on the same line says it: the hover does not repeat it)
    const hexNote = !target && /PY_VERSION_HEX/.test(d.rest) ? '\n\nPY_VERSION_HEX is the version of the build headers, not of the Python that loads an abi3 binary.' : '';
    return `${all.join(', ')}${all.length ? '\n\n' : ''}${t}${hexNote}`;
  }
  return null;
}

/** What data/behaviour.json says of a slot or flag name (older Pythons refuse or ignore it). */
function behaviourOf(name: string): Fact | undefined {
  const b = loadBehaviour();
  return b.typeSlots.get(name) ?? b.moduleSlots.get(name) ?? b.flags.get(name);
}

const behaviourFloor = (name: string): string | null => behaviourOf(name)?.version ?? null;

export interface CompletionCandidate {
  name: string;
  kind: CapiEntry['kind'];
  detail: string;
  valid: boolean;
  deprecated: boolean;
}

/** C API names starting with `prefix`, those valid at the target first; invalid ones only for longer prefixes. */
export function completions(prefix: string, target: Target | null, limit = 200, cat: Catalog = loadCatalog()): CompletionCandidate[] {
  if (prefix.length < 2) return [];
  const valid: CompletionCandidate[] = [];
  const invalid: CompletionCandidate[] = [];
  for (const [name, e] of cat.names) {
    if (!name.startsWith(prefix) || name.includes(' ')) continue;
    const st = target ? statusAt(e, name, target.minor, target.abi3t) : e.limitedSince ? { kind: 'limited' as const } : { kind: 'not-limited' as const };
    const newer = target ? behaviourFloor(name) : null;
    const ok = st.kind === 'limited' && !(newer && target && minorNumber(newer) > target.minor);
    const detail = st.kind === 'limited' && newer && !ok
      ? `needs Python ${newer} at run time (ABI016)`
      : ok
      ? `Limited API since ${e.limitedSince ?? '?'}`
      : st.kind === 'too-new'
        ? `needs Limited API ${minorToString(st.since)}`
        : `not in the Limited API${target ? ` ${minorToString(target.minor)}` : ''}`;
    const c = { name, kind: e.kind, detail, valid: ok, deprecated: !!e.deprecated };
    if (ok) valid.push(c);
    else if (!e.private) invalid.push(c);
  }
  valid.sort((a, b) => a.name.localeCompare(b.name));
  invalid.sort((a, b) => a.name.localeCompare(b.name));
  // names outside the target only once the user has typed enough to be asking for one
  return [...valid, ...(prefix.length >= 4 ? invalid : [])].slice(0, limit);
}
