/**
 * The import-boundary checker: reads the import and export-from specifiers of every .ts file under a
 * folder (static `import`/`import type`/`export … from`, side-effect `import '…'`, dynamic `import('…')`),
 * resolves relative ones to repository paths and judges each edge against the project's rules.
 * A scanner blanks comments first (strings are kept: they hold the specifiers), so an import written in a
 * comment is not one. Pure apart from reading the tree.
 */
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ImportRef {
  specifier: string;
  /** `import type …` / `export type … from`: erased at compile time. */
  typeOnly: boolean;
  line: number;
}

export interface ImportEdge extends ImportRef {
  /** Importing file, repository-relative with forward slashes (src/chain/follower.ts). */
  from: string;
  kind: 'relative' | 'builtin' | 'package';
  /** Relative: the resolved repository path (src/engine/commands.ts); builtin: the specifier; package: its name. */
  target: string;
}

/**
 * Comments become spaces (newlines kept, so line numbers hold). `text` keeps strings as written (they hold
 * the specifiers); `code` also blanks string contents, to tell an `import` keyword in code from one
 * inside a string.
 */
export function stripComments(src: string): { text: string; code: string } {
  let text = '';
  let code = '';
  const blank = (s: string): string => s.replace(/[^\n]/g, ' ');
  let i = 0;
  const n = src.length;
  while (i < n) {
    const c = src[i];
    const d = src[i + 1];
    if (c === '/' && (d === '/' || d === '*')) {
      const end = d === '/' ? src.indexOf('\n', i) : src.indexOf('*/', i + 2);
      const stop = end < 0 ? n : d === '/' ? end : end + 2;
      const b = blank(src.slice(i, stop));
      text += b;
      code += b;
      i = stop;
    } else if (c === "'" || c === '"' || c === '`') {
      // A string ends at its quote; a quoted (not template) one also at the line's end, so a quote inside a
      // regex literal can swallow at most the rest of its line.
      let j = i + 1;
      while (j < n && src[j] !== c && (c === '`' || src[j] !== '\n')) j += src[j] === '\\' ? 2 : 1;
      const str = src.slice(i, j + 1);
      text += str;
      code += c + blank(str.slice(1, -1)) + (str.length > 1 ? str[str.length - 1] : '');
      i = j + 1;
    } else {
      text += c;
      code += c;
      i++;
    }
  }
  return { text, code };
}

