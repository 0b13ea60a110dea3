/**
 * Runs the registry's rules: their configuration checks, the lexical pass with its events routed to the
 * rules' handlers, and their whole-file checks. Each rule reports for its own code; a check that throws is
 * recorded once and the others go on.
 */
import { nodeAt } from './locate';
import { mayBeKnown, minorOf, statusAt, type Status } from './catalog';
import type { CapiEntry } from './dataSchema';
import { contribution, type MinContrib } from './facts/minimum';
import type { Node } from './parser';
import { addSuppression, type Reporter, type Suppression } from './report';
import type { ConfigContext, Facts, MemberUse, NameUse, Rule, RuleContext, ScanHandlers } from './rules/rule';
import { callOfIdentifier, notAUseAt } from './declarations';
import { lineStartAt } from './position';
import { scan, type ScanListener } from './scan';
import type { Finding, Range } from './types';

/** A use of a known name, with the look-ups the rules share computed once and only when asked. */
class Use implements NameUse {
  private owned: boolean | undefined;

  constructor(
    private readonly facts: Facts,
    readonly name: string,
    readonly start: number,
    readonly end: number,
    readonly isCall: boolean,
    readonly inMacro: boolean,
    readonly entry: CapiEntry | undefined,
    readonly status: Status | undefined,
  ) {}
  get replacement() {
    return this.facts.cat.replacements.get(this.name);
  }
  own(): boolean {
    return (this.owned ??= this.declares() || this.facts.project.owns(this.name));
  }
  declares(): boolean {
    // (inside a #define body the tree holds only the macro's text: every name there is a use)
    return !this.inMacro && notAUseAt(this.facts.tree, this.facts.doc.text, this.start, this.end);
  }
  call(): Node | null {
    if (!this.isCall || this.inMacro) return null;
    return callOfIdentifier(this.facts.tree, this.start, this.end);
  }
}

function memberUse(facts: Facts, name: string, start: number, end: number, inMacro: boolean): MemberUse {
  return {
    name,
    start,
    end,
    inMacro,
    field() {
      if (inMacro) return null;
      const f = nodeAt(facts.tree.rootNode, start, end).parent;
      return f && f.type === 'field_expression' ? f : null;
    },
  };
}

/** A rule's view of the analysis: the facts, and a report bound to the rule's code (a class: one fixed shape,
 *  built per rule per analysis, so cheaper than copying the facts into an object literal). */
class Context implements RuleContext {
  readonly doc: Facts['doc'];
  readonly cat: Facts['cat'];
  readonly pos: Facts['pos'];
  readonly tree: Facts['tree'];
  readonly target: Facts['target'];
  readonly tIdx: number;
  readonly pp: Facts['pp'];
  readonly project: Facts['project'];
  readonly systemIncludes: Facts['systemIncludes'];
  readonly pythonHInclude: Facts['pythonHInclude'];
  readonly limitedDefineInFile: Facts['limitedDefineInFile'];
  readonly functionAt: Facts['functionAt'];
  readonly headerFloor: Facts['headerFloor'];

  constructor(
    f: Facts,
    private readonly code: string,
    private readonly reporter: Reporter,
    private readonly onReport: (() => void) | undefined,
    private readonly watched: Set<string> | undefined,
  ) {
    this.doc = f.doc;
    this.cat = f.cat;
    this.pos = f.pos;
    this.tree = f.tree;
    this.target = f.target;
    this.tIdx = f.tIdx;
    this.pp = f.pp;
    this.project = f.project;
    this.systemIncludes = f.systemIncludes;
    this.pythonHInclude = f.pythonHInclude;
    this.limitedDefineInFile = f.limitedDefineInFile;
    this.functionAt = f.functionAt;
    this.headerFloor = f.headerFloor;
  }

  watch(word: string): void {
    this.watched?.add(word);
  }

  report(start: number, end: number, message: string, extra?: Partial<Finding>): void {
    this.onReport?.();
    this.reporter.addCapped(this.code, () => this.pos.range(start, end), message, extra);
  }
}

/** What one lexical pass leaves besides findings. */
export interface PassOutput {
  suppressions: Suppression[];
  /** Uses that set the file's minimum version, in text order. */
  minContrib: MinContrib[];
  /** Findings of `first-use` rules (a regional pass that makes one must be redone over the whole file). */
  firstUseFindings: number;
  /** Words whose occurrences elsewhere the findings' fixes depend on (RuleContext.watch). */
  watched: Set<string>;
}

