/**
 * The shape of data/capi.json, validated with zod when it is generated (scripts/build-data.ts) and in tests.
 *
 * Per-target strings (`limited`, `limitedComplete`) hold one character per Limited API target, from 3.2 to
 * the newest header version (TARGET_MINORS), for `limited`:
 *   Y  declared by every header version >= T when built with Py_LIMITED_API=T (and the manifest agrees)
 *   N  declared by none
 *   M  declared by the headers, but the manifest adds it after T (the binary would not load on T)
 *   G  declared only by newer headers at this target (a missing version guard: too new for T)
 *   R  declared by older headers at this target and dropped by a later one (removed from the Limited API)
 * and for `limitedComplete` (structs) Y where the members are visible at T.
 */
import { z } from 'zod';

export const HEADER_MINORS = [6, 7, 8, 9, 10, 11, 12, 13, 14, 15] as const;
export const TARGET_MINORS = [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15] as const;

const version = z.string().regex(/^3\.\d+$/);
const perTarget = z.string().regex(new RegExp(`^[YNMGR]{${TARGET_MINORS.length}}$`));

export const CapiEntrySchema = z.strictObject({
  kind: z.enum(['function', 'inline', 'macro', 'const', 'typedef', 'struct', 'union', 'enum', 'enumerator', 'data']),
  header: z.string(),
  signature: z.string(),
  firstHeader: version.optional(),
  lastHeader: version.optional(),
  limited: perTarget.optional(),
  limitedSince: version.optional(),
  /** Per target, the form of the name in the newest headers: f function, i static inline, m function-like
   *  macro (also when a macro shadows an exported function), c object-like macro, d data, t typedef,
   *  s struct/union, e enum/enumerator, - not declared. */
  limitedForms: z.string().regex(new RegExp(`^[fimcdtse-]{${TARGET_MINORS.length}}$`)).optional(),
  limitedRemovedIn: version.optional(),
  /** For names some targets only get from newer headers ('G'): per target, the first header version that
   *  declares it there, as a hex digit of the minor ('c' = 3.12), '-' for none. */
  limitedFirstHeader: z.string().regex(new RegExp(`^[0-9a-f-]{${TARGET_MINORS.length}}$`)).optional(),
  /** For 'G' targets: Y where every newer header that declares the name at the target declares a macro or
   *  static inline (no exported symbol): code that only those headers compile needs nothing of a newer Python. */
  limitedInline: perTarget.optional(),
  limitedComplete: perTarget.optional(),
  members: z.array(z.string()).optional(),
  limitedMembers: z.array(z.string()).optional(),
  tag: z.string().optional(),
  abi3t: z.union([z.literal(true), z.literal('opaque')]).optional(),
  manifest: z
    .strictObject({
      kind: z.string(),
      added: version.optional(),
      abiOnly: z.literal(true).optional(),
      ifdef: z.string().optional(),
      structKind: z.string().optional(),
      members: z.array(z.string()).optional(),
    })
    .optional(),
  private: z.literal(true).optional(),
  removedIn: version.optional(),
  deprecated: z.union([version, z.literal('?')]).optional(),
  docs: z.string().optional(),
  addedInDocs: version.optional(),
  /** Superseded patch releases whose headers declare the name as an exported function at targets where the
   *  release that replaced them does not (3.13.0 and PyObject_DelAttr): a binary built with those headers needs
   *  the symbol of that minor version. */
  superseded: z.array(z.strictObject({ release: z.string().regex(/^3\.\d+\.\d+$/), targets: z.array(version) })).optional(),
  docsRemovedIn: version.optional(),
  returns: z.enum(['new', 'borrowed', 'null']).optional(),
  steals: z.array(z.number().int().nonnegative()).optional(),
});

export const CapiDataSchema = z.strictObject({
  version: z.literal(1),
  headerVersions: z.array(version),
  targets: z.array(version),
  sources: z.record(z.string(), z.union([z.string(), z.record(z.string(), z.string())])),
  names: z.record(z.string(), CapiEntrySchema),
  /** Names declared only under Py_BUILD_CORE (Include/internal), newest headers. */
  internal: z.array(z.string()),
  /** C library headers Python.h includes directly: per target whether every header version from T on still
   *  includes it under the Limited API (Y/N), and the public names it declares (with its own includes). */
  libc: z.record(z.string(), z.strictObject({ included: perTarget, names: z.array(z.string()) })),
  disagreements: z.array(z.strictObject({ name: z.string(), target: z.string(), issue: z.string() })),
});

export type CapiEntry = z.infer<typeof CapiEntrySchema>;
export type CapiData = z.infer<typeof CapiDataSchema>;
