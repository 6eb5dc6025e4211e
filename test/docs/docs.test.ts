import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  anchorsOf,
  checkCliFlags,
  checkCommandsDocumented,
  checkEnvironmentDocumented,
  checkErrorClassesDocumented,
  checkLinks,
  checkParametersDocumented,
  commandsInHelp,
  environmentReads,
  githubSlug,
  invocationsOf,
  optionsInHelp,
  thrownErrorClasses,
  type CliHelp,
  type DocFile,
  type NamedAt,
  type Repository,
} from '../support/docs-checks.js';
import { projectRoot, readSources } from '../support/import-graph.js';
import { expanded } from '../support/sam-template.js';

// Issue 24, part 3: docs that cannot drift. Each check runs on the real README.md, docs/,
// CLI, errors, template and sources, and expects no problem; then each is shown failing on
// the same inputs with one thing broken in memory.

/** A page of the docs as it is on disk; '' when it is not there yet (every name it should hold is then reported). */
function readDoc(path: string): DocFile {
  const file = join(projectRoot, path);
  return { path, text: existsSync(file) ? readFileSync(file, 'utf8') : '' };
}

function markdownUnder(dir: string): string[] {
  const root = join(projectRoot, dir);
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.md'))
    .map((name) => posix.join(dir, name.split('\\').join('/')))
    .sort();
}

const docs: DocFile[] = ['README.md', ...markdownUnder('docs')].map(readDoc);
const readme = docs[0]!;

const disk: Repository = {
  read(path) {
    const file = join(projectRoot, path);
    if (relative(projectRoot, file).startsWith('..') || !existsSync(file)) return undefined;
    return statSync(file).isDirectory() ? '' : readFileSync(file, 'utf8');
  },
};

const CLI = join(projectRoot, 'dist', 'cli.js');
function cliHelp(): CliHelp {
  if (!existsSync(CLI)) throw new Error('dist/cli.js is missing: build it with `node scripts/build.mjs --quiet` (npm test builds it before vitest runs)');
  const run = (args: string[]) => execFileSync(process.execPath, [CLI, ...args], { cwd: projectRoot, encoding: 'utf8' });
  const top = run(['--help']);
  return { top, commands: Object.fromEntries(commandsInHelp(top).map((command) => [command, run([command, '--help'])])) };
}
const help = cliHelp();

const ERRORS_FILE = 'src/rotation/errors.ts';
const errorsSource = readFileSync(join(projectRoot, ERRORS_FILE), 'utf8');
const errorClasses = thrownErrorClasses(ERRORS_FILE, errorsSource);

const parameters = Object.keys(expanded.Parameters);

/**
 * Variables the function's environment holds that the configuration table need not name, and why.
 * (The code reads no variable the runtime or the AWS SDK sets, such as AWS_REGION; what the SDK
 * reads by itself is the SDK's documentation's business.)
 */
const ENVIRONMENT_NOT_DOCUMENTED: Readonly<Record<string, string>> = {
  NODE_OPTIONS: "Node's own; the template fixes it to --enable-source-maps (stack traces name src/ lines), nothing an operator sets",
};

/**
 * What the function (src/ but the CLI and the CDK construct) and the client (src/client/) read,
 * and what template.yaml sets in the function's environment (read by Powertools, in the function).
 */
function environmentVariables(sources: ReadonlyMap<string, string>): NamedAt[] {
  const read = [...sources]
    .filter(([file]) => !file.startsWith('src/cli/') && !file.startsWith('src/cdk/'))
    .flatMap(([file, text]) => environmentReads(file, text));
  const set = Object.entries(expanded.Resources)
    .filter(([, resource]) => resource.Type === 'AWS::Lambda::Function')
    .flatMap(([id, resource]) =>
      Object.keys((resource.Properties.Environment?.Variables ?? {}) as Record<string, unknown>).map((name) => ({ name, where: `template.yaml (${id}'s Environment)` })),
    );
  const first = new Map<string, NamedAt>();
  for (const variable of [...read, ...set]) if (!first.has(variable.name) && !(variable.name in ENVIRONMENT_NOT_DOCUMENTED)) first.set(variable.name, variable);
  return [...first.values()];
}
const sources = readSources(projectRoot, 'src');
const environment = environmentVariables(sources);

const cliDoc = readDoc('docs/cli.md');
const troubleshooting = readDoc('docs/troubleshooting.md');
const deploy = readDoc('docs/deploy.md');
const configuration = readDoc('docs/configuration.md');

