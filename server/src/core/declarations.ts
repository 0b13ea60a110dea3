/**
 * Declarations in a C syntax tree: what names a file (or a preprocessed header) declares, and of which kind.
 * Used to build the C API data from preprocessed CPython headers and to learn the names a project defines
 * itself (which abi3lint never flags).
 */
import { nodeAt } from './locate';
import type { Node, Tree } from './parser';

export type DeclKind =
  | 'function'
  | 'inline'
  | 'macro'
  | 'const'
  | 'typedef'
  | 'struct'
  | 'union'
  | 'enum'
  | 'enumerator'
  | 'data'
  | 'local';

export interface Declaration {
  name: string;
  kind: DeclKind;
  node: Node;
  /** For structs/unions with a body: member names in order. */
  members?: string[];
  /** For typedefs of a struct/union: the tag it names ("struct _object"). */
  tag?: string;
  /** Declared with __attribute__((deprecated)). */
  deprecated?: boolean;
}

/** The identifier a declarator declares, and whether it declares a function (not a function pointer). */
export function declaratorName(node: Node | null): { name: string; isFunction: boolean; node: Node } | null {
  // C declarators read inside out: the derived type nearest the identifier decides whether this declares a
  // function (`*f(void)`: a function returning a pointer) or an object (`(*f)(void)`: a function pointer).
  let innermost: string | null = null;
  let cur: Node | null = node;
  let guard = 0;
  while (cur && guard++ < 256) {
    switch (cur.type) {
      case 'identifier':
      case 'type_identifier':
      case 'field_identifier':
      case 'primitive_type':
        return { name: cur.text, isFunction: innermost === 'function_declarator', node: cur };
      case 'function_declarator':
      case 'pointer_declarator':
      case 'array_declarator':
        innermost = cur.type;
        cur = cur.childForFieldName('declarator');
        break;
      case 'init_declarator':
      case 'attributed_declarator':
        cur = cur.childForFieldName('declarator') ?? cur.namedChildren.find((c) => c && c.type.endsWith('declarator')) ?? null;
        break;
      case 'parenthesized_declarator':
        cur = cur.namedChildren.find((c) => c && c.type !== 'attribute_specifier' && c.type !== 'ms_call_modifier') ?? null;
        break;
      default:
        return null;
    }
  }
  return null;
}

/**
 * A declaration's children read once (each access crosses into WebAssembly): its storage classes and
 * qualifiers, a deprecated attribute, and the named children other than its declarators and plain type.
 */
function readChildren(node: Node): { sc: Set<string>; deprecated: boolean; others: Node[] } {
  const sc = new Set<string>();
  let deprecated = false;
  const others: Node[] = [];
  for (const c of node.children) {
    if (!c) continue;
    const t = c.type;
    if (t === 'storage_class_specifier' || t === 'type_qualifier') sc.add(c.text);
    else if (t === 'attribute_specifier' || t === 'attribute_declaration') deprecated ||= /deprecated/.test(c.text);
    if (!DECLARATOR_OR_TYPE.test(t) && /^[a-z]/.test(t) && !SKIP_SUBTREE.test(t)) others.push(c);
  }
  return { sc, deprecated, others };
}

function hasDeprecatedAttribute(node: Node): boolean {
  for (const c of node.children) {
    if (c && (c.type === 'attribute_specifier' || c.type === 'attribute_declaration') && /deprecated/.test(c.text)) return true;
  }
  return false;
}

function storageClasses(node: Node): Set<string> {
  const out = new Set<string>();
  for (const c of node.children) {
    if (c && c.type === 'storage_class_specifier') out.add(c.text);
    if (c && c.type === 'type_qualifier') out.add(c.text);
  }
  return out;
}

function fieldNames(body: Node): string[] {
  const names: string[] = [];
  for (const f of body.namedChildren) {
    if (!f || f.type !== 'field_declaration') continue;
    const decls = f.childrenForFieldName('declarator');
    if (decls.length === 0) {
      // anonymous struct/union member: its fields are reachable directly
      const t = f.childForFieldName('type');
      const b = t?.childForFieldName('body');
      if (b) names.push(...fieldNames(b));
    }
    for (const d of decls) {
      const n = declaratorName(d);
      if (n) names.push(n.name);
    }
  }
  return names;
}

