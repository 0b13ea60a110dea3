/** File access for the analysis: the CLI reads the disk, the language server prefers open documents. */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface LintHost {
  /** Returns a file's text, or undefined when it cannot be read (missing, not a file, too large). */
  readFile(file: string): string | undefined;
  /**
   * A cheap identity of a file's current content (modification time and size), so that a header read before
   * need not be read again: undefined when the file cannot be read, null when unknown (then it is read).
   */
  stamp?(file: string): string | null | undefined;
}

/** Project headers and build files larger than this are not read. */
export const MAX_INCLUDE_BYTES = 2 * 1024 * 1024;

/**
 * Reads a regular file of at most `maxBytes`, deciding on the open handle: opened non-blocking (a FIFO or a
 * device never blocks the caller), its type and size checked with fstat, then read up to the size (a file
 * that grows meanwhile is cut there). Never throws.
 */
export function readRegularFile(file: string, maxBytes: number): { text: string } | { error: string } {
  // (a missing file, the usual case for build files and include folders, is told without an exception)
  if (!fs.statSync(file, { throwIfNoEntry: false })) return { error: 'cannot open (ENOENT)' };
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK | fs.constants.O_NOCTTY);
  } catch (e) {
    return { error: `cannot open (${(e as NodeJS.ErrnoException).code ?? String(e)})` };
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) return { error: 'not a regular file (a FIFO, device or socket is never read)' };
    if (st.size > maxBytes) return { error: `${(st.size / 1048576).toFixed(1)} MB, over the ${(maxBytes / 1048576).toFixed(0)} MB limit` };
    const buf = Buffer.alloc(st.size);
    let got = 0;
    while (got < st.size) {
      const n = fs.readSync(fd, buf, got, st.size - got, got);
      if (n <= 0) break;
      got += n;
    }
    return { text: buf.toString('utf8', 0, got) };
  } catch (e) {
    return { error: `cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})` };
  } finally {
    fs.closeSync(fd);
  }
}

export const fsHost: LintHost = {
  readFile(file) {
    const r = readRegularFile(file, MAX_INCLUDE_BYTES);
    return 'text' in r ? r.text : undefined;
  },
  stamp(file) {
    try {
      // (no exception for a missing file: most include candidates are missing, and an exception costs more
      // than the stat)
      const st = fs.statSync(file, { throwIfNoEntry: false });
      if (!st || !st.isFile() || st.size > MAX_INCLUDE_BYTES) return undefined;
      return `${st.mtimeMs}:${st.size}`;
    } catch {
      return undefined;
    }
  },
};

/**
 * fsHost for one CLI run: files do not change while it runs, so each file is stat'ed once (a header is
 * looked up by every file that includes it).
 */
export function runHost(): LintHost {
  const stamps = new Map<string, string | null | undefined>();
  return {
    readFile: fsHost.readFile,
    stamp(file) {
      if (stamps.has(file)) return stamps.get(file);
      const st = fsHost.stamp!(file);
      stamps.set(file, st);
      return st;
    },
  };
}

/** The real path of a file (every symlink resolved), or null when it cannot be resolved. */
export function realPath(file: string): string | null {
  try {
    return fs.realpathSync(file);
  } catch {
    return null;
  }
}

const realRoots = new Map<string, string | null>();

/** Whether a file that exists lies inside `root` after every symlink is resolved (on both sides). Workspace
 *  roots are resolved once per process. */
export function isReallyInside(root: string, file: string): boolean {
  let r = realRoots.get(root);
  if (r === undefined) {
    if (realRoots.size > 1000) realRoots.clear();
    realRoots.set(root, (r = realPath(root)));
  }
  const f = realPath(file);
  return !!r && !!f && isInside(r, f);
}

/** Whether `file` lies inside `root` (both absolute). */
export function isInside(root: string, file: string): boolean {
  const rel = path.relative(root, file);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}
