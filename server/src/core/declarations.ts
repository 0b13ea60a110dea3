/**
 * Declarations in a C syntax tree: what names a file (or a preprocessed header) declares, and of which kind.
 * Used to build the C API data from preprocessed CPython headers and to learn the names a project defines
 * itself (which abi3lint never flags).
 */
import { Query, type Language, type Node, type Tree } from './parser';

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
    if (tag) out.push({ name: tag, kind, node: type, members: body ? fieldNames(body) : undefined });
    const members = body ? fieldNames(body) : undefined;
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
        const sc = storageClasses(node);
        typeDecls(node.childForFieldName('type'), out);
        const dep = hasDeprecatedAttribute(node) || /__deprecated__/.test(node.text.slice(0, 200));
        for (const d of node.childrenForFieldName('declarator')) {
          const n = declaratorName(d);
          if (!n) continue;
          const kind: DeclKind = depth > 0 && opts.locals ? 'local' : n.isFunction ? 'function' : sc.has('typedef') ? 'typedef' : 'data';
          out.push({ name: n.name, kind, node, deprecated: dep || undefined });
        }
        if (depth > 0 && opts.locals) continue;
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

/** Subtrees that declare nothing: expressions, literals, argument and initializer lists. */
const SKIP_SUBTREE = /_expression$|^(argument_list|initializer_list|string_literal|concatenated_string|char_literal|number_literal|comment|preproc_arg|field_designator|subscript_designator)$/;

const DECL_QUERY = `
(function_declarator declarator: (identifier) @name)
(pointer_declarator declarator: (identifier) @name)
(array_declarator declarator: (identifier) @name)
(init_declarator declarator: (identifier) @name)
(declaration declarator: (identifier) @name)
(parameter_declaration declarator: (identifier) @name)
(parenthesized_declarator (identifier) @name)
(attributed_declarator (identifier) @name)
(type_definition declarator: (type_identifier) @name)
(pointer_declarator declarator: (type_identifier) @name)
(preproc_def name: (identifier) @name)
(preproc_function_def name: (identifier) @name)
(enumerator name: (identifier) @name)
(field_declaration declarator: (field_identifier) @member)
(pointer_declarator declarator: (field_identifier) @member)
(array_declarator declarator: (field_identifier) @member)
(function_declarator declarator: (field_identifier) @member)
(parenthesized_declarator (field_identifier) @member)
(function_definition) @function
`;

let declQuery: Query | null = null;

export interface DeclaredNames {
  /** Every declared name (file scope, locals, parameters, macros, typedefs, enumerators) with its row. */
  names: { name: string; row: number }[];
  /** Struct/union member names the file declares. */
  members: Set<string>;
  /** Function definitions as [startIndex, endIndex], in document order. */
  functions: [number, number][];
}

/**
 * The names a file declares, found by a tree-sitter query (matched inside the WebAssembly module, so only the
 * captures cross into JavaScript: much faster than walking every node).
 */
/** Declarations of one top-level node, positions relative to it: what `DeclCache` keeps between edits. */
interface ChunkDecls {
  names: { name: string; row: number }[];
  members: string[];
  functions: [number, number][];
}
/** Per-document cache: top-level node text -> its declarations (an edit re-queries only the nodes it changed). */
export type DeclCache = Map<string, ChunkDecls>;

export function declaredNames(tree: Tree, language: Language, text?: string, cache?: DeclCache): DeclaredNames {
  declQuery ??= new Query(language, DECL_QUERY);
  const out: DeclaredNames = { names: [], members: new Set(), functions: [] };
  const collect = (node: Node, base: { index: number; row: number }, into: ChunkDecls): void => {
    // (no startIndex/endIndex options: in web-tree-sitter 0.27 they drop captures when the node is not the root)
    for (const c of declQuery!.captures(node)) {
      if (c.node.startIndex < node.startIndex || c.node.endIndex > node.endIndex) continue;
      if (c.name === 'function') into.functions.push([c.node.startIndex - base.index, c.node.endIndex - base.index]);
      else if (c.name === 'member') into.members.push(c.node.text);
      else into.names.push({ name: c.node.text, row: c.node.startPosition.row - base.row });
    }
  };
  if (!cache || text === undefined) {
    const all: ChunkDecls = { names: [], members: [], functions: [] };
    collect(tree.rootNode, { index: 0, row: 0 }, all);
    out.names = all.names;
    for (const m of all.members) out.members.add(m);
    out.functions = all.functions.sort((a, b) => a[0] - b[0]);
    return out;
  }
  const seen = new Set<string>();
  const cursor = tree.walk();
  if (cursor.gotoFirstChild()) {
    do {
      const start = cursor.startIndex;
      const end = cursor.endIndex;
      const row = cursor.startPosition.row;
      const key = text.slice(start, end);
      let chunk = cache.get(key);
      if (!chunk) {
        chunk = { names: [], members: [], functions: [] };
        collect(cursor.currentNode, { index: start, row }, chunk);
        cache.set(key, chunk);
      }
      seen.add(key);
      for (const n of chunk.names) out.names.push({ name: n.name, row: n.row + row });
      for (const m of chunk.members) out.members.add(m);
      for (const f of chunk.functions) out.functions.push([f[0] + start, f[1] + start]);
    } while (cursor.gotoNextSibling());
  }
  cursor.delete();
  for (const k of [...cache.keys()]) if (!seen.has(k)) cache.delete(k);
  out.functions.sort((a, b) => a[0] - b[0]);
  return out;
}

let typeObjQuery: Query | null = null;

/** Declarations whose type is written `PyTypeObject` (static type objects are checked on these). */
export function typeObjectDeclarations(tree: Tree, language: Language): Node[] {
  typeObjQuery ??= new Query(language, '((declaration type: (type_identifier) @type) @decl (#eq? @type "PyTypeObject"))');
  return typeObjQuery.captures(tree.rootNode).filter((c) => c.name === 'decl').map((c) => c.node);
}