/** Collects type-level declarations from a type specifier (struct/union/enum bodies). */
function typeDecls(type: Node | null, out: Declaration[]): { tag?: string; members?: string[] } | undefined {
  if (!type) return undefined;
  if (type.type === 'struct_specifier' || type.type === 'union_specifier') {
    const kind = type.type === 'struct_specifier' ? 'struct' : 'union';
    const nameNode = type.childForFieldName('name');
    const body = type.childForFieldName('body');
    const tag = nameNode ? `${kind} ${nameNode.text}` : undefined;
    const members = body ? fieldNames(body) : undefined;
    if (tag) out.push({ name: tag, kind, node: type, members: members && [...members] });
    if (body) {
      for (const f of body.namedChildren) {
        if (f && f.type === 'field_declaration') typeDecls(f.childForFieldName('type'), out);
      }
    }
    return { tag, members };
  }
  if (type.type === 'enum_specifier') {
    const nameNode = type.childForFieldName('name');
    if (nameNode) out.push({ name: `enum ${nameNode.text}`, kind: 'enum', node: type });
    const body = type.childForFieldName('body');
    if (body) {
      for (const e of body.namedChildren) {
        if (e && e.type === 'enumerator') {
          const n = e.childForFieldName('name');
          if (n) out.push({ name: n.text, kind: 'enumerator', node: e });
        }
      }
    }
  }
  return undefined;
}

/**
 * Top-level declarations of a translation unit (also inside preprocessor blocks and ERROR nodes).
 * With `locals`, also parameters and block-scope variables (as kind 'local').
 */
export function collectDeclarations(root: Node, opts: { locals?: boolean } = {}): Declaration[] {
  const out: Declaration[] = [];
  // Iterative pre-order walk: real code nests expressions and #if blocks thousands deep.
  const stack: [Node, number][] = [[root, 0]];
  const pushChildren = (node: Node, depth: number): void => {
    const kids = node.namedChildren;
    for (let i = kids.length - 1; i >= 0; i--) {
      const c = kids[i];
      if (!c || SKIP_SUBTREE.test(c.type)) continue;
      stack.push([c, depth + (c.type === 'compound_statement' ? 1 : 0)]);
    }
  };
  while (stack.length) {
    const [node, depth] = stack.pop()!;
    switch (node.type) {
      case 'declaration': {
        const { sc, deprecated, others } = readChildren(node);
        typeDecls(node.childForFieldName('type'), out);
        const dep = deprecated || /__deprecated__/.test(node.text.slice(0, 200));
        for (const d of node.childrenForFieldName('declarator')) {
          const n = declaratorName(d);
          if (!n) continue;
          const kind: DeclKind = depth > 0 && opts.locals ? 'local' : n.isFunction ? 'function' : sc.has('typedef') ? 'typedef' : 'data';
          out.push({ name: n.name, kind, node, deprecated: dep || undefined });
        }
        if (depth > 0 && opts.locals) continue;
        if (!opts.locals) {
          // declarators declare nothing more; a misparsed macro (`PyAPI_DATA(struct _frozen *) X;`) may hold a
          // struct tag in what tree-sitter took for the type
          for (const c of others) stack.push([c, depth]);
          continue;
        }
        break;
      }
      case 'type_definition': {
        const t = typeDecls(node.childForFieldName('type'), out);
        const dep = hasDeprecatedAttribute(node) || /__deprecated__/.test(node.text.slice(0, 200));
        for (const d of node.childrenForFieldName('declarator')) {
          const n = declaratorName(d);
          // an anonymous struct's members belong to its typedef name
          const members = t && !t.tag && d.type === 'type_identifier' ? t.members : undefined;
          if (n) out.push({ name: n.name, kind: 'typedef', node, tag: t?.tag, members, deprecated: dep || undefined });
        }
        continue;
      }
      case 'function_definition': {
        const sc = storageClasses(node);
        typeDecls(node.childForFieldName('type'), out);
        const n = declaratorName(node.childForFieldName('declarator'));
        if (n) out.push({ name: n.name, kind: sc.has('static') || sc.has('inline') ? 'inline' : 'function', node });
        if (opts.locals) {
          const params = node.childForFieldName('declarator');
          if (params) visitParams(params);
          const body = node.childForFieldName('body');
          if (body) stack.push([body, depth + 1]);
        }
        continue;
      }
      case 'struct_specifier':
      case 'union_specifier':
      case 'enum_specifier':
        typeDecls(node, out);
        continue;
      case 'parameter_declaration': {
        // parameters outside a clean function_definition (tree-sitter wraps some functions in ERROR nodes)
        if (opts.locals) {
          const d = declaratorName(node.childForFieldName('declarator'));
          if (d) out.push({ name: d.name, kind: 'local', node });
        }
        continue;
      }
      case 'preproc_def':
      case 'preproc_function_def': {
        const n = node.childForFieldName('name');
        if (n) out.push({ name: n.text, kind: node.type === 'preproc_def' ? 'const' : 'macro', node });
        continue;
      }
      default:
        break;
    }
    if (!opts.locals && depth > 0) continue;
    pushChildren(node, depth);
  }
  function visitParams(decl: Node): void {
    const st: Node[] = [decl];
    while (st.length) {
      const n = st.pop()!;
      if (n.type === 'parameter_declaration') {
        const d = declaratorName(n.childForFieldName('declarator'));
        if (d) out.push({ name: d.name, kind: 'local', node: n });
        continue;
      }
      if (n.type === 'compound_statement') continue;
      for (const c of n.namedChildren) if (c) st.push(c);
    }
  }
  return out;
}

