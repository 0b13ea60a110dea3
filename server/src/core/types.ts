/** Types shared by the core, the CLI and the language server. Positions are 0-based, columns in UTF-16 units. */
import type { Safety } from './catalog';

/** A C file to check: its path (for includes and build files) and its text. */
export interface LintDocument {
  path: string;
  text: string;
}

export interface Position {
  line: number;
  character: number;
}
export interface Range {
  start: Position;
  end: Position;
}
export interface TextEdit {
  range: Range;
  newText: string;
}
/**
 * What a fix does: `replace` rewrites code (a replacement API, an include, a guard), `raise-target` raises the
 * file's own Py_LIMITED_API (never part of fix-all: it drops Pythons), `suppress` adds an ignore comment,
 * `hint` is advice with no edit (display-only), `migrate` rewrites a construct the Limited API has no form of
 * (a static type to a heap type: unsafe, shown as a preview, never on save).
 */
export type FixKind = 'replace' | 'raise-target' | 'suppress' | 'hint' | 'migrate';

export interface Fix {
  kind: FixKind;
  title: string;
  safety: Safety;
  edits: TextEdit[];
  /** A decision rather than a repair (which version a guard tests): offered on its own, never applied by fix-all
   *  or a migration. In a polyfill header written for the full API (pythoncapi_compat.h) it would switch on
   *  polyfills the Limited API cannot compile. */
  manualOnly?: boolean;
  /** What a migration leaves to the user or changes in behaviour (shown with its preview). */
  notes?: string[];
  /** Edits of other files that belong to this fix (a project header declaring a type the migration converts):
   *  applied together with `edits` or not at all. Fix-all on save never includes such a fix. */
  otherFiles?: { path: string; edits: TextEdit[] }[];
}
export type Severity = 'error' | 'warning' | 'info' | 'hint';

export interface Finding {
  code: string;
  name: string;
  severity: Severity;
  range: Range;
  /** The C API name (or member, or macro) the finding is about. */
  identifier?: string;
  message: string;
  fixes: Fix[];
  /** The name is deprecated (editors strike it through). */
  deprecated?: boolean;
  /**
   * Which kind of break: `compile` (the headers of some version from the target up do not declare it there),
   * `link` (it compiles, but the Stable ABI adds the symbol later: the wheel does not load on older Pythons),
   * `runtime` (it compiles and links, but the behaviour is missing below a version). Set where it is known.
   */
  kind?: 'compile' | 'link' | 'runtime';
  /** Other places of the same defect in the file (a forward declaration of the static type defined here). */
  related?: { range: Range; message: string }[];
}

export type TargetSource =
  | { kind: 'define'; file: string; line: number }
  | { kind: 'build-config'; file: string; line?: number; detail: string }
  | { kind: 'option'; detail: string };

export interface Target {
  /** Python 3 minor version: 9 = 3.9. */
  minor: number;
  abi3t: boolean;
  source: TargetSource;
}

export interface InactiveRegion {
  startLine: number;
  endLine: number;
  reason: string;
}

export interface LintResult {
  path: string;
  target: Target | null;
  /** Why the file was not checked for conformance (no target). */
  noTargetReason?: string;
  /** Lowest target at which the file's Limited API names all exist (null: uses none). */
  minimumVersion: number | null;
  findings: Finding[];
  inactive: InactiveRegion[];
  /** Sets the file's own Py_LIMITED_API to `minimumVersion`, when that differs from the target. */
  raiseToMinimum?: Fix;
  /** Things the user should know that are not findings: truncated input, unreadable includes. */
  notices: string[];
  /** Set when the analysis failed inside abi3lint (a bug): the file was not fully checked. */
  internalError?: string;
  /** Time spent, ms. */
  timing: { parse: number; analyze: number };
}
