/**
 * Where a file uses a construct of data/behaviour.json: format units, slot ids and values in slot arrays, flags
 * and the negative basicsize of type specs, special member names, and literal arguments. Shared by ABI016
 * (behaviour newer than the target) and ABI017 (rejected by newer Pythons); computed once per analysis.
 * Inactive code at the target is skipped.
 */
import { callOfIdentifier } from '../declarations';
import { plainCallArguments, type ArgRange } from '../plainCall';
import { loadBehaviour, minorNumber, type Behaviour, type Fact } from '../behaviour';
import { FORMAT_FUNCTIONS, decodeLiterals, formatUnits, stringMacros, type Decoded, type Family, type FormatUnit } from '../formats';
import { nodeAt, pathTo } from '../locate';
import type { Node } from '../parser';
import type { Fix } from '../types';
import type { RuleContext } from './rule';

export interface Site {
  fact: Fact;
  start: number;
  end: number;
  /** What the site is, as written (a unit, a slot entry, a flag). */
  text: string;
  /** For `{Py_tp_doc, NULL}`-like entries: the range of the whole entry (a fix can drop it). */
  entry?: { start: number; end: number };
}

const cache = new WeakMap<object, { key: string; sites: Site[] }>();

export function sitesOf(cx: RuleContext): Site[] {
  const key = `${cx.target.minor}:${cx.target.abi3t}`;
  const hit = cache.get(cx.tree);
  if (hit && hit.key === key) return hit.sites;
  const b = loadBehaviour();
  const finder = new SiteFinder(cx, b);
  const sites = [...finder.formats(), ...finder.slotEntries(), ...finder.flags(), ...finder.negativeBasicsize(), ...finder.memberNames(), ...finder.arguments()];
  sites.sort((x, y) => x.start - y.start);
  cache.set(cx.tree, { key, sites });
  return sites;
}

/** A call of a function that takes a format string. */
const FORMAT_CALL = new RegExp(`\\b(${[...FORMAT_FUNCTIONS.keys()].join('|')})\\s*\\(`, 'g');

const notComment = (n: Node | null): n is Node => !!n && n.type !== 'comment';

/** The argument nodes of a call. */
export function callArguments(call: Node): Node[] {
  return call.childForFieldName('arguments')?.namedChildren.filter(notComment) ?? [];
}

