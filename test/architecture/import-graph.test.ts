import { describe, expect, it } from 'vitest';
import { computedImports, importCycles, importGraphOf, projectRoot, readSources, upwardImports } from '../support/import-graph.js';

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

  it('has no adapter importing from the protocol, the CLI or the consumer library, directly or through another file', () => {
    expect(upwardImports(importGraphOf(sources))).toEqual([]);
  });

  it('has no import() whose target the graph cannot read', () => {
    expect(computedImports(sources)).toEqual([]);
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
    const found = upwardImports(importGraphOf(broken));
    expect(found).toContain('src/observability/logger.ts → src/cli/main.ts');
    // Every adapter that logs now reaches the CLI through the logger.
    expect(found).toContainEqual(expect.stringMatching(/^src\/momento\/[^ ]+ → src\/observability\/logger\.ts → src\/cli\/main\.ts$/));
    expect(found.every((path) => path.endsWith('src/rotation/retry.ts') || path.endsWith('src/observability/logger.ts → src/cli/main.ts') || path === 'src/observability/logger.ts → src/cli/main.ts')).toBe(true);
  });
  it('finds an adapter reaching up through another file (src/deploy), and through tsconfig paths', () => {
    const broken = new Map(sources);
    broken.set('src/observability/fingerprint.ts', `import { answerDelete } from '../deploy/revoke-on-stack-delete.js';\n${sources.get('src/observability/fingerprint.ts')}`);
    const found = upwardImports(importGraphOf(broken));
    expect(found).toContainEqual(expect.stringMatching(/^src\/observability\/fingerprint\.ts → src\/deploy\/revoke-on-stack-delete\.ts → src\/rotation\/[^ ]+$/));
    expect(found.every((path) => path.includes('src/observability/fingerprint.ts → src/deploy/revoke-on-stack-delete.ts'))).toBe(true);
    // tsconfig.json's paths: momento-secret-rotation/cdk is src/cdk/index.ts, as tsc and esbuild resolve it.
    const viaPaths = new Map(sources);
    viaPaths.set('src/cdk/index.ts', `import { runCli } from '../cli/main.js';\n${sources.get('src/cdk/index.ts')}`);
    viaPaths.set('src/secret/key-file.ts', `import type { MomentoKeyRotation } from 'momento-secret-rotation/cdk';\n${sources.get('src/secret/key-file.ts')}`);
    const viaCdk = upwardImports(importGraphOf(viaPaths));
    expect(viaCdk).toContain('src/secret/key-file.ts → src/cdk/index.ts → src/cli/main.ts');
    expect(viaCdk.every((path) => path.endsWith('src/secret/key-file.ts → src/cdk/index.ts → src/cli/main.ts'))).toBe(true);
  });

  it('finds an import() with a computed target', () => {
    const broken = new Map([['src/momento/x.ts', "const name = 'rotate';\nexport const load = () => import(`../rotation/${name}.js`);\nexport const ok = () => import('./y.js');"]]);
    expect(computedImports(broken)).toEqual(['src/momento/x.ts:2: import(`../rotation/${name}.js`)']);
  });
});