/** A declaration's children that the declaration case has read already. */
const DECLARATOR_OR_TYPE = /declarator$|^(identifier|struct_specifier|union_specifier|enum_specifier|primitive_type|type_identifier|sized_type_specifier|storage_class_specifier|type_qualifier)$/;

/** Subtrees that declare nothing: expressions, literals, argument and initializer lists. */
const SKIP_SUBTREE = /_expression$|^(argument_list|initializer_list|string_literal|concatenated_string|char_literal|number_literal|comment|preproc_arg|field_designator|subscript_designator)$/;

const isIdChar = (c: number): boolean => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || (c >= 48 && c <= 57);
/** Keywords after which a name is used, never declared. */
const USE_KEYWORDS = new Set(['return', 'sizeof', 'case', 'goto', 'else', 'do', '_Alignof', 'alignof', 'typeof', '__typeof__']);
/** `if (x) name(y);`: a statement after a control keyword's parentheses. */
const CONTROL_KEYWORDS = new Set(['if', 'while', 'for', 'switch']);
const NAME_PARENTS = new Set(['function_declarator', 'pointer_declarator', 'array_declarator', 'init_declarator', 'declaration', 'parameter_declaration']);
const MEMBER_PARENTS = new Set(['field_declaration', 'pointer_declarator', 'array_declarator', 'function_declarator']);

/**
 * Whether the text before `start` rules out a declarator there: a declarator follows a type, `*`, `(`, `,`,
 * `{`, `}`, `)` or a directive name, never an operator, `;`, `.`/`->` or `return`.
 */
