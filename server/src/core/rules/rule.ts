/**
 * What a rule is: its meta (code, name as in data/rules.json, and whether its findings can be reused outside
 * an edited region), and any of three kinds of check:
 * - `config`: once per analysis, with or without a target (the target's definition, the build files);
 * - `create`: once per analysis with a target, handlers for the events of the lexical pass (names, members,
 *   includes, defines), closing over whatever state the rule keeps for one pass;
 * - `file`: once per analysis with a target, after the lexical pass (whole-file checks that ask the tree).
 * A rule reports through its context, for its own code only. See docs/contributing.md.
 */
import type { Catalog, Replacement, Status } from '../catalog';
import type { CapiEntry } from '../dataSchema';
import type { BuildConfig } from '../buildconfig';
import type { TargetDefine } from '../facts/defines';
import type { TargetProblem } from '../facts/target';
import type { ProjectDeclarations } from '../facts/project';
import type { Node, Tree } from '../parser';
import type { PositionMap } from '../position';
import type { Directive, PreprocResult } from '../preproc';
import type { Finding, LintDocument, Range, Target } from '../types';

/**
 * Whether the findings a rule makes in the lexical pass can be kept outside an edited region:
 * - `local`: a finding depends only on its own use (and file-wide facts the engine tracks): reusable;
 * - `first-use`: a finding depends on earlier uses in the file (gcc reports an undeclared name once): a
 *   regional pass that makes one is redone over the whole file.
 * `config` and `file` checks run on every analysis, whatever this says.
 */
export type Reuse = 'local' | 'first-use';

export interface RuleMeta {
  code: string;
  /** The rule's name in data/rules.json. */
  name: string;
  reuse: Reuse;
}

/** What every check may read: the document, the data and the facts derived for this analysis. */
export interface Facts {
  doc: LintDocument;
  cat: Catalog;
  pos: PositionMap;
  tree: Tree;
  /** The effective target (abi3t raised to 3.15). */
  target: Target;
  /** Index of the target in the per-target data strings. */
  tIdx: number;
  /** #if conditions at the target. */
  pp: PreprocResult;
  project: ProjectDeclarations;
  /** C library headers the file (or a project header it includes) includes itself. */
  systemIncludes: Set<string>;
  pythonHInclude: Directive | null;
  /** The file's own `#define Py_LIMITED_API`, if the target comes from it. */
  limitedDefineInFile: TargetDefine | null;
  /** The start of the function definition around an offset, null at file scope. */
  functionAt(offset: number): number | null;
  /** The oldest header version whose build sees a line (`#if PY_VERSION_HEX >= V` raises it to V); past the
   *  newest headers when none does. */
  headerFloor(line: number): number;
}

export interface RuleContext extends Facts {
  /** Reports a finding of this rule over [start, end) (within the per-file cap). */
  report(start: number, end: number, message: string, extra?: Partial<Finding>): void;
  /** A finding's fixes depend on where else in the file `word` occurs (an unused table's removal): an edit
   *  that adds or removes it anywhere makes the language server's next analysis look at the whole file. */
  watch(word: string): void;
}

/** A use of a name the data knows (C API, internal or C library), with lazy look-ups shared by the rules. */
export interface NameUse {
  name: string;
  start: number;
  end: number;
  isCall: boolean;
  inMacro: boolean;
  /** The C API entry; undefined for internal-only and C library names. */
  entry: CapiEntry | undefined;
  /** Its status at the target. */
  status: Status | undefined;
  /** Not the C API's: this occurrence is not a use (declares(): a label, a member, a declared name), or the
   *  project declares the name, or a polyfill provides it. */
  own(): boolean;
  /** This occurrence is a goto label, a struct member declarator or designator, or a name being declared. */
  declares(): boolean;
  replacement: Replacement | undefined;
  /** The call expression around the name (only outside macros). */
  call(): Node | null;
}

export interface MemberUse {
  name: string;
  start: number;
  end: number;
  inMacro: boolean;
  /** The `x->name` / `x.name` expression (only outside macros). */
  field(): Node | null;
}

export interface ScanHandlers {
  name?(use: NameUse): void;
  member?(use: MemberUse): void;
  include?(spec: string, start: number, end: number): void;
  define?(name: string, start: number, end: number): void;
}

export interface ConfigContext {
  doc: LintDocument;
  pos: PositionMap;
  /** Null when the file has no target. */
  target: Target | null;
  limitedDefine: TargetDefine | null;
  targetProblems: TargetProblem[];
  buildConfig: BuildConfig | null;
  report(range: Range, message: string, extra?: Partial<Finding>): void;
}

export interface Rule {
  meta: RuleMeta;
  config?(cx: ConfigContext): void;
  create?(cx: RuleContext): ScanHandlers;
  file?(cx: RuleContext): void;
}

/** Defines a rule (typed, so a module reads as meta plus checks). */
export const defineRule = (rule: Rule): Rule => rule;
