/** Which files the CLI checks: given files, and .c/.h files below given folders. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import picomatch from 'picomatch';

const SKIP_DIRS = new Set(['node_modules', 'build', '.git', '.hg', '.svn', '.tox', '.nox', '.venv', 'venv', '__pycache__']);
const C_FILE = /\.(c|h)$/i;

export function collectFiles(paths: string[], cwd: string, exclude: string[]): { files: string[]; missing: string[] } {
  const isExcluded = exclude.length ? picomatch(exclude, { dot: true }) : () => false;
  const files: string[] = [];
  const missing: string[] = [];
  const seenDirs = new Set<string>();
  const excluded = (abs: string): boolean => {
    const rel = path.relative(cwd, abs).split(path.sep).join('/');
    return isExcluded(rel) || isExcluded(path.basename(abs));
  };
  const walk = (dir: string): void => {
    let real: string;
    try {
      real = fs.realpathSync(dir);
    } catch {
      return;
    }
    if (seenDirs.has(real)) return; // symlink loops
    seenDirs.add(real);
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      missing.push(`${path.relative(cwd, dir) || '.'}: cannot read folder`);
      return;
    }
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const e of entries) {
      const abs = path.join(dir, e.name);
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
        if (!SKIP_DIRS.has(e.name)) walk(abs);
      } else if (isFile && C_FILE.test(e.name)) files.push(abs);
    }
  };
  for (const p of paths) {
    const abs = path.resolve(cwd, p);
    let st: fs.Stats;
    try {
      st = fs.statSync(abs);
    } catch {
      missing.push(`${p}: no such file or folder`);
      continue;
    }
    if (st.isDirectory()) walk(abs);
    else if (!excluded(abs)) files.push(abs);
  }
  return { files: [...new Set(files)], missing };
}