function lexicallyAUse(text: string, start: number, end: number): boolean {
  const p = codeBefore(text, start);
  const c = p >= 0 ? text.charCodeAt(p) : -1;
  // A name followed by a name or `*` is never declared there: a declarator ends before `;`, `,`, `=`, `[`, `(`,
  // `)`, `:` or an attribute (`PyObject *self`, `} PyObject *\nf(`: the name is a type, or an operand).
  const word = isIdChar(c) ? wordEndingAt(text, p) : '';
  if (word !== 'define' && typeBeforeDeclarator(text, end)) return true;
  if (p === AFTER_DIRECTIVE) return nextIs(text, end, 40); // `#endif⏎name(`: a call statement
  if (p < 0) return false;
  if (word) return USE_KEYWORDS.has(word);
  switch (c) {
    case 123: // {
      // `{ name(`: a call statement (a declaration has a type before its name)
      return nextIs(text, end, 40);
    case 125: // }
      // `}⏎name(` likewise; on the brace's line `} Py_ALIGNED(8);` may end a struct (`struct {..} f(void);`)
      return nextIs(text, end, 40) && text.slice(p, start).includes('\n');
    case 42: // * (pointer declarator or multiplication): ask the tree
    case 92: // \\ (a continued line)
      return false;
    case 40: // (
      // `(name(`: a call as an argument or condition
      return nextIs(text, end, 40);
    case 44: // ,
      // `f(a, name(...))`: inside parentheses a name after a comma is an argument, or a parameter (which has a
      // type before it); `int a, name(void);` at statement level is asked of the tree
      return openParenBefore(text, p) >= 0;
    case 41: {
      // `)`: a cast `(PyObject *)name` is a use; `PyAPI_FUNC(int) name` or `__attribute__((x)) name` is not
      const open = openParenBefore(text, p);
      if (open < 0) return false;
      let q = open - 1;
      while (q >= 0 && (text.charCodeAt(q) === 32 || text.charCodeAt(q) === 9)) q--;
      if (q < 0 || !isIdChar(text.charCodeAt(q))) return true;
      let r = q;
      while (r > 0 && isIdChar(text.charCodeAt(r - 1))) r--;
      return USE_KEYWORDS.has(text.slice(r, q + 1)) || CONTROL_KEYWORDS.has(text.slice(r, q + 1));
    }
    case 47: // a comment ending before the name: ask the tree
      return text.charCodeAt(p - 1) !== 42;
    default:
      return true; // = + - / % ^ ! ~ < > ? : ; [ ] . & | " ' #...
  }
}

/** codeBefore(): the name is the first token after a directive line. */
const AFTER_DIRECTIVE = -2;

/**
 * The offset of the last character of code before `start` on this or earlier lines: spaces, block comments
 * (`/* x *\/`) and a previous line's `//` comment are skipped. AFTER_DIRECTIVE when a directive line comes
 * first, -1 at the start of the text.
 */