/** Problems in `broken` that `real` does not have: what breaking it caused. */
const newProblems = (broken: readonly string[], real: readonly string[]) => broken.filter((p) => !real.includes(p));

/** The file with a line appended at its end (earlier lines keep their numbers), and that line's number. */
function withLineAppended(file: DocFile, line: string): { file: DocFile; line: number } {
  const text = `${file.text.replace(/\n*$/, '\n\n')}${line}\n`;
  return { file: { ...file, text }, line: text.split('\n').length - 1 };
}

/**
 * The real page with a table naming each of `names` appended: complete whether or not the page
 * is finished yet, so that taking one name out shows exactly the problem that causes.
 */
function completed(page: DocFile, names: readonly string[]): DocFile {
  return { ...page, text: `${page.text}\n\n| Name |\n| --- |\n${names.map((n) => `| \`${n}\` |`).join('\n')}\n` };
}

/** The page with every `name` in backticks taken out. */
function without(page: DocFile, name: string): DocFile {
  return { ...page, text: page.text.split(`\`${name}\``).join('') };
}

describe('the docs agree with the code', () => {
  it('every relative link in README.md and docs/ resolves, anchors included', () => {
    expect(checkLinks(docs, disk)).toEqual([]);
  });

  it("every CLI flag shown in a shell block is in that command's --help", () => {
    expect(docs.flatMap(invocationsOf).length, 'the docs show the CLI in sh blocks').toBeGreaterThan(0);
    expect(checkCliFlags(docs, help)).toEqual([]);
  });

  it('every command --help lists is documented in docs/cli.md', () => {
    expect(checkCommandsDocumented(cliDoc, commandsInHelp(help.top))).toEqual([]);
  });

  it(`every error class of ${ERRORS_FILE} has its entry in docs/troubleshooting.md`, () => {
    expect(checkErrorClassesDocumented(troubleshooting, errorClasses)).toEqual([]);
  });

  it('every parameter of template.yaml is documented in docs/deploy.md', () => {
    expect(checkParametersDocumented(deploy, parameters)).toEqual([]);
  });

  it("every environment variable the function or the client reads is in docs/configuration.md's table", () => {
    expect(checkEnvironmentDocumented(configuration, environment)).toEqual([]);
  });
});

describe('what the checks read from the real inputs', () => {
  it('reads the commands and their options from the CLI', () => {
    expect(commandsInHelp(help.top)).toEqual(expect.arrayContaining(['import', 'doctor', 'status', 'rotate', 'revoke', 'retire', 'repair', 'migrate']));
    expect([...optionsInHelp(help.commands.status!)]).toEqual(expect.arrayContaining(['--secret-id', '--all', '--check-keys', '--json', '--region', '--help']));
    // revoke's help names rotate's --revoke-previous in its prose: only its option lines count.
    expect(optionsInHelp(help.commands.revoke!)).not.toContain('--revoke-previous');
    expect(optionsInHelp(help.commands.revoke!)).not.toContain('--secret-id');
  });

  it('finds every error class users can meet: subclasses of subclasses, not the abstract base', () => {
    const names = errorClasses.map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(['InvalidEventError', 'ConfigurationError', 'InsecureKeyApiUrlError', 'KeyExpiredError', 'KeyApiUnavailableError']));
    expect(names).not.toContain('RotationError');
    expect(errorClasses.length).toBe([...errorsSource.matchAll(/^export class \w+ extends \w+/gm)].length);
  });

  it('finds what the function reads through readConfig(env), what the client reads, and what the template sets', () => {
    const at = Object.fromEntries(environment.map((v) => [v.name, v.where]));
    expect(at.MOMENTO_KEY_LIFETIME_DAYS).toMatch(/^src\/config\.ts:\d+$/);
    expect(at.MOMENTO_API_KEYS_URL).toMatch(/^src\/config\.ts:\d+$/);
    expect(at.POWERTOOLS_SERVICE_NAME).toMatch(/^src\/observability\/(logger|metrics)\.ts:\d+$/);
    expect(at.MOMENTO_ENDPOINT).toMatch(/^src\/client\/client-provider\.ts:\d+$/);
    expect(at.POWERTOOLS_LOG_LEVEL).toBe("template.yaml (RotationFunction's Environment)");
    expect(Object.keys(at)).not.toContain('NODE_OPTIONS');
    expect(Object.keys(at)).not.toContain('[computed]');
  });

  it('reads the template parameters', () => {
    expect(parameters).toEqual(expect.arrayContaining(['SecretArn', 'ManagementSecretArn', 'KeyLifetimeDays', 'VpcSubnetIds']));
  });
});

