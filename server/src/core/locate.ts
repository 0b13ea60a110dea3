/**
 * The node at a range of the text, with the path to it, without tree-sitter's scans of a node's children one by
 * one. `descendantForIndex` and `firstChildForIndex` step through the children of each node on the way down, and
 * `Node.parent` walks down again from the root: on a file tree-sitter could not parse at all (20k lines of
 * unclosed calls become one ERROR node over 140k tokens) every look-up cost that many steps, and the file took
 * minutes. Here a node with many children is indexed once per tree (its children's offsets, searched by
 * halves), and a look-up returns the whole path from the root, so that a node's parent is the step before it.
 *
 * The descent chooses the child that tree-sitter's `descendantForIndex` chooses (tested against it on the
 * CPython headers and the fixtures): the first child that reaches the end of the range and passes its start
 * (an empty child may touch it), when it starts at or before the range's start.
 */
import { lowerBound } from './bisect';
import type { Node, Tree } from './parser';

/** A node with more children than this is indexed (smaller ones are asked natively: one call each). */
export const WIDE_NODE = 64;

interface ChildIndex {
  nodes: Node[];
  ends: Float64Array;
}

/** Per tree, its indexed nodes by id. (A tree edited in place is re-parsed before it is looked up again.) */
const indexes = new WeakMap<Tree, Map<number, ChildIndex>>();

function childIndex(node: Node): ChildIndex {
  let byId = indexes.get(node.tree);
  if (!byId) indexes.set(node.tree, (byId = new Map()));
  let ix = byId.get(node.id);
  if (!ix) {
    const nodes = node.children.filter((c): c is Node => c !== null);
    ix = { nodes, ends: Float64Array.from(nodes, (c) => c.endIndex) };
    byId.set(node.id, ix);
  }
  return ix;
}

/** Whether the descent to [start, end) enters `child`: true, false (try the next child), or null (stop). */
function enters(child: Node, start: number, end: number): boolean | null {
  const childEnd = child.endIndex;
  if (childEnd < end) return false;
  const empty = child.startIndex === childEnd;
  if (empty ? childEnd < start : childEnd <= start) return false;
  return start < child.startIndex ? null : true;
}

/** The child of `node` the descent to [start, end) enters, or null. */
function childAround(node: Node, start: number, end: number, wide: number): Node | null {
  if (node.childCount > wide) {
    const { nodes, ends } = childIndex(node);
    for (let i = lowerBound(nodes.length, (k) => ends[k] < end); i < nodes.length; i++) {
      const e = enters(nodes[i], start, end);
      if (e === null) return null;
      if (e) return nodes[i];
    }
    return null;
  }
  const child = node.firstChildForIndex(start);
  return child && enters(child, start, end) === true ? child : null;
}

/**
 * The path from the root to the smallest node that spans [start, end) (root first; the node last), for a range
 * that is not empty (at an empty one, tree-sitter also enters an empty node there, and this may not). `wide` is
 * for tests (the index used at every node).
 */
export function pathTo(root: Node, start: number, end: number, wide = WIDE_NODE): Node[] {
  const path = [root];
  for (let node: Node | null = childAround(root, start, end, wide); node; node = childAround(node, start, end, wide)) path.push(node);
  return path;
}

/** The smallest node that spans [start, end), and its parent (null at the root). */
export function nodeAt(root: Node, start: number, end: number): { node: Node; parent: Node | null } {
  const path = pathTo(root, start, end);
  return { node: path[path.length - 1], parent: path.length > 1 ? path[path.length - 2] : null };
}
