import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix, resolve } from 'node:path';
import ts from 'typescript';

/** File (relative to the project, posix) → the files of the same tree it imports. */
export type ImportGraph = ReadonlyMap<string, readonly string[]>;

export const projectRoot = join(dirname(new URL(import.meta.url).pathname), '..', '..');

/** tsconfig.json's compiler options: its `paths` (momento-secret-rotation/cdk → src/cdk) resolve as tsc and esbuild resolve them. */
function compilerOptions(root: string): ts.CompilerOptions {
  const config = ts.readConfigFile(join(root, 'tsconfig.json'), ts.sys.readFile);
  return ts.parseJsonConfigFileContent(config.config, ts.sys, root).options;
}

/**
 * The import graph of a set of TypeScript sources (path relative to `root` → text), read with the
 * compiler's own scanner (ts.preProcessFile: static imports and re-exports, `import type`
 * included, `import x = require()`, and `import('...')` with a literal) and resolved with its own
 * module resolution (ts.resolveModuleName with tsconfig.json's options: `./x.js` names `./x.ts`,
 * `paths` and the package's own name included). An edge is kept when it lands on one of `sources`.
 */
export function importGraphOf(sources: ReadonlyMap<string, string>, root = projectRoot): ImportGraph {
  const options = compilerOptions(root);
  const absolute = (file: string) => resolve(root, file);
  const known = new Map([...sources.keys()].map((file) => [absolute(file), file]));
  const host: ts.ModuleResolutionHost = {
    fileExists: (path) => known.has(resolve(path)) || ts.sys.fileExists(path),
    readFile: (path) => (known.has(resolve(path)) ? sources.get(known.get(resolve(path))!) : ts.sys.readFile(path)),
    directoryExists: (path) => [...known.keys()].some((file) => file.startsWith(`${resolve(path)}/`)) || (ts.sys.directoryExists?.(path) ?? false),
    realpath: ts.sys.realpath,
    getCurrentDirectory: () => root,
  };
  const graph = new Map<string, string[]>();
  for (const [file, text] of sources) {
    const targets: string[] = [];
    const info = ts.preProcessFile(text, true, true);
    for (const { fileName } of [...info.importedFiles, ...info.referencedFiles]) {
      const resolved = ts.resolveModuleName(fileName, absolute(file), options, host).resolvedModule?.resolvedFileName;
      const target = resolved === undefined ? undefined : known.get(resolve(resolved));
      if (target !== undefined) targets.push(target);
      // A relative import that names no file is an error tsc reports; here it is still an edge, so a
      // cycle through a file being added shows.
      else if (fileName.startsWith('.')) targets.push(posix.normalize(posix.join(posix.dirname(file), fileName)).replace(/\.js$/, '.ts'));
    }
    graph.set(file, targets);
  }
  return graph;
}

/** Every .ts, .mts and .cts file under `dir`, read: path (relative to `root`, posix) → text. */
export function readSources(root: string, dir: string): Map<string, string> {
  const sources = new Map<string, string>();
  const walk = (directory: string): void => {
    for (const entry of readdirSync(join(root, directory), { withFileTypes: true })) {
      const path = posix.join(directory, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.[mc]?ts$/.test(entry.name)) sources.set(path, readFileSync(join(root, path), 'utf8'));
    }
  };
  walk(dir);
  return sources;
}

/**
 * `import(...)` calls whose argument is not a plain string: the graph cannot see where they lead
 * (esbuild bundles `import(\`../x/${name}.js\`)` as a glob), so src/ may not have them.
 */
export function computedImports(sources: ReadonlyMap<string, string>): string[] {
  const found: string[] = [];
  for (const [file, text] of sources) {
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
        const argument = node.arguments[0];
        if (argument === undefined || !(ts.isStringLiteral(argument) || ts.isNoSubstitutionTemplateLiteral(argument))) {
          found.push(`${file}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}: ${node.getText()}`);
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return found;
}

/** The import cycles: strongly connected components (Tarjan) of more than one file, or a file importing itself. */
export function importCycles(graph: ImportGraph): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (file: string): void => {
    index.set(file, next);
    low.set(file, next);
    next++;
    stack.push(file);
    onStack.add(file);
    for (const target of graph.get(file) ?? []) {
      if (!graph.has(target)) continue;
      if (!index.has(target)) {
        visit(target);
        low.set(file, Math.min(low.get(file)!, low.get(target)!));
      } else if (onStack.has(target)) low.set(file, Math.min(low.get(file)!, index.get(target)!));
    }
    if (low.get(file) !== index.get(file)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== file);
    if (component.length > 1 || (graph.get(file) ?? []).includes(file)) cycles.push(component.sort());
  };
  for (const file of graph.keys()) if (!index.has(file)) visit(file);
  return cycles;
}

/** The adapters (what the protocol talks to, and what they share) and the layers above them. */
export const ADAPTERS = ['src/momento/', 'src/secrets-manager/', 'src/secret/', 'src/observability/'] as const;
export const ABOVE_ADAPTERS = ['src/rotation/', 'src/cli/', 'src/client/'] as const;

/**
 * Paths from an adapter up into the protocol, the CLI or the consumer library, directly or through
 * any other file (src/deploy, say), as "from → … → to": the shortest path for each adapter file.
 */
export function upwardImports(graph: ImportGraph): string[] {
  const isAbove = (file: string) => ABOVE_ADAPTERS.some((layer) => file.startsWith(layer));
  const found: string[] = [];
  for (const start of graph.keys()) {
    if (!ADAPTERS.some((adapter) => start.startsWith(adapter))) continue;
    const cameFrom = new Map<string, string>([[start, start]]);
    const queue = [start];
    let reached: string | undefined;
    while (queue.length > 0 && reached === undefined) {
      const file = queue.shift()!;
      for (const target of graph.get(file) ?? []) {
        if (cameFrom.has(target)) continue;
        cameFrom.set(target, file);
        if (isAbove(target)) {
          reached = target;
          break;
        }
        queue.push(target);
      }
    }
    if (reached === undefined) continue;
    const path = [reached];
    while (path[0] !== start) path.unshift(cameFrom.get(path[0]!)!);
    found.push(path.join(' → '));
  }
  return found;
}

