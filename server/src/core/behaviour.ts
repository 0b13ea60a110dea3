/**
 * data/behaviour.json: what compiles and links at a target yet behaves differently on another Python (curated
 * facts, each proven at run time by a proof module under test/runtime/ or marked with why it cannot be).
 *
 * A fact's direction:
 * - `needs`: the behaviour exists from `version`; older Pythons do `otherSide` (ABI016 when version > target);
 * - `rejected`: Pythons from `version` reject or change what older ones accepted (ABI017: the wheel stops
 *   working on a future 3.x);
 * - `headers`: what the build headers' version decides, whatever Python runs the module.
 * `construct` says what a static check looks for; kind `runtime` facts have no static check.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { dataDir } from './catalog';

const minor = z.string().regex(/^3\.\d+$/);

export const ConstructSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('format-unit'), family: z.enum(['PyArg_Parse', 'Py_BuildValue', 'PyUnicode_FromFormat']), unit: z.string().min(1) }),
  z.strictObject({ kind: z.literal('type-slot'), slot: z.string(), id: z.number().int() }),
  z.strictObject({ kind: z.literal('module-slot'), slot: z.string(), id: z.number().int() }),
  z.strictObject({ kind: z.literal('slot-value'), slot: z.string(), value: z.enum(['NULL', 'non-tuple', 'tuple']) }),
  z.strictObject({ kind: z.literal('spec-flag'), flag: z.string(), value: z.number().int() }),
  z.strictObject({ kind: z.literal('spec-field'), field: z.literal('basicsize'), value: z.literal('negative') }),
  z.strictObject({ kind: z.literal('argument'), function: z.string(), index: z.number().int().min(0), value: z.enum(['NULL', 'static-type', 'non-tuple']), when: z.string().optional() }),
  z.strictObject({ kind: z.literal('member-name'), name: z.string() }),
  z.strictObject({ kind: z.literal('member-flag'), flag: z.string(), value: z.number().int() }),
  z.strictObject({ kind: z.literal('method-flag'), flag: z.string(), value: z.number().int() }),
  z.strictObject({ kind: z.literal('hash-units'), clean: z.boolean(), headers: minor.optional(), family: z.enum(['PyArg_Parse', 'Py_BuildValue']).optional() }),
  z.strictObject({ kind: z.literal('header-macro'), macro: z.string(), headers: minor }),
  z.strictObject({ kind: z.literal('runtime'), function: z.string().optional(), family: z.string().optional(), unit: z.string().optional(), flag: z.string().optional(), slot: z.string().optional(), id: z.number().optional(), where: z.string().optional() }),
]);
export type Construct = z.infer<typeof ConstructSchema>;

/** Which Pythons an expectation covers: "3.9", "3.10-3.12" or "3.13-" (and later). */
const range = z.string().regex(/^3\.\d+(-(3\.\d+)?)?$/);

export const ProofSchema = z.strictObject({
  file: z.string().regex(/^test\/runtime\/[a-z0-9-]+\.c$/),
  /** Py_LIMITED_API of the build. */
  target: minor,
  /** The headers it is built with. */
  headers: minor,
  defines: z.array(z.string()).optional(),
  /** Per range of Pythons, the outcome: "status: detail prefix [warnings prefix]" (scripts/runtime.ts). */
  expect: z.record(range, z.string()),
});
export type Proof = z.infer<typeof ProofSchema>;

export const FactSchema = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9_-]+$/),
  title: z.string(),
  construct: ConstructSchema,
  direction: z.enum(['needs', 'rejected', 'headers']),
  version: minor,
  /** What happens on the other side of `version`. */
  otherSide: z.string(),
  outcome: z.enum(['crash', 'exception', 'silent', 'warning', 'none']),
  docs: z.string().url(),
  detect: z.enum(['source', 'heuristic', 'runtime']),
  wayOut: z.string(),
  proofs: z.array(ProofSchema).optional(),
  /** Why no runtime proof exists, and the header or docs citation the fact rests on instead. */
  unproven: z.strictObject({ why: z.string(), citation: z.string() }).optional(),
  /** The runtime proof contradicts the claim: kept as a record, used by no rule. */
  refuted: z.string().optional(),
});
export type Fact = z.infer<typeof FactSchema>;

export const BehaviourFileSchema = z.strictObject({ version: z.literal(1), docsBase: z.string().url(), facts: z.array(FactSchema) });

/** The facts, indexed for the rules. */
export interface Behaviour {
  facts: Fact[];
  /** Format units by family ("PyArg_Parse", "Py_BuildValue", "PyUnicode_FromFormat") then unit. */
  units: Map<string, Map<string, Fact>>;
  typeSlots: Map<string, Fact>;
  moduleSlots: Map<string, Fact>;
  /** "slot:value" → fact. */
  slotValues: Map<string, Fact>;
  flags: Map<string, Fact>;
  memberNames: Map<string, Fact>;
  /** "function:index:value" → fact. */
  arguments: Map<string, Fact>;
  byId: Map<string, Fact>;
}

let cached: Behaviour | null = null;

export const minorNumber = (v: string): number => Number(v.split('.')[1]);

/** Loads data/behaviour.json (validated by the tests; here only its version is checked). */
export function loadBehaviour(): Behaviour {
  if (cached) return cached;
  const file = path.join(dataDir(), 'behaviour.json');
  const data = JSON.parse(fs.readFileSync(file, 'utf8')) as z.infer<typeof BehaviourFileSchema>;
  if (data.version !== 1) throw new Error(`abi3lint: ${file} has an unexpected format (version ${String(data.version)})`);
  const b: Behaviour = { facts: data.facts, units: new Map(), typeSlots: new Map(), moduleSlots: new Map(), slotValues: new Map(), flags: new Map(), memberNames: new Map(), arguments: new Map(), byId: new Map() };
  for (const f of data.facts) {
    b.byId.set(f.id, f);
    if (f.refuted || f.outcome === 'none') continue;
    const c = f.construct;
    if (c.kind === 'format-unit') {
      if (!b.units.has(c.family)) b.units.set(c.family, new Map());
      b.units.get(c.family)!.set(c.unit, f);
    } else if (c.kind === 'type-slot') b.typeSlots.set(c.slot, f);
    else if (c.kind === 'module-slot') b.moduleSlots.set(c.slot, f);
    else if (c.kind === 'slot-value') b.slotValues.set(`${c.slot}:${c.value}`, f);
    else if (c.kind === 'spec-flag' || c.kind === 'member-flag' || c.kind === 'method-flag') b.flags.set(c.flag, f);
    else if (c.kind === 'member-name') b.memberNames.set(c.name, f);
    else if (c.kind === 'argument') b.arguments.set(`${c.function}:${c.index}:${c.value}`, f);
  }
  cached = b;
  return b;
}
