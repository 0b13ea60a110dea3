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

export const fsHost: LintHost = {
  readFile(file) {
    try {
      const st = fs.statSync(file);
      if (!st.isFile() || st.size > MAX_INCLUDE_BYTES) return undefined;
      return fs.readFileSync(file, 'utf8');
    } catch {
      return undefined;
    }
  },
  stamp(file) {
    try {
      const st = fs.statSync(file);
      if (!st.isFile() || st.size > MAX_INCLUDE_BYTES) return undefined;
      return `${st.mtimeMs}:${st.size}`;
    } catch {
      return undefined;
    }
  },
};

/** Whether `file` lies inside `root` (both absolute). */
export function isInside(root: string, file: string): boolean {
  const rel = path.relative(root, file);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}