describe('each check fails when it is broken', () => {
  it('a link to a missing file', () => {
    const real = checkLinks(docs, disk);
    const { file, line } = withLineAppended(readme, 'See [the missing page](docs/no-such-page.md).');
    expect(newProblems(checkLinks([file, ...docs.slice(1)], disk), real)).toEqual([
      `README.md:${line}: link to docs/no-such-page.md: no such file (docs/no-such-page.md)`,
    ]);
  });

  it('a link to a missing anchor, in the same file or in another', () => {
    const real = checkLinks(docs, disk);
    const here = withLineAppended(readme, 'See [nowhere](#no-such-heading).');
    expect(newProblems(checkLinks([here.file, ...docs.slice(1)], disk), real)).toEqual([
      `README.md:${here.line}: link to #no-such-heading: README.md has no heading with the anchor #no-such-heading`,
    ]);
    const there = withLineAppended(readme, 'See [nowhere](./README.md#no-such-heading).');
    expect(newProblems(checkLinks([there.file, ...docs.slice(1)], disk), real)).toEqual([
      `README.md:${there.line}: link to ./README.md#no-such-heading: README.md has no heading with the anchor #no-such-heading`,
    ]);
  });

  it('while a link to a real heading passes', () => {
    const real = checkLinks(docs, disk);
    const anchor = [...anchorsOf(readme.text)][0]!;
    const { file } = withLineAppended(readme, `See [this](#${anchor}) and [that](README.md#${anchor}), and [the template](template.yaml).`);
    expect(checkLinks([file, ...docs.slice(1)], disk)).toEqual(real);
  });

  it('a flag --no-such-flag added to a real shell block', () => {
    const real = checkCliFlags(docs, help);
    const commands = commandsInHelp(help.top);
    const shown = docs.flatMap(invocationsOf).find((i) => commands.includes(i.words[0]!));
    expect(shown, 'a shell block runs a command').toBeDefined();
    const { path, line, words } = shown!;
    const [command, ...rest] = words;
    const page = docs.find((d) => d.path === path)!;
    const lines = page.text.split('\n');
    const broken = lines[line - 1]!.replace(new RegExp(`(momento-secret-rotation(@\\S+)?|dist/cli\\.js|cli --)\\s+${command}(?=\\s|$)`), `$& --no-such-flag`);
    expect(broken).not.toBe(lines[line - 1]);
    lines[line - 1] = broken;
    const brokenDocs = docs.map((d) => (d === page ? { ...d, text: lines.join('\n') } : d));
    expect(newProblems(checkCliFlags(brokenDocs, help), real)).toEqual([
      `${path}:${line}: \`momento-secret-rotation ${[command, '--no-such-flag', ...rest].join(' ')}\`: --no-such-flag is not in ${command} --help`,
    ]);
  });

  it('a command that does not exist, with a flag', () => {
    const real = checkCliFlags(docs, help);
    const { file, line } = withLineAppended(readme, '```sh\nnpx momento-secret-rotation frobnicate --json\n```');
    expect(newProblems(checkCliFlags([file, ...docs.slice(1)], help), real)).toEqual([
      `README.md:${line - 1}: \`momento-secret-rotation frobnicate --json\`: no command "frobnicate" in --help (${commandsInHelp(help.top).join(', ')})`,
    ]);
  });

  it('a command added to --help and missing from docs/cli.md', () => {
    const real = checkCommandsDocumented(cliDoc, commandsInHelp(help.top));
    const top = help.top.replace(/^Commands:\n/m, '$&  frobnicate  jam the widgets\n');
    expect(newProblems(checkCommandsDocumented(cliDoc, commandsInHelp(top)), real)).toEqual([
      'docs/cli.md: command `frobnicate` (in --help) is not documented: name it in a heading or in backticks',
    ]);
  });

  it('an error class removed from docs/troubleshooting.md', () => {
    const names = errorClasses.map((c) => c.name);
    const page = completed(troubleshooting, names);
    expect(checkErrorClassesDocumented(page, errorClasses)).toEqual([]);
    const where = errorClasses.find((c) => c.name === 'KeyExpiredError')!.where;
    expect(checkErrorClassesDocumented(without(page, 'KeyExpiredError'), errorClasses)).toEqual([
      `docs/troubleshooting.md: no entry for \`KeyExpiredError\` (${where}): name it in backticks`,
    ]);
  });

  it('an error class added to errors.ts and not to docs/troubleshooting.md', () => {
    const page = completed(troubleshooting, errorClasses.map((c) => c.name));
    const source = `${errorsSource}\nexport class WidgetJammedError extends ConfigurationError {\n  override readonly name = 'WidgetJammedError';\n}\n`;
    const line = source.split('\n').length - 3;
    expect(checkErrorClassesDocumented(page, thrownErrorClasses(ERRORS_FILE, source))).toEqual([
      `docs/troubleshooting.md: no entry for \`WidgetJammedError\` (${ERRORS_FILE}:${line}): name it in backticks`,
    ]);
  });

  it('a parameter removed from docs/deploy.md', () => {
    const page = completed(deploy, parameters);
    expect(checkParametersDocumented(page, parameters)).toEqual([]);
    expect(checkParametersDocumented(without(page, 'ManagementSecretArn'), parameters)).toEqual([
      'docs/deploy.md: template parameter `ManagementSecretArn` (template.yaml) is not documented: name it in backticks',
    ]);
  });

  it('an environment variable removed from docs/configuration.md', () => {
    const page = completed(configuration, environment.map((v) => v.name));
    expect(checkEnvironmentDocumented(page, environment)).toEqual([]);
    const where = environment.find((v) => v.name === 'MOMENTO_ENDPOINT')!.where;
    expect(checkEnvironmentDocumented(without(page, 'MOMENTO_ENDPOINT'), environment)).toEqual([
      `docs/configuration.md: environment variable \`MOMENTO_ENDPOINT\` (read at ${where}) has no row in the configuration table: name it in backticks in a table row`,
    ]);
  });

  it('an environment variable the function starts reading, named outside a table', () => {
    const page = completed(configuration, environment.map((v) => v.name));
    const config = sources.get('src/config.ts')!;
    const source = `${config}\nexport const widgets = process.env['MOMENTO_WIDGETS'];\n`;
    const line = source.split('\n').length - 1;
    const read = environmentVariables(new Map([...sources, ['src/config.ts', source]]));
    const named = { ...page, text: `${page.text}\nMOMENTO_WIDGETS is \`MOMENTO_WIDGETS\`, in prose.\n` };
    expect(checkEnvironmentDocumented(named, read)).toEqual([
      `docs/configuration.md: environment variable \`MOMENTO_WIDGETS\` (read at src/config.ts:${line}) has no row in the configuration table: name it in backticks in a table row`,
    ]);
  });
});

