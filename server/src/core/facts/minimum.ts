/**
 * The file's minimum Limited API version: the newest version among the C API names it uses (names the project
 * declares itself, or that a polyfill provides, do not count). Uses are kept by line (an edit replaces those of
 * its region) and counted by name (the minimum is found among names, not uses).
 */
import type { PositionMap } from '../position';

export interface MinContrib {
  line: number;
  minor: number;
  name: string;
}

/** Uses counted by name. */
export type MinCounts = Map<string, { minor: number; count: number }>;

export function countMin(into: MinCounts, cs: MinContrib[], sign: 1 | -1): MinCounts {
  for (const c of cs) {
    const e = into.get(c.name);
    if (e) {
      const count = e.count + sign;
      if (count > 0) into.set(c.name, { minor: e.minor, count });
      else into.delete(c.name);
    } else if (sign > 0) into.set(c.name, { minor: c.minor, count: 1 });
  }
  return into;
}

/** The newest contribution whose name is the C API's, not the project's own; at least 3.2 (3.15 under abi3t). */
export function minimumOf(counts: MinCounts, isProjects: (name: string) => boolean, abi3t: boolean): number | null {
  for (const [name, { minor }] of [...counts].sort((a, b) => b[1].minor - a[1].minor)) {
    if (!isProjects(name)) return Math.max(minor, abi3t ? 15 : 2);
  }
  return null;
}

export const contribution = (pos: PositionMap, name: string, minor: number, offset: number): MinContrib => ({ line: pos.position(offset).line, minor, name });