function codeBefore(text: string, start: number): number {
  let p = start - 1;
  for (let hops = 0; hops < 32; hops++) {
    let crossed = false;
    for (let c = text.charCodeAt(p); p >= 0 && (c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11); c = text.charCodeAt(--p)) {
      if (c === 10) crossed = true;
    }
    if (p < 0) return -1;
    if (text.charCodeAt(p) === 47 && text.charCodeAt(p - 1) === 42) {
      const open = commentOpen(text, p - 2);
      if (open < 0) return -1; // (not found close by: the caller asks the tree)
      p = open - 1;
      continue;
    }
    if (!crossed) return p;
    // at the end of an earlier line: a directive, or a line comment, are not code before the name
    const ls = text.lastIndexOf('\n', p) + 1;
    const line = text.slice(ls, p + 1);
    if (/^[ \t]*#/.test(line) && text.charCodeAt(p) !== 92) return AFTER_DIRECTIVE;
    const sl = line.indexOf('//');
    if (sl < 0 || /["']/.test(line.slice(0, sl))) return p;
    p = ls + sl - 1;
  }
  return -1; // (too many comments to look past: the caller asks the tree)
}

/** The `/*` of a block comment that ends before `at`, looked for at most 4 kB back (-1 when not found). */
function commentOpen(text: string, at: number): number {
  for (let q = at - 1, stop = Math.max(0, at - 4096); q >= stop; q--) if (text.charCodeAt(q) === 47 && text.charCodeAt(q + 1) === 42) return q;
  return -1;
}

/** The word that ends at `p` (inclusive). */
function wordEndingAt(text: string, p: number): string {
  let q = p;
  while (q > 0 && isIdChar(text.charCodeAt(q - 1))) q--;
  return text.slice(q, p + 1);
}

/** Whether what follows `from` is `*` or a name that is not an attribute or a compiler keyword (`__x`, asm). */
function typeBeforeDeclarator(text: string, from: number): boolean {
  let q = from;
  for (let c = text.charCodeAt(q); c === 32 || c === 9 || c === 10 || c === 13; c = text.charCodeAt(++q));
  const c = text.charCodeAt(q);
  if (c === 42) return true;
  if (!isIdChar(c) || (c >= 48 && c <= 57)) return false;
  let e = q + 1;
  while (e < text.length && isIdChar(text.charCodeAt(e))) e++;
  const next = text.slice(q, e);
  return !next.startsWith('__') && !NOT_A_DECLARED_NAME.has(next);
}

/** Names that can follow a declarator: attribute and assembly keywords. */
const NOT_A_DECLARED_NAME = new Set(['asm', 'alignas', '_Alignas', 'PY_GCC_ATTRIBUTE']);

function nextIs(text: string, from: number, code: number): boolean {
  let q = from;
  while (q < text.length && (text.charCodeAt(q) === 32 || text.charCodeAt(q) === 9)) q++;
  return text.charCodeAt(q) === code;
}

/**
 * The `(` left open before `at`, looked for at most 400 characters back and before any `;`, `{` or `}` (-1
 * when there is none): for a `)` at `at`, its match; for a comma, the parenthesis it is inside.
 */
function openParenBefore(text: string, at: number): number {
  let depth = 0;
  for (let q = at - 1; q >= 0 && at - q < 400; q--) {
    const c = text.charCodeAt(q);
    if (c === 41) depth++;
    else if (c === 40) {
      if (depth === 0) return q;
      depth--;
    } else if (c === 59 || c === 123 || c === 125) return -1;
  }
  return -1;
}

function fieldHolds(parent: Node, field: string, node: Node): boolean {
  for (const c of parent.childrenForFieldName(field)) if (c && c.startIndex === node.startIndex && c.endIndex === node.endIndex) return true;
  return false;
}

/** Whether the identifier at [start, end) is declared there (a declarator, macro name, typedef name or enumerator). */
function declaresAt(root: Node, start: number, end: number, member: boolean): boolean {
  const { node, parent } = nodeAt(root, start, end);
  return node.startIndex === start && node.endIndex === end && declares(node, parent, member);
}

/** Whether `node` (an identifier, its parent `parent`) is declared there. */
function declares(node: Node, parent: Node | null, member: boolean): boolean {
  const t = node.type;
  if (t !== 'identifier' && t !== 'type_identifier' && t !== 'field_identifier') return false;
  if (!parent) return false;
  const pt = parent.type;
  if (member) {
    if (t !== 'field_identifier') return false;
    if (pt === 'parenthesized_declarator') return true;
    return MEMBER_PARENTS.has(pt) && fieldHolds(parent, 'declarator', node);
  }
  if (t === 'identifier') {
    if (pt === 'parenthesized_declarator' || pt === 'attributed_declarator') return true;
    if (NAME_PARENTS.has(pt)) return fieldHolds(parent, 'declarator', node);
    if (pt === 'preproc_def' || pt === 'preproc_function_def' || pt === 'enumerator') return fieldHolds(parent, 'name', node);
    return false;
  }
  if (t === 'type_identifier') return (pt === 'type_definition' || pt === 'pointer_declarator') && fieldHolds(parent, 'declarator', node);
  return false;
}

/**
 * Whether the name at [start, end) is not a use at all: a goto label or label definition, a struct member
 * declarator or designator, or a name being declared there (a function, variable, parameter, typedef, macro
 * or enumerator). A declaration of a C API name is never a use of it (a polyfill's own definition).
 */
export function notAUseAt(tree: Tree, text: string, start: number, end: number): boolean {
  // the text first: most occurrences are plainly uses, and a deep tree costs its depth per look-up
  let p = start - 1;
  while (p >= 0 && (text.charCodeAt(p) === 32 || text.charCodeAt(p) === 9)) p--;
  if (p >= 3 && text.slice(p - 3, p + 1) === 'goto' && (p < 4 || !isIdChar(text.charCodeAt(p - 4)))) return true;
  let q = end;
  while (q < text.length && (text.charCodeAt(q) === 32 || text.charCodeAt(q) === 9)) q++;
  const label = text.charCodeAt(q) === 58 && text.charCodeAt(q + 1) !== 58;
  if (!label && lexicallyAUse(text, start, end)) return false;
  const { node, parent } = nodeAt(tree.rootNode, start, end);
  if (node.startIndex !== start || node.endIndex !== end) return false;
  if (node.type === 'statement_identifier' || node.type === 'field_identifier') return true;
  return declares(node, parent, false);
}

/**
 * The rows where a file declares `name` (as a struct member when `member`): every whole-word occurrence in the
 * text that the preceding token does not rule out is looked up in the tree. The analysis asks this only for the
 * few names it is about to report, so the tree is consulted at a handful of positions instead of being queried
 * or walked whole.
 */
export function declaringRows(tree: Tree, text: string, name: string, member: boolean, rowOf: (offset: number) => number, from = 0, to = text.length): number[] {
  const rows: number[] = [];
  for (let i = text.indexOf(name, from); i >= 0 && i < to; i = text.indexOf(name, i + name.length)) {
    const end = i + name.length;
    if ((i > 0 && isIdChar(text.charCodeAt(i - 1))) || isIdChar(text.charCodeAt(end))) continue;
    if (lexicallyAUse(text, i, end)) continue;
    if (declaresAt(tree.rootNode, i, end, member)) rows.push(rowOf(i));
  }
  return rows;
}

/**
 * Whether the text may declare `name`: some whole-word occurrence is not plainly a use (declaringRows asks the
 * tree only at such occurrences). A name that is not an identifier (a struct tag, `struct x`) may always be.
 */
export function mayDeclare(text: string, name: string): boolean {
  if (!/^[A-Za-z_]\w*$/.test(name)) return true;
  for (let i = text.indexOf(name); i >= 0; i = text.indexOf(name, i + name.length)) {
    const end = i + name.length;
    if ((i > 0 && isIdChar(text.charCodeAt(i - 1))) || isIdChar(text.charCodeAt(end))) continue;
    if (!lexicallyAUse(text, i, end)) return true;
  }
  return false;
}

/**
 * The start of the innermost function definition around an offset (null at file scope), found by descending
 * along the offset (error recovery can leave a definition inside another). (TreeCursor.gotoFirstChildForIndex
 * does not move in web-tree-sitter 0.27.1: it returns false and stays on the first child.)
 */
/** The call expression whose function is the identifier at [start, end), if any. */
export function callOfIdentifier(tree: Tree, start: number, end: number): Node | null {
  const call = nodeAt(tree.rootNode, start, end).parent;
  return call && call.type === 'call_expression' && call.childForFieldName('function')?.startIndex === start ? call : null;
}

export function functionAround(tree: Tree, offset: number): number | null {
  let node: Node | null = tree.rootNode;
  let found: number | null = null;
  for (let guard = 0; node && guard < 10000; guard++) {
    const child: Node | null = node.firstChildForIndex(offset);
    if (!child || child.startIndex > offset) break;
    if (child.type === 'function_definition') found = child.startIndex;
    node = child;
  }
  return found;
}

/** The declaration around a `PyTypeObject` type name at [start, end), when it is the declaration's type. */
export function typeObjectDeclarationAt(tree: Tree, start: number, end: number): Node | null {
  const { node, parent } = nodeAt(tree.rootNode, start, end);
  if (node.type !== 'type_identifier' || node.startIndex !== start) return null;
  if (!parent || parent.type !== 'declaration') return null;
  const type = parent.childForFieldName('type');
  return type && type.startIndex === start ? parent : null;
}