describe('how the checks read Markdown and shell', () => {
  it("makes GitHub's anchors: lowercase, punctuation dropped, spaces to hyphens, repeats numbered", () => {
    expect(githubSlug('Every secret at once: status --all')).toBe('every-secret-at-once-status---all');
    expect(githubSlug("What it costs (and what it doesn't)")).toBe('what-it-costs-and-what-it-doesnt');
    expect(githubSlug('Café & crème_brûlée 2')).toBe('café--crème_brûlée-2');
    const page = '# Setup\n## `status --all`\n## Setup\n## Setup\n```sh\n# Setup\n```\n<a name="old-anchor"></a>\nThe [title](https://example.com)\n=====\n';
    expect([...anchorsOf(page)]).toEqual(['setup', 'status---all', 'setup-1', 'setup-2', 'the-title', 'old-anchor']);
  });

  it('checks links in prose only: not in code spans or fenced blocks, nor those with a scheme', () => {
    const page: DocFile = {
      path: 'docs/page.md',
      text: '# Page\n`[a](gone.md)`\n```md\n[b](gone.md)\n```\n[c](https://example.com/gone.md) [d](mailto:x@example.com)\n[e](../template.yaml) [f](#page)\n[g]: ./gone.md\n<a href="../gone.md">h</a>\n',
    };
    expect(checkLinks([page], disk)).toEqual(['docs/page.md:8: link to ./gone.md: no such file (docs/gone.md)', 'docs/page.md:9: link to ../gone.md: no such file (gone.md)']);
  });

  it('finds invocations in sh, bash, shell, console and untagged blocks, through continuations, and not in comments or other languages\' blocks', () => {
    const page: DocFile = {
      path: 'p.md',
      text: [
        '```sh',
        '# momento-secret-rotation status --commented-out',
        'echo -n "$KEY" | npx momento-secret-rotation import --secret-id a \\',
        '  --role r   # a comment --not-a-flag',
        'sam logs --stack-name momento-secret-rotation --tail',
        'X=1 node dist/cli.js status --all && npm run cli -- doctor --secret-id "a b"',
        '```',
        '```console',
        '$ momento-secret-rotation rotate --secret-id a',
        '```',
        '```ts',
        'momento-secret-rotation rotate --not-shell',
        '```',
        '```',
        'momento-secret-rotation repair --secret-id a   (an untagged block)',
        '```',
      ].join('\n'),
    };
    expect(invocationsOf(page).map((i) => [i.line, ...i.words])).toEqual([
      [3, 'import', '--secret-id', 'a', '--role', 'r'],
      [6, 'status', '--all'],
      [6, 'doctor', '--secret-id', 'a b'],
      [9, 'rotate', '--secret-id', 'a'],
      [15, 'repair', '--secret-id', 'a'],
    ]);
  });

  it('allows --help, `help <command>`, --flag=value and [--optional] flags, and a placeholder command with common options only', () => {
    const page: DocFile = {
      path: 'p.md',
      text: [
        '```sh',
        'momento-secret-rotation rotate --help',
        'momento-secret-rotation help status',
        'momento-secret-rotation status --all [--function NAME] --json=true',
        'momento-secret-rotation <command> --help --region eu-west-1',
        'momento-secret-rotation <command> --json',
        'momento-secret-rotation help frobnicate',
        '```',
      ].join('\n'),
    };
    expect(checkCliFlags([page], help)).toEqual([
      "p.md:6: `momento-secret-rotation <command> --json`: --json is not in every command's --help",
      `p.md:7: \`momento-secret-rotation help frobnicate\`: no command "frobnicate" in --help (${commandsInHelp(help.top).join(', ')})`,
    ]);
  });

  it('counts a command documented in a heading or a code span, not in plain prose', () => {
    const page: DocFile = { path: 'docs/cli.md', text: '## rotate\nUse `status --all` or `npx momento-secret-rotation doctor`.\nThen repair it.\n```sh\nmomento-secret-rotation retire\n```\n' };
    expect(checkCommandsDocumented(page, ['rotate', 'status', 'doctor', 'repair', 'retire'])).toEqual([
      'docs/cli.md: command `repair` (in --help) is not documented: name it in a heading or in backticks',
      'docs/cli.md: command `retire` (in --help) is not documented: name it in a heading or in backticks',
    ]);
  });

  it('reads environment variables by every way the sources read them', () => {
    const source = [
      'export function f(env: NodeJS.ProcessEnv = process.env, other = { A: 1 }) {',
      '  const e = process.env;',
      "  const { B, ['C']: c } = process.env;",
      "  process.env.WRITTEN = 'x';",
      '  process.env.DEFAULTED ??= "y";',
      "  return [env.D, env['E'], e.F, process.env.G, process.env['H'], other.A, e[name]];",
      '}',
    ].join('\n');
    expect(environmentReads('s.ts', source).map((r) => `${r.name}@${r.where}`)).toEqual([
      'B@s.ts:3',
      'C@s.ts:3',
      'DEFAULTED@s.ts:5',
      'D@s.ts:6',
      'E@s.ts:6',
      'F@s.ts:6',
      'G@s.ts:6',
      'H@s.ts:6',
      '[computed]@s.ts:6',
    ]);
  });

  it('requires an environment variable in a table row, and an error class or a parameter in backticks', () => {
    const page: DocFile = { path: 'docs/x.md', text: '`A` in prose.\n\n| Variable | What |\n| --- | --- |\n| `B` | b |\n\n```\n`C`\n```\n' };
    const names = ['A', 'B', 'C'].map((name) => ({ name, where: 'here' }));
    expect(checkEnvironmentDocumented(page, names).map((p) => p.split('`')[1])).toEqual(['A', 'C']);
    expect(checkErrorClassesDocumented(page, names).map((p) => p.split('`')[1])).toEqual(['C']);
    expect(checkParametersDocumented(page, ['A', 'B', 'C', 'D']).map((p) => p.split('`')[1])).toEqual(['C', 'D']);
  });
});
