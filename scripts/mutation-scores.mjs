#!/usr/bin/env node
// Prints StrykerJS's mutation score per folder of src/ from its JSON report, and exits 1 when a
// folder with a threshold falls below it, or when the list of equivalent mutants is stale.
//
//   node scripts/mutation-scores.mjs [reports/mutation/mutation.json]
//
// Score, as Stryker counts it: detected / (detected + undetected), where detected is Killed or
// Timeout and undetected is Survived or NoCoverage. Mutants that do not compile or that Stryker
// ignores count for neither. A surviving mutant listed in stryker/equivalent-mutants.json (one
// that no test can kill, because the program behaves the same) is counted for neither too.
import { readFileSync } from 'node:fs';

/** The goal per folder (issue 14): 85%, and 75% for the CLI. */
export const THRESHOLDS = {
  'src/rotation': 85,
  'src/momento': 85,
  'src/secret': 85,
  'src/observability': 85,
  'src/client': 85,
  'src/cli': 75,
};

const DETECTED = new Set(['Killed', 'Timeout']);
const UNDETECTED = new Set(['Survived', 'NoCoverage']);

/** `src/rotation/strategies/mint-v2.ts` → `src/rotation`; a file directly in src/ → `src`. */
export function folderOf(file) {
  const parts = file.split('/');
  return parts.length > 2 ? parts.slice(0, 2).join('/') : parts[0];
}

/** The text of a mutant's first line, trimmed: how an equivalent mutant is found again after lines move. */
function lineOf(source, mutant) {
  return source.split('\n')[mutant.location.start.line - 1].trim();
}

/**
 * Matches each listed equivalent mutant to the surviving mutants of the report. An entry names
 * the file, the mutator, the source line's text and the replacement, and excuses one surviving
 * mutant that no earlier entry excused; an entry that excuses none makes the list stale (the
 * code changed, or a test now kills it).
 */
export function matchEquivalents(report, equivalents) {
  const excused = new Set();
  const stale = [];
  for (const entry of equivalents) {
    const file = report.files[entry.file];
    const matches = (file?.mutants ?? []).filter(
      (m) =>
        UNDETECTED.has(m.status) &&
        m.mutatorName === entry.mutator &&
        m.replacement === entry.replacement &&
        lineOf(file.source, m) === entry.line.trim() &&
        !excused.has(`${entry.file}#${m.id}`),
    );
    if (matches.length === 0) stale.push(entry);
    else excused.add(`${entry.file}#${matches[0].id}`);
  }
  return { excused, stale };
}

export function scores(report, excused = new Set()) {
  const folders = new Map();
  const add = (name, mutant, file) => {
    const row = folders.get(name) ?? { detected: 0, undetected: 0, equivalent: 0, ignored: 0, survivors: [] };
    if (excused.has(`${file}#${mutant.id}`)) row.equivalent++;
    else if (DETECTED.has(mutant.status)) row.detected++;
    else if (UNDETECTED.has(mutant.status)) {
      row.undetected++;
      row.survivors.push({ file, mutant });
    } else row.ignored++;
    folders.set(name, row);
  };
  for (const [file, { mutants }] of Object.entries(report.files)) {
    for (const mutant of mutants) {
      add(folderOf(file), mutant, file);
      add('all of src', mutant, file);
    }
  }
  for (const row of folders.values()) {
    const total = row.detected + row.undetected;
    row.score = total === 0 ? 100 : (100 * row.detected) / total;
  }
  return folders;
}

/**
 * Kills that came from vitest's test timeout rather than an assertion, per folder. Stryker counts
 * such a failure as a kill; a mutant that hangs a wait earns it, but so did, before
 * test/mutation/fresh-moto.ts, tests slowed by what earlier runs left in a shared moto_server.
 * Printed so that a run where they pile up is noticed.
 */
export function testTimeoutKills(report) {
  const counts = new Map();
  for (const [file, { mutants }] of Object.entries(report.files)) {
    const folder = folderOf(file);
    for (const mutant of mutants) {
      if (mutant.status === 'Killed' && /\btimed out in \d+ ?ms\b/.test(mutant.statusReason ?? '')) {
        counts.set(folder, (counts.get(folder) ?? 0) + 1);
      }
    }
  }
  return counts;
}

function main() {
  const reportPath = process.argv[2] ?? 'reports/mutation/mutation.json';
  const report = JSON.parse(readFileSync(reportPath, 'utf8'));
  const equivalents = JSON.parse(readFileSync(new URL('../stryker/equivalent-mutants.json', import.meta.url), 'utf8'));
  const { excused, stale } = matchEquivalents(report, equivalents);
  const folders = scores(report, excused);

  let failed = false;
  const names = [...folders.keys()].filter((n) => n !== 'all of src').sort();
  console.log('folder               score  killed  survived  equivalent  goal');
  for (const name of [...names, 'all of src']) {
    const row = folders.get(name);
    const threshold = THRESHOLDS[name];
    const below = threshold !== undefined && row.score < threshold;
    failed ||= below;
    const mark = below ? '  BELOW' : '';
    console.log(
      `${name.padEnd(19)} ${row.score.toFixed(1).padStart(6)}% ${String(row.detected).padStart(7)} ${String(row.undetected).padStart(9)} ${String(row.equivalent).padStart(11)}  ${threshold === undefined ? '-' : `${threshold}%`}${mark}`,
    );
  }
  for (const name of Object.keys(THRESHOLDS)) {
    if (!folders.has(name)) {
      console.log(`${name}: no mutants in the report`);
      failed = true;
    }
  }
  const timeoutKills = testTimeoutKills(report);
  if (timeoutKills.size > 0) {
    const total = [...timeoutKills.values()].reduce((a, b) => a + b, 0);
    const list = [...timeoutKills].sort().map(([name, n]) => `${name} ${n}`).join(', ');
    console.log(`\nOf the kills, ${total} came from a test timeout, not an assertion (${list}).`);
  }
  if (stale.length > 0) {
    failed = true;
    console.log(`\n${stale.length} entr${stale.length === 1 ? 'y' : 'ies'} of stryker/equivalent-mutants.json match no surviving mutant (code changed, or a test kills it now): update the list.`);
    for (const e of stale) console.log(`  ${e.file}: ${e.mutator} "${e.line}" → ${JSON.stringify(e.replacement)}`);
  }
  if (process.argv.includes('--survivors')) {
    for (const name of names) {
      for (const { file, mutant } of folders.get(name).survivors) {
        console.log(`${file}:${mutant.location.start.line} ${mutant.status} ${mutant.mutatorName} → ${JSON.stringify(mutant.replacement)}`);
      }
    }
  }
  console.log(failed ? '\nmutation scores: FAILED' : '\nmutation scores: every folder at or above its goal');
  process.exit(failed ? 1 : 0);
}

if (import.meta.url === `file://${process.argv[1]}`) main();