const STATIC = /(^|[^.\w$])(import|export)(\s+type)?\s+([\w$\s{},*]*?)\s*from\s*(['"])([^'"\n]+)\5/g;
const BARE = /(^|[^.\w$])import\s*(['"])([^'"\n]+)\2/g;
const DYNAMIC = /(^|[^.\w$])import\s*\(\s*(['"`])([^'"`\n]+)\2\s*[,)]/g;

export function importsOf(source: string): ImportRef[] {
  const { text, code } = stripComments(source);
  const lineAt = (idx: number): number => text.slice(0, idx).split('\n').length;
  const refs: ImportRef[] = [];
  const add = (m: RegExpMatchArray, specifier: string, typeOnly: boolean): void => {
    const at = m.index! + m[1].length;
    // the keyword must be code, not the inside of a string
    if (code.startsWith('import', at) || code.startsWith('export', at)) refs.push({ specifier, typeOnly, line: lineAt(at) });
  };
  for (const m of text.matchAll(STATIC)) add(m, m[6], m[3] !== undefined);
  for (const m of text.matchAll(BARE)) add(m, m[3], false);
  for (const m of text.matchAll(DYNAMIC)) add(m, m[3], false);
  return refs.sort((a, b) => a.line - b.line);
}

export const isBuiltin = (spec: string): boolean => spec.startsWith('node:') || builtinModules.includes(spec) || builtinModules.includes(spec.split('/')[0]);
export const packageName = (spec: string): string => spec.split('/').slice(0, spec.startsWith('@') ? 2 : 1).join('/');

function listTs(root: string, dir: string): string[] {
  const abs = join(root, dir);
  if (!existsSync(abs)) return [];
  const out: string[] = [];
  for (const name of readdirSync(abs).sort()) {
    const rel = posix.join(dir, name);
    if (statSync(join(root, rel)).isDirectory()) out.push(...listTs(root, rel));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(rel);
  }
  return out;
}

/** Resolves a relative specifier of `from` as NodeNext does for this project's sources (.js names the .ts). */
function resolveRelative(root: string, from: string, spec: string): string {
  const base = posix.normalize(posix.join(posix.dirname(from), spec));
  const candidates = [base.replace(/\.js$/, '.ts'), base.replace(/\.mjs$/, '.mts'), base, `${base}.ts`, `${base}/index.ts`];
  return candidates.find((c) => existsSync(join(root, c)) && statSync(join(root, c)).isFile()) ?? base.replace(/\.js$/, '.ts');
}

/** Every import edge of every .ts file under `dir` (default src) of the tree at `root`. */
export function collectEdges(root: string, dir = 'src'): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const file of listTs(root, dir)) {
    for (const ref of importsOf(readFileSync(join(root, file), 'utf8'))) {
      const s = ref.specifier;
      if (s.startsWith('.')) edges.push({ ...ref, from: file, kind: 'relative', target: resolveRelative(root, file, s) });
      else if (isBuiltin(s)) edges.push({ ...ref, from: file, kind: 'builtin', target: s });
      else edges.push({ ...ref, from: file, kind: 'package', target: packageName(s) });
    }
  }
  return edges;
}

export interface Rule {
  name: string;
  /** Which importing files the rule governs. */
  governs: (file: string) => boolean;
  /** Why an edge from a governed file breaks the rule, or undefined when it is fine. */
  breaks: (edge: ImportEdge) => string | undefined;
}

export const under = (dir: string) => (file: string): boolean => file.startsWith(dir.endsWith('/') ? dir : `${dir}/`);

/** Packages the engine may import: pure computation, no I/O. Anything else (better-sqlite3, pg, fastify, …) is refused. */
export const ENGINE_PURE_PACKAGES = ['@noble/hashes', '@noble/curves', '@scure/base', '@scure/btc-signer'];
/** Packages that do I/O, named in the engine rule's message (the allow-list above is what is enforced). */
export const IO_PACKAGES = ['better-sqlite3', 'pg', 'fastify', '@fastify/static', '@fastify/swagger', '@fastify/swagger-ui', '@fastify/websocket', 'prom-client', 'commander', '@arkade-os/sdk', 'playwright-core', 'ws'];

const engineFile = under('src/engine');
/** The engine's wire vocabulary: commands and events (the core's and each product's). */
const isEngineVocabulary = (t: string): boolean => engineFile(t) && /(^|\/)(commands|events)\.ts$/.test(t);
const isEngineIndex = (t: string): boolean => t === 'src/engine/index.ts' || /^src\/engine\/products\/[^/]+\/index\.ts$/.test(t);

export const RULES: Rule[] = [
  {
    name: 'src/engine imports no node: or builtin module and no package doing I/O',
    governs: engineFile,
    breaks: (e) =>
      e.kind === 'builtin'
        ? 'a Node builtin (the engine is a pure state machine)'
        : e.kind === 'package' && !ENGINE_PURE_PACKAGES.includes(e.target)
          ? `a package outside the engine's pure list ${IO_PACKAGES.includes(e.target) ? '(it does I/O)' : '(add it to ENGINE_PURE_PACKAGES only if it does no I/O)'}`
          : undefined,
  },
  {
    name: 'src/chain and src/index import nothing from src/engine',
    governs: (f) => under('src/chain')(f) || under('src/index')(f),
    breaks: (e) => (e.kind === 'relative' && engineFile(e.target) ? 'chain and index data sit below the engine' : undefined),
  },
  {
    name: 'src/bitcoin imports nothing from src/operator',
    governs: under('src/bitcoin'),
    breaks: (e) => (e.kind === 'relative' && under('src/operator')(e.target) ? 'the bitcoin library sits below the operator' : undefined),
  },
  {
    name: 'src/api/routes import nothing from src/server, and from src/engine only commands, events and types via an index',
    governs: under('src/api/routes'),
    breaks: (e) => {
      if (e.kind !== 'relative') return undefined;
      if (under('src/server')(e.target)) return 'routes do not reach into the server';
      if (!engineFile(e.target) || isEngineVocabulary(e.target)) return undefined;
      if (isEngineIndex(e.target) && e.typeOnly) return undefined;
      return isEngineIndex(e.target) ? 'a value import from the engine (only `import type` through an index)' : "the engine's live modules (only commands, events, or `import type` through an index)";
    },
  },
];

/** `file → target` for every edge of a governed file that breaks the rule. */
export function violations(edges: ImportEdge[], rule: Rule): string[] {
  const out = new Set<string>();
  for (const e of edges) if (rule.governs(e.from) && rule.breaks(e) !== undefined) out.add(`${e.from} → ${e.target}`);
  return [...out].sort();
}

/** Files the rule governs (a rule governing nothing guards nothing: a moved folder must move its rule). */
export function governed(root: string, rule: Rule, dir = 'src'): string[] {
  return listTs(root, dir).filter(rule.governs);
}

/** Repository root of this checkout (test/architecture/ → ../..). */
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