export class RuleRunner {
  /** Checks that threw (once each): the others still report. */
  readonly failures = new Set<string>();
  private readonly rules: readonly Rule[];

  constructor(
    rules: readonly Rule[],
    private readonly reporter: Reporter,
  ) {
    this.rules = rules.filter((r) => reporter.enabled(r.meta.code));
  }

  private guard(what: string, f: () => void): void {
    try {
      f();
    } catch (e) {
      this.fail(what, e);
    }
  }

  private fail(what: string, e: unknown): void {
    this.failures.add(`${what}: ${e instanceof Error ? e.message : String(e)}`);
  }

  private contextFor(rule: Rule, facts: Facts, onReport?: () => void, watched?: Set<string>): RuleContext {
    return new Context(facts, rule.meta.code, this.reporter, onReport, watched);
  }

  /** Checks that run with or without a target: the target's definition and the build configuration. */
  runConfig(cx: Omit<ConfigContext, 'report'>): void {
    for (const rule of this.rules) {
      if (!rule.config) continue;
      const code = rule.meta.code;
      const report = (range: Range, message: string, extra?: Partial<Finding>): void => this.reporter.add(code, range, message, extra);
      this.guard(code, () => rule.config!({ ...cx, report }));
    }
  }

  /** The lexical pass over [from, to) (from a line start on line `fromLine`), events routed to the rules. */
  lexicalPass(facts: Facts, from = 0, to = facts.doc.text.length, fromLine = 0): PassOutput {
    const out: PassOutput = { suppressions: [], minContrib: [], firstUseFindings: 0, watched: new Set() };
    const handlers: { code: string; h: ScanHandlers }[] = [];
    for (const rule of this.rules) {
      if (!rule.create) continue;
      const onReport = rule.meta.reuse === 'first-use' ? () => out.firstUseFindings++ : undefined;
      this.guard(rule.meta.code, () => handlers.push({ code: rule.meta.code, h: rule.create!(this.contextFor(rule, facts, onReport, out.watched)) }));
    }
    // (the handlers called in plain loops: this is the hot path of every analysis)
    const named = handlers.filter((x) => x.h.name);
    const members = handlers.filter((x) => x.h.member);
    const includes = handlers.filter((x) => x.h.include);
    const defines = handlers.filter((x) => x.h.define);
    const { cat, target, pp, doc, pos } = facts;
    const listener: ScanListener = {
      knows: (name) => cat.known.has(name),
      mayKnow: (text, start, end) => mayBeKnown(cat, text, start, end),
      isInactive: (line) => pp.isInactive(line),
      name: (name, start, end, _line, isCall, inMacro) => {
        const entry = cat.names.get(name);
        const status = entry ? statusAt(entry, name, target.minor, target.abi3t) : undefined;
        const use = new Use(facts, name, start, end, isCall, inMacro, entry, status);
        // the file's minimum: Limited API uses, and too-new uses the project does not provide itself
        if (entry?.limitedSince && (status!.kind === 'limited' || (status!.kind === 'too-new' && !use.own()))) {
          out.minContrib.push(contribution(pos, name, minorOf(entry.limitedSince), start));
        }
        for (let k = 0; k < named.length; k++) {
          try {
            named[k].h.name!(use);
          } catch (e) {
            this.fail(`${named[k].code} at '${name}'`, e);
          }
        }
      },
      member: (name, start, end, _line, inMacro) => {
        const use = memberUse(facts, name, start, end, inMacro);
        for (let k = 0; k < members.length; k++) {
          try {
            members[k].h.member!(use);
          } catch (e) {
            this.fail(`${members[k].code} at '${name}'`, e);
          }
        }
      },
      include: (spec, start, end) => {
        for (const x of includes) this.guard(`${x.code} at ${spec}`, () => x.h.include!(spec, start, end));
      },
      define: (name, start, end) => {
        for (const x of defines) this.guard(`${x.code} at #define ${name}`, () => x.h.define!(name, start, end));
      },
      comment: (start, end, endLine) => {
        const body = doc.text.slice(start, end);
        if (!body.includes('abi3lint')) return;
        addSuppression(body, endLine, doc.text.slice(lineStartAt(doc.text, start), start), out.suppressions);
      },
    };
    this.guard('names and members', () => scan(doc.text, listener, from, to, fromLine));
    return out;
  }

  /** Whole-file checks, after the lexical pass. */
  runFile(facts: Facts): void {
    for (const rule of this.rules) {
      if (rule.file) this.guard(rule.meta.code, () => rule.file!(this.contextFor(rule, facts)));
    }
  }
}
