/**
 * `abi3lint migrate [--target T] [--abi3t] [--write] [paths]`: every safe and unsafe fix and migration (static
 * types to heap types, replacement API), over several passes, printed as a unified diff (applied with --write);
 * what each file still needs by hand on stderr. Exit status: 0 when no error-level finding is left, 1 otherwise.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { createTwoFilesPatch } from 'diff';
import { applyEdits } from '../core/fixes';
import { readRegularFile } from '../core/host';
import { MAX_FILE_BYTES } from '../core/lint';
import { fixText } from '../core/migrate';
import { parseSettings } from '../core/settings';
import type { TextEdit } from '../core/types';
import { parseTargetOption } from '../core/version';
import { collectCFiles } from '../core/walk';

export const MIGRATE_HELP = `Usage: abi3lint migrate [options] [paths...]

Rewrites C extension sources toward the Limited API at their target: every safe and unsafe fix, static
PyTypeObjects converted to heap types (PyType_Spec), replacement API. Prints a unified diff; review it.

Options:
  --target <3.X|0x...>   target for files without their own Py_LIMITED_API define or build config
  --abi3t                migrate toward abi3t (3.15+)
  --write                apply the changes to the files instead of printing the diff
  --include-dir <dir>    also search this folder for #include "..." headers (repeatable)
  --exclude <glob>       skip files matching this glob (repeatable)
  -h, --help             this help

Exit status: 0 nothing left to do by hand, 1 errors remain after the migration, 2 usage or internal error.`;

interface Io {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  cwd: string;
}

export async function migrateMain(argv: string[], io: Io): Promise<number> {
  let v;
  let positionals: string[];
  try {
    ({ values: v, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        target: { type: 'string' },
        abi3t: { type: 'boolean' },
        write: { type: 'boolean' },
        'include-dir': { type: 'string', multiple: true },
        exclude: { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    io.stderr.write(`abi3lint migrate: ${e instanceof Error ? e.message.replace(/\. To specify.*$/, '') : String(e)}\n(see abi3lint migrate --help)\n`);
    return 2;
  }
  if (v.help) {
    io.stdout.write(MIGRATE_HELP + '\n');
    return 0;
  }
  if (v.target !== undefined) {
    const t = parseTargetOption(v.target);
    if (!t.ok) {
      io.stderr.write(`abi3lint migrate: --target: ${t.reason}\n`);
      return 2;
    }
  }
  const { settings, problems } = parseSettings({ target: v.target ?? null, abi3t: v.abi3t ?? false, includeDirs: v['include-dir'] ?? [], exclude: v.exclude ?? [] });
  if (problems.length) {
    io.stderr.write(`abi3lint migrate: ${problems.join('; ')}\n`);
    return 2;
  }
  const { files, problems: walk } = collectCFiles(positionals.length ? positionals : ['.'], { base: io.cwd, exclude: settings.exclude });
  for (const m of walk) io.stderr.write(`abi3lint: ${m}\n`);
  if (walk.length && !files.length) return 2;
  let remaining = 0;
  let changed = 0;
  const cache = new Map();
  // sources first: converting a type that is not static also edits the project header declaring it; a header
  // is then migrated from that edited text, and one outside the given paths is written (or shown) at the end
  const isHeader = (f: string): boolean => /\.h$/i.test(f);
  const order = [...files].sort((a, b) => Number(isHeader(a)) - Number(isHeader(b)));
  const pending = new Map<string, TextEdit[]>();
  const show = (file: string, before: string, after: string): void => {
    const rel = path.relative(io.cwd, file) || path.basename(file);
    changed++;
    if (v.write) fs.writeFileSync(file, after);
    else io.stdout.write(createTwoFilesPatch(`a/${rel}`, `b/${rel}`, before, after, undefined, undefined, { context: 3 }).replace(/^=+\n/, ''));
  };
  for (const file of order) {
    const rel = path.relative(io.cwd, file) || path.basename(file);
    const read = readRegularFile(file, MAX_FILE_BYTES);
    if ('error' in read) {
      io.stderr.write(`abi3lint: ${rel}: skipped, ${read.error}\n`);
      continue;
    }
    const start = pending.has(file) ? applyEdits(read.text, pending.get(file)!).text : read.text;
    pending.delete(file);
    const done = await fixText({ path: file, text: start }, { settings, buildConfigCache: cache }, true, 5, true);
    for (const [other, edits] of done.otherFiles) pending.set(other, [...(pending.get(other) ?? []), ...edits]);
    const left = done.result.findings.filter((f) => f.severity === 'error');
    remaining += left.length;
    if (!done.result.target) io.stderr.write(`${rel}: not migrated: ${done.result.noTargetReason ?? 'no Limited API target'} (give --target)\n`);
    if (done.text !== read.text) show(file, read.text, done.text);
    for (const n of done.notes) io.stderr.write(`${rel}: note: ${n}\n`);
    if (left.length) io.stderr.write(`${rel}: ${left.length} error(s) left to change by hand (abi3lint ${rel} lists them)\n`);
  }
  for (const [file, edits] of pending) {
    const read = readRegularFile(file, MAX_FILE_BYTES);
    if ('error' in read) io.stderr.write(`abi3lint: ${file}: not changed (${read.error}); it needs: ${edits.map((e) => e.newText).join(' ')}\n`);
    else show(file, read.text, applyEdits(read.text, edits).text);
  }
  io.stderr.write(`${changed} of ${files.length} file(s) ${v.write ? 'migrated' : 'would change'}; ${remaining} error(s) left.\n`);
  return remaining ? 1 : 0;
}
