import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import ts from 'typescript';

/** File (relative, posix) → the files of the same tree it imports. */
export type ImportGraph = ReadonlyMap<string, readonly string[]>;

/**
 * The import graph of a set of TypeScript sources, read with the compiler's own scanner
 * (ts.preProcessFile): static imports and re-exports, `import type` included, and dynamic
 * `import()`. Only relative specifiers count; `./x.js` names `./x.ts`, as NodeNext resolves it.
 */
export function importGraphOf(sources: ReadonlyMap<string, string>): ImportGraph {
  const graph = new Map<string, string[]>();
  for (const [file, text] of sources) {
    const imported = ts.preProcessFile(text, true, true).importedFiles.map((i) => i.fileName).filter((name) => name.startsWith('.'));
    graph.set(
      file,
      imported.map((name) => {
        const target = posix.normalize(posix.join(posix.dirname(file), name));
        return target.endsWith('.js') ? `${target.slice(0, -3)}.ts` : target.endsWith('.ts') ? target : `${target}.ts`;
      }),
    );
  }
  return graph;
}

/** Every .ts file under `dir`, read: path (relative to `root`, posix) → text. */
export function readSources(root: string, dir: string): Map<string, string> {
  const sources = new Map<string, string>();
  const walk = (relative: string): void => {
    for (const entry of readdirSync(join(root, relative), { withFileTypes: true })) {
      const path = posix.join(relative, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts')) sources.set(path, readFileSync(join(root, path), 'utf8'));
    }
  };
  walk(dir);
  return sources;
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

/** Imports from an adapter up into the protocol, the CLI or the consumer library, as "from → to". */
export function upwardImports(graph: ImportGraph): string[] {
  const found: string[] = [];
  for (const [file, targets] of graph) {
    if (!ADAPTERS.some((adapter) => file.startsWith(adapter))) continue;
    for (const target of targets) if (ABOVE_ADAPTERS.some((layer) => target.startsWith(layer))) found.push(`${file} → ${target}`);
  }
  return found;
}

export const projectRoot = join(dirname(new URL(import.meta.url).pathname), '..', '..');
