#!/usr/bin/env node
// `node scripts/mutation-todo.mjs`: which mutants of src/ have no result in stryker/incremental.json
// yet, per file and per folder, so that a partial `npm run mutate` can be planned and reported.
// It instruments src/ the way Stryker does (@stryker-mutator/instrumenter, every mutator) and
// matches each mutant to a recorded result by mutator, replacement and place. Mutants Stryker
// leaves out (static ones, log statements: stryker.config.mjs) are counted here as to do, and so
// is every mutant below an edit made since the results were recorded (Stryker's own diff maps
// moved mutants to their old results; this does not): the figures are an upper bound. Stryker
// prints the exact count as a run starts ("N of M mutant result(s) are reused").
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Instrumenter } from '@stryker-mutator/instrumenter';
import { folderOf } from './mutation-scores.mjs';

const quiet = { isDebugEnabled: () => false, isTraceEnabled: () => false, debug() {}, trace() {}, info() {}, warn() {}, error() {}, fatal() {} };
const names = execFileSync('git', ['ls-files', 'src'], { encoding: 'utf8' }).trim().split('\n').filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'));
const files = names.map((name) => ({ name, content: readFileSync(name, 'utf8'), mutate: true }));
const { mutants } = await new Instrumenter(quiet).instrument(files, { plugins: null, excludedMutations: [], ignorers: [] });

// The report's places are 1-based; the instrumenter's are 0-based.
const key = (m, base) =>
  `${m.mutatorName}|${m.location.start.line - base}:${m.location.start.column - base}-${m.location.end.line - base}:${m.location.end.column - base}|${m.replacement}`;
const report = JSON.parse(readFileSync('stryker/incremental.json', 'utf8'));
const tested = new Map(Object.entries(report.files).map(([file, { mutants: ms }]) => [file, new Set(ms.map((m) => key(m, 1)))]));

const perFile = new Map();
for (const m of mutants) {
  const file = m.fileName.replace(`${process.cwd()}/`, '');
  const row = perFile.get(file) ?? { total: 0, todo: 0 };
  row.total++;
  if (!tested.get(file)?.has(key(m, 0))) row.todo++;
  perFile.set(file, row);
}
const perFolder = new Map();
for (const [file, { total, todo }] of perFile) {
  const row = perFolder.get(folderOf(file)) ?? { total: 0, todo: 0 };
  perFolder.set(folderOf(file), { total: row.total + total, todo: row.todo + todo });
}
const line = (name, { total, todo }) => `${String(todo).padStart(6)} of ${String(total).padStart(5)}  ${name}`;
console.log('Mutants without a result (of all), per folder:');
for (const [name, row] of [...perFolder].sort((a, b) => b[1].todo - a[1].todo)) if (row.todo > 0) console.log(line(name, row));
console.log('\nPer file:');
for (const [name, row] of [...perFile].sort((a, b) => b[1].todo - a[1].todo)) if (row.todo > 0) console.log(line(name, row));
const all = [...perFile.values()].reduce((a, r) => ({ total: a.total + r.total, todo: a.todo + r.todo }), { total: 0, todo: 0 });
console.log(`\n${all.todo} of ${all.total} mutants have no result yet.`);
