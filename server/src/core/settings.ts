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
    .default(null)
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

/**
 * Validates raw settings. Bad values never throw: each is reported once by name and replaced by its default.
 */
export function parseSettings(raw: unknown): { settings: Settings; problems: string[] } {
  const input = raw && typeof raw === 'object' ? { ...(raw as Record<string, unknown>) } : {};
  const problems: string[] = [];
  const known = Object.keys(SettingsSchema.shape);
  for (const k of Object.keys(input)) {
    if (!known.includes(k)) {
      problems.push(`abi3lint.${k}: unknown setting (ignored)`);
      delete input[k];
    }
  }
  const res = SettingsSchema.safeParse(input);
  if (res.success) return { settings: res.data, problems };
  const bad = new Set<string>();
  for (const issue of res.error.issues) {
    const key = String(issue.path[0] ?? '');
    if (!bad.has(key)) problems.push(`abi3lint.${key}: ${issue.message} (using the default)`);
    bad.add(key);
  }
  for (const k of bad) delete input[k];
  const retry = SettingsSchema.safeParse(input);
  return { settings: retry.success ? retry.data : DEFAULT_SETTINGS, problems };
}
