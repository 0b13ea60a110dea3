/**
 * The one walk over folders for C sources and headers, shared by the CLI (paths given on the command line) and
 * the language server (the workspace check): the same skipped folders, exclude globs and symlink handling.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { compileGlobs } from './glob';
import { isReallyInside } from './host';

/** Folders never searched: tools, environments and build output. Hidden folders (`.git`, `.tox`, ...) neither. */
export const SKIP_DIRS: ReadonlySet<string> = new Set(['node_modules', 'build', 'dist', '__pycache__', 'venv']);
export const C_FILE = /\.(c|h)$/i;

export interface WalkOptions {
  /** Glob patterns, matched against the path relative to `base` and against the base name. */
  exclude: string[];
  base: string;
  /** Nothing whose real path leaves this folder is read (symlinks included). */
  confineTo?: string;
  maxFiles?: number;
  maxDepth?: number;
}

export interface WalkResult {
  files: string[];
  /** Paths that could not be read, relative to `base`. */
  problems: string[];
}

/** .c and .h files below `dirs` (and the files named directly, whatever their ending), in walk order. */
export function collectCFiles(paths: string[], opts: WalkOptions): WalkResult {
  const globs = compileGlobs(opts.exclude);
  const isExcluded = globs.match;
  const maxFiles = opts.maxFiles ?? Infinity;
  const maxDepth = opts.maxDepth ?? 64;
  const files: string[] = [];
  const problems: string[] = [...globs.problems];
  const seenDirs = new Set<string>();
  const rel = (abs: string): string => path.relative(opts.base, abs).split(path.sep).join('/');
  const excluded = (abs: string): boolean => isExcluded(rel(abs)) || isExcluded(path.basename(abs));
  const confined = (abs: string): boolean => {
    if (!opts.confineTo || isReallyInside(opts.confineTo, abs)) return true;
    problems.push(`${rel(abs)} is a link that leaves ${opts.confineTo}: not read`);
    return false;
  };
  const walk = (dir: string, depth: number): void => {
    if (depth > maxDepth || files.length >= maxFiles) return;
    let real: string;
    try {
      real = fs.realpathSync(dir);
    } catch {
      return;
    }
    if (seenDirs.has(real)) return; // symlink loops
    if (opts.confineTo && !isReallyInside(opts.confineTo, real)) {
      problems.push(`${rel(dir)} is a link that leaves ${opts.confineTo}: not searched`);
      return;
    }
    seenDirs.add(real);
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      problems.push(`${rel(dir) || '.'}: cannot read folder`);
      return;
    }
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const e of entries) {
      const abs = path.join(dir, e.name);
      if (e.name.includes('\uFFFD')) {
        // (the name is not valid UTF-8: Node cannot give a path that opens it)
        problems.push(`${rel(abs)}: the name is not valid UTF-8, skipped`);
        continue;
      }
      if (excluded(abs)) continue;
      let isDir = e.isDirectory();
      let isFile = e.isFile();
      if (e.isSymbolicLink()) {
        try {
          const st = fs.statSync(abs);
          isDir = st.isDirectory();
          isFile = st.isFile();
        } catch {
          continue; // dangling link
        }
      }
      if (isDir) {
        if (!SKIP_DIRS.has(e.name) && !e.name.startsWith('.')) walk(abs, depth + 1);
      } else if (isFile && C_FILE.test(e.name) && files.length < maxFiles && confined(abs)) files.push(abs);
    }
  };
  for (const p of paths) {
    const abs = path.resolve(opts.base, p);
    let st: fs.Stats;
    try {
      st = fs.statSync(abs);
    } catch {
      problems.push(`${p}: no such file or folder`);
      continue;
    }
    if (st.isDirectory()) walk(abs, 0);
    else if (!st.isFile()) problems.push(`${p}: not a regular file (a FIFO, device or socket is never read)`);
    else if (!excluded(abs)) files.push(abs);
  }
  return { files: [...new Set(files)], problems };
}