/** Whether PY_SSIZE_T_CLEAN is defined in the file (before Python.h or anywhere active). */
function ssizeClean(cx: RuleContext): boolean {
  for (const m of cx.doc.text.matchAll(/^[ \t]*#[ \t]*define[ \t]+PY_SSIZE_T_CLEAN\b/gm)) {
    if (!cx.pp.isInactive(cx.pos.position(m.index ?? 0).line)) return true;
  }
  return false;
}

/** The nearest initializer list around the last node of `path` (a path from the root, locate.ts), unless a call
 *  or a function body comes first. */
function enclosingInitializer(path: Node[]): Node | null {
  for (let i = path.length - 2; i >= 0; i--) {
    const cur = path[i];
    if (cur.type === 'initializer_list') return cur;
    if (cur.type === 'call_expression' || cur.type === 'compound_statement' || cur.type === 'translation_unit') return null;
  }
  return null;
}

/** The declared type of the declaration an initializer list belongs to ("PyType_Slot" for `PyType_Slot s[] = {...}`). */
function declaredTypeOf(list: Node): string | null {
  for (let cur: Node | null = list; cur; cur = cur.parent) {
    if (cur.type === 'declaration') return cur.childForFieldName('type')?.text ?? null;
    if (cur.type === 'compound_statement' || cur.type === 'translation_unit') return null;
  }
  return null;
}

class SiteFinder {
  private readonly text: string;
  private macros: Map<string, Decoded> | null = null;

  constructor(
    private readonly cx: RuleContext,
    private readonly b: Behaviour,
  ) {
    this.text = cx.doc.text;
  }

  private active(at: number): boolean {
    return !this.cx.pp.isInactive(this.cx.pos.position(at).line);
  }

  /** Some header version declares the name at the target (Y, or G: only newer headers, which then build a
   *  module that meets the behaviour): code using it can reach a Python. A name no header declares at the
   *  target (N) is the compiler's and ABI001/ABI002's. */
  private visible(name: string): boolean {
    const c = this.cx.cat.names.get(name)?.limited?.[this.cx.tIdx];
    return c === 'Y' || c === 'G';
  }

  private formatOf(arg: Node): Decoded | null {
    if (arg.type === 'string_literal' || arg.type === 'concatenated_string') return decodeLiterals(arg.text, arg.startIndex);
    if (arg.type === 'identifier') return (this.macros ??= stringMacros(this.text)).get(arg.text) ?? null;
    return null;
  }

  *formats(): Generator<Site> {
    let clean: boolean | null = null;
    for (const m of this.text.matchAll(FORMAT_CALL)) {
      const start = m.index ?? 0;
      if (!this.active(start)) continue;
      const { family, arg } = FORMAT_FUNCTIONS.get(m[1])!;
      const plain = plainCallArguments(this.text, start, start + m[1].length);
      if (plain && !plain.some((a) => this.mayHaveFormatSite(family, a))) continue;
      const call = callOfIdentifier(this.cx.tree, start, start + m[1].length);
      if (!call) continue;
      const fmtArg = callArguments(call)[arg];
      const d = fmtArg ? this.formatOf(fmtArg) : null;
      if (!d) continue;
      // a format from a macro is reported at its use, naming the macro
      const viaMacro = fmtArg.type === 'identifier';
      const at = (u: FormatUnit): Site['start'] => (viaMacro ? fmtArg.startIndex : u.start);
      const to = (u: FormatUnit): Site['end'] => (viaMacro ? fmtArg.endIndex : u.end);
      const text = (u: FormatUnit): string => (viaMacro ? `${u.text}' in '${fmtArg.text}` : u.text);
      const units = formatUnits(family, d);
      for (const u of units) {
        const fact = this.b.units.get(family)?.get(u.key);
        if (fact) yield { fact, start: at(u), end: to(u), text: text(u) };
      }
      // From 3.13 "#" lengths are Py_ssize_t whatever PY_SSIZE_T_CLEAN says: only older targets meet either break.
      const hashed = this.cx.target.minor < 13 ? units.find((u) => u.hash) : undefined;
      if (hashed && family !== 'PyUnicode_FromFormat') {
        clean ??= ssizeClean(this.cx);
        const fact = this.hashFact(family, clean);
        if (fact) yield { fact, start: at(hashed), end: to(hashed), text: text(hashed) };
      }
    }
  }

  /** Whether an argument, read from the text, can hold a unit that formats() reports (a string with such a unit,
   *  or a macro naming one): only then is the call looked up in the tree. */
  private mayHaveFormatSite(family: Family, a: ArgRange): boolean {
    const src = this.text.slice(a.start, a.end);
    const d = /^[A-Za-z_]\w*$/.test(src) ? (this.macros ??= stringMacros(this.text)).get(src) : decodeLiterals(src, a.start);
    if (!d) return false;
    const facts = this.b.units.get(family);
    const hashes = this.cx.target.minor < 13 && family !== 'PyUnicode_FromFormat';
    return formatUnits(family, d).some((u) => facts?.has(u.key) || (hashes && u.hash));
  }

  private hashFact(family: Family, clean: boolean): Fact | undefined {
    return this.b.facts.find((f) => f.construct.kind === 'hash-units' && f.construct.clean === clean && (f.construct.family ?? 'PyArg_Parse') === family && !f.refuted && f.outcome !== 'none');
  }

  *slotEntries(): Generator<Site> {
    // (each pass below first asks whether its construct can be in the file at all: a keystroke in a 16k-line
    // file pays a whole-text regex per pass otherwise)
    if (!this.text.includes('_Slot')) return;
    const ids = new Set([...this.b.typeSlots.values(), ...this.b.moduleSlots.values()].map((f) => ('id' in f.construct ? String(f.construct.id) : '')));
    const valued = new Set([...this.b.slotValues.keys()].map((k) => k.split(':')[0]));
    for (const m of this.text.matchAll(/\{\s*(Py_(?:tp|am|mod|bf|nb|sq|mp)_\w+|\d+)\s*,\s*([^{};]*?)\s*\}/g)) {
      // only entries that can matter (not every {0, NULL} sentinel) reach the tree
      if (!(ids.has(m[1]) || this.b.typeSlots.has(m[1]) || this.b.moduleSlots.has(m[1]) || valued.has(m[1]))) continue;
      const start = (m.index ?? 0) + m[0].indexOf(m[1]);
      if (!this.active(start)) continue;
      const { node: brace, parent } = nodeAt(this.cx.tree.rootNode, m.index ?? 0, (m.index ?? 0) + 1);
      const list = brace.type === '{' ? parent : brace;
      if (!list || list.type !== 'initializer_list' || list.startIndex !== m.index) continue;
      const entry = { start: list.startIndex, end: list.endIndex };
      const slot = /^\d+$/.test(m[1]) ? this.slotById(list, Number(m[1])) : m[1];
      if (!slot) continue;
      const fact = this.b.typeSlots.get(slot) ?? this.b.moduleSlots.get(slot);
      const value = m[2];
      // a value no header declares at the target ({Py_mod_gil, Py_MOD_GIL_NOT_USED} at 3.9) never compiles there
      const valueCompiles = !/^[A-Za-z_]\w*$/.test(value) || this.cx.cat.names.get(value)?.limited?.[this.cx.tIdx] !== 'N' || this.cx.project.owns(value);
      if (fact && valueCompiles && (slot !== m[1] || this.visible(slot))) yield { fact, start, end: start + m[1].length, text: m[1], entry };
      const kind = /^(\(\s*void\s*\*\s*\)\s*)?(NULL|0)$/.test(value) ? 'NULL' : /^(\(\s*\w+\s*\*\s*\)\s*)?&\s*\w+$/.test(value) ? 'non-tuple' : null;
      const vf = kind ? this.b.slotValues.get(`${slot}:${kind}`) : undefined;
      if (vf) yield { fact: vf, start: list.startIndex, end: list.endIndex, text: m[0], entry };
    }
  }

  /** A numeric slot id in an array declared as PyType_Slot[] or PyModuleDef_Slot[]: the slot's name. */
  private slotById(entry: Node, id: number): string | null {
    const outer = entry.parent?.type === 'initializer_list' ? entry.parent : null;
    const type = outer ? declaredTypeOf(outer) : null;
    const table = type === 'PyType_Slot' ? this.b.typeSlots : type === 'PyModuleDef_Slot' ? this.b.moduleSlots : null;
    for (const [name, f] of table ?? []) if ('id' in f.construct && f.construct.id === id) return name;
    return null;
  }

  *flags(): Generator<Site> {
    const names = [...this.b.flags.keys()].filter((n) => ['spec-flag', 'method-flag'].includes(this.b.flags.get(n)!.construct.kind) && this.text.includes(n));
    if (!names.length) return;
    for (const m of this.text.matchAll(new RegExp(`\\b(${names.join('|')})\\b`, 'g'))) {
      const start = m.index ?? 0;
      if (!this.active(start) || !this.visible(m[1])) continue;
      const path = pathTo(this.cx.tree.rootNode, start, start + m[1].length);
      if (path[path.length - 1].type !== 'identifier' || !enclosingInitializer(path)) continue;
      yield { fact: this.b.flags.get(m[1])!, start, end: start + m[1].length, text: m[1] };
    }
  }

  *negativeBasicsize(): Generator<Site> {
    const fact = this.b.facts.find((f) => f.construct.kind === 'spec-field' && !f.refuted);
    if (!fact || !this.text.includes('PyType_Spec')) return;
    for (const m of this.text.matchAll(/\bPyType_Spec\b[^;{}()]*=\s*\{/g)) {
      const brace = (m.index ?? 0) + m[0].length - 1;
      if (!this.active(brace)) continue;
      const { node, parent } = nodeAt(this.cx.tree.rootNode, brace, brace + 1);
      const list = node.type === '{' ? parent : node;
      if (!list || list.type !== 'initializer_list') continue;
      const items = list.namedChildren.filter(notComment);
      const designated = items.find((c) => c.type === 'initializer_pair' && /^\.\s*basicsize\b/.test(c.text));
      const size = designated ? designated.childForFieldName('value') : items[0]?.type !== 'initializer_pair' ? items[1] : null;
      if (size && /^-/.test(size.text)) yield { fact, start: size.startIndex, end: size.endIndex, text: size.text };
    }
  }

  *memberNames(): Generator<Site> {
    const names = [...this.b.memberNames.keys()].filter((n) => this.text.includes(n));
    if (!names.length) return;
    for (const m of this.text.matchAll(new RegExp(`"(${names.join('|')})"`, 'g'))) {
      const start = m.index ?? 0;
      if (!this.active(start)) continue;
      const path = pathTo(this.cx.tree.rootNode, start, start + m[0].length);
      const at = path.length - 1;
      const lit = path[at].type === 'string_literal' ? at : path[at - 1]?.type === 'string_literal' ? at - 1 : -1;
      if (lit < 0 || !enclosingInitializer(path.slice(0, lit + 1))) continue;
      yield { fact: this.b.memberNames.get(m[1])!, start, end: start + m[0].length, text: m[0] };
    }
  }

  *arguments(): Generator<Site> {
    const byFunction = new Map<string, Fact[]>();
    for (const [k, f] of this.b.arguments) {
      const fn = k.split(':')[0];
      if (this.text.includes(fn)) byFunction.set(fn, [...(byFunction.get(fn) ?? []), f]);
    }
    if (!byFunction.size) return;
    for (const m of this.text.matchAll(new RegExp(`\\b(${[...byFunction.keys()].join('|')})\\s*\\(`, 'g'))) {
      const start = m.index ?? 0;
      if (!this.active(start)) continue;
      // (read from the text first: a call none of whose arguments has a checked value is not looked up)
      const plain = plainCallArguments(this.text, start, start + m[1].length);
      const facts = byFunction.get(m[1])!;
      if (plain && !plain.some((a) => facts.some((f) => f.construct.kind === 'argument' && argumentTextIs(this.text.slice(a.start, a.end), f.construct.value)))) continue;
      const call = callOfIdentifier(this.cx.tree, start, start + m[1].length);
      if (!call) continue;
      const args = callArguments(call);
      for (const f of byFunction.get(m[1])!) {
        if (f.construct.kind !== 'argument') continue;
        const a = args[f.construct.index];
        if (a && argumentIs(a, f.construct.value, args, f.construct.when)) yield { fact: f, start: a.startIndex, end: a.endIndex, text: a.text };
      }
    }
  }
}

const STATIC_TYPE = /^(\(\s*\w+\s*\*\s*\)\s*)?&\s*\(?\s*Py\w*_Type\s*\)?$/;
const ADDRESS = /^(\(\s*\w+\s*\*\s*\)\s*)?&\s*\(?\s*\w+\s*\)?$/;

type ArgumentValue = 'NULL' | 'static-type' | 'non-tuple';

/** Whether an argument's text is of the kind a fact names. */
function argumentTextIs(text: string, value: ArgumentValue): boolean {
  const t = text.replace(/\s+/g, ' ').trim();
  if (value === 'NULL') return /^(\(\s*\w+\s*\*\s*\)\s*)?(NULL|0)$/.test(t);
  if (value === 'static-type') return STATIC_TYPE.test(t);
  return ADDRESS.test(t);
}

function argumentIs(a: Node, value: ArgumentValue, args: Node[], when: string | undefined): boolean {
  if (!argumentTextIs(a.text, value)) return false;
  // "size>0": the next argument is not a literal 0
  return value !== 'NULL' || when !== 'size>0' || !/^\(?\s*0\s*\)?$/.test(args[1]?.text.trim() ?? '0');
}

export const factVersion = (f: Fact): number => minorNumber(f.version);

const sentence = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1) + (/[.!?]$/.test(s) ? '' : '.');

/** When the site sits under `#if PY_VERSION_HEX >= V` with V at or past the fact's version: why that is no help. */
export function guardNote(cx: RuleContext, site: Site): string {
  const line = cx.pos.position(site.start).line;
  return cx.headerFloor(line) >= factVersion(site.fact)
    ? ' The PY_VERSION_HEX guard around it does not protect: it tests the headers of the build, not the Python that runs the wheel (use Py_LIMITED_API+0 in the condition).'
    : '';
}

/** The fixes of a site: a safe edit where one keeps behaviour (dropping `{Py_tp_doc, NULL}`), else the way out as a hint. */
export function siteFixes(cx: RuleContext, site: Site): Fix[] {
  const hint: Fix = { kind: 'hint', title: `Hint: ${site.fact.wayOut}`, safety: 'display-only', edits: [] };
  if (site.fact.id !== 'tp-doc-null' || !site.entry) return [hint];
  const text = cx.doc.text;
  let end = site.entry.end;
  const comma = /^\s*,[ \t]*/.exec(text.slice(end));
  if (comma) end += comma[0].length;
  let start = site.entry.start;
  // the whole line when the entry is alone on it
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  const rest = /^[ \t]*(\r?\n)?/.exec(text.slice(end))!;
  if (/^[ \t]*$/.test(text.slice(lineStart, start)) && rest[1]) {
    start = lineStart;
    end += rest[0].length;
  }
  const range = cx.pos.range(start, end);
  return [{ kind: 'replace', title: 'Drop the {Py_tp_doc, NULL} entry (a type without a doc slot has no docstring on every version)', safety: 'safe', edits: [{ range, newText: '' }] }, hint];
}

export function siteMessage(cx: RuleContext, site: Site, lead: string): string {
  const f = site.fact;
  return `'${site.text.replace(/\s+/g, ' ')}': ${f.title} ${lead}: ${f.otherSide}. ${sentence(f.wayOut)}${guardNote(cx, site)}`;
}
