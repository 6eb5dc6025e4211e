import { describe, expect, it } from 'vitest';
import { importCycles, importGraphOf, projectRoot, readSources, upwardImports } from '../support/import-graph.js';

// Issue 24: no file in src/ is part of an import cycle (type imports included), and no adapter
// (momento/, secrets-manager/, secret/, observability/) imports from rotation/, cli/ or client/.
const sources = readSources(projectRoot, 'src');

describe('the import graph of src/', () => {
  it('reads every source file, type imports and dynamic imports included', () => {
    expect(sources.size).toBeGreaterThan(40);
    const graph = importGraphOf(sources);
    expect(graph.get('src/rotation/rotate.ts')).toContain('src/rotation/rotation-deps.ts');
    expect(graph.get('src/rotation/strategies/mint-v2.ts')).toContain('src/rotation/rotation-deps.ts');
    // src/cli/main.ts loads doctor with import(): a dynamic import is an edge too.
    expect([...graph.values()].flat()).toContain('src/cli/commands/doctor.ts');
  });

  it('has no cycle', () => {
    expect(importCycles(importGraphOf(sources))).toEqual([]);
  });

  it('has no adapter importing from the protocol, the CLI or the consumer library', () => {
    expect(upwardImports(importGraphOf(sources))).toEqual([]);
  });

  // Each rule fails when broken: the sources as they were before issue 24, in memory.
  it('finds the cycle a strategy makes by taking its types from rotate.ts again (a type-only import)', () => {
    const broken = new Map(sources);
    const mint = 'src/rotation/strategies/mint-v2.ts';
    broken.set(mint, `import type { RotationDeps } from '../rotate.js';\n${sources.get(mint)}`);
    const cycles = importCycles(importGraphOf(broken));
    expect(cycles).toHaveLength(1);
    expect(cycles[0]).toEqual(expect.arrayContaining(['src/rotation/rotate.ts', mint]));
  });

  it('finds a cycle through a dynamic import, and a file importing itself', () => {
    const graph = importGraphOf(
      new Map([
        ['src/a.ts', "export const load = () => import('./b.js');"],
        ['src/b.ts', "export * from './a.js';"],
        ['src/c.ts', "import { c } from './c.js';"],
        ['src/d.ts', "import { a } from './a.js';"],
      ]),
    );
    expect(importCycles(graph)).toEqual(expect.arrayContaining([['src/a.ts', 'src/b.ts'], ['src/c.ts']]));
    expect(importCycles(graph)).toHaveLength(2);
  });

  it('finds an adapter reaching up into the protocol (the retry helper, where it was)', () => {
    const broken = new Map(sources);
    const adapter = 'src/momento/http-key-management.ts';
    broken.set(adapter, `import { withRetries } from '../rotation/retry.js';\n${sources.get(adapter)}`);
    expect(upwardImports(importGraphOf(broken))).toEqual([`${adapter} → src/rotation/retry.ts`]);
    broken.set('src/observability/logger.ts', `import type { Cli } from '../cli/main.js';\n${sources.get('src/observability/logger.ts')}`);
    expect(upwardImports(importGraphOf(broken))).toHaveLength(2);
  });
});
