/**
 * The one settings schema, shared by the language server (VS Code `abi3lint.*` settings) and the CLI.
 * package.json's `contributes.configuration` is kept in sync with it by a test.
 */
import { z } from 'zod';
import { parseTargetOption } from './version';

export const SEVERITY_LEVELS = ['error', 'warning', 'info', 'hint', 'off'] as const;

export const SettingsSchema = z.strictObject({
  /** Target for files whose source and build configuration define none: "3.9", "cp39" or "0x03090000". */
  target: z
    .string()
    .nullable()
    .default('')
    .refine((v) => v === null || v === '' || parseTargetOption(v).ok, { message: 'not a Python version (use 3.X or 0x03XX0000)' })
    .describe('Limited API target (3.X) for files whose source and build configuration define none. Empty: such files are not checked.'),
  abi3t: z.boolean().default(false).describe('Check against abi3t, the stable ABI of free-threaded builds (3.15+), as if Py_TARGET_ABI3T were defined.'),
  severity: z
    .record(z.string().regex(/^(ABI0\d\d|[a-z0-9-]+)$/), z.enum(SEVERITY_LEVELS))
    .default({})
    .describe('Severity per rule, by code or name, e.g. {"ABI014": "off", "py-version-hex-guard": "error"}.'),
  exclude: z.array(z.string()).default([]).describe('Glob patterns (relative to the workspace folder) of files not to check.'),
  includeDirs: z
    .array(z.string())
    .default([])
    .describe('Extra folders (inside the workspace) searched for project headers named by #include "...".'),
  logLevel: z.enum(['off', 'error', 'warn', 'info', 'debug']).default('info').describe('How much the language server logs to its output channel.'),
});

export type Settings = z.infer<typeof SettingsSchema>;
export const DEFAULT_SETTINGS: Settings = SettingsSchema.parse({});

/** List settings keep at most this many entries, each at most MAX_ENTRY_LENGTH characters. */
export const MAX_LIST_ENTRIES = 256;
export const MAX_ENTRY_LENGTH = 1024;
/** Names in messages are cut to this length, and at most this many are listed. */
const NAME_LENGTH = 60;
const NAMES_LISTED = 5;

const shortName = (s: string): string => JSON.stringify(s.length > NAME_LENGTH ? s.slice(0, NAME_LENGTH) + '…' : s);
const listed = (names: string[]): string => names.slice(0, NAMES_LISTED).map(shortName).join(', ') + (names.length > NAMES_LISTED ? ` and ${names.length - NAMES_LISTED} more` : '');

/** Unknown keys go, in one summarised problem (100,000 of them are one message, not 100,000). */
function dropUnknownKeys(input: Record<string, unknown>, problems: string[]): void {
  const known = new Set(Object.keys(SettingsSchema.shape));
  const unknown = Object.keys(input).filter((k) => !known.has(k));
  for (const k of unknown) delete input[k];
  if (unknown.length === 1) problems.push(`abi3lint.${shortName(unknown[0]).slice(1, -1)}: unknown setting (ignored)`);
  else if (unknown.length) problems.push(`${unknown.length} unknown abi3lint settings ignored: ${listed(unknown)}`);
}

/** `exclude` and `includeDirs`: deduplicated, capped in count and length (they may come from an untrusted
 *  repository's .vscode/settings.json). */
function capLists(input: Record<string, unknown>, problems: string[]): void {
  for (const key of ['exclude', 'includeDirs']) {
    const v = input[key];
    if (!Array.isArray(v)) continue;
    const strings = v.filter((x): x is string => typeof x === 'string');
    const long = strings.filter((x) => x.length > MAX_ENTRY_LENGTH).length;
    const unique = [...new Set(strings.filter((x) => x.length <= MAX_ENTRY_LENGTH))];
    if (long) problems.push(`abi3lint.${key}: ${long} entries over ${MAX_ENTRY_LENGTH} characters ignored`);
    if (unique.length > MAX_LIST_ENTRIES) problems.push(`abi3lint.${key}: ${unique.length} entries, only the first ${MAX_LIST_ENTRIES} are used`);
    if (strings.length === v.length) input[key] = unique.slice(0, MAX_LIST_ENTRIES);
  }
}

/** Severity keys that name no rule are reported (they would pass silently: `constructor`, a typo). */
function unknownRules(input: Record<string, unknown>, problems: string[], isRule?: (k: string) => boolean): void {
  const sev = input.severity;
  if (!isRule || !sev || typeof sev !== 'object' || Array.isArray(sev)) return;
  const unknown = Object.keys(sev).filter((k) => !isRule(k));
  if (!unknown.length) return;
  problems.push(`abi3lint.severity: unknown rule${unknown.length > 1 ? 's' : ''} ${listed(unknown)} (ignored)`);
  input.severity = Object.fromEntries(Object.entries(sev).filter(([k]) => isRule(k)));
}

/**
 * Validates raw settings. Bad values never throw: each is reported once by name and replaced by its default.
 * `isRule` tells rule codes and names apart from unknown severity keys.
 */
export function parseSettings(raw: unknown, isRule?: (key: string) => boolean): { settings: Settings; problems: string[]; invalid: Record<string, unknown> } {
  const input: Record<string, unknown> = raw && typeof raw === 'object' && !Array.isArray(raw) ? { ...(raw as Record<string, unknown>) } : {};
  const problems: string[] = [];
  dropUnknownKeys(input, problems);
  capLists(input, problems);
  unknownRules(input, problems, isRule);
  const res = SettingsSchema.safeParse(input);
  if (res.success) return { settings: res.data, problems, invalid: {} };
  const bad = new Set<string>();
  for (const issue of res.error.issues) {
    const key = String(issue.path[0] ?? '');
    if (!bad.has(key)) problems.push(`abi3lint.${key}: ${issue.message.slice(0, 200)} (using the default)`);
    bad.add(key);
  }
  const invalid: Record<string, unknown> = {};
  for (const k of bad) {
    invalid[k] = input[k];
    delete input[k];
  }
  const retry = SettingsSchema.safeParse(input);
  return { settings: retry.success ? retry.data : DEFAULT_SETTINGS, problems, invalid };
}
