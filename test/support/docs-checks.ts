import { posix } from 'node:path';
import ts from 'typescript';

/**
 * Checks that README.md and docs/ say what the code does (issue 24). Each check is a pure
 * function of the texts it is given, and returns its problems as "file:line: what is wrong"
 * (empty when all is well), so a test can run it on the real files and on a copy with one
 * thing broken.
 */

/** A Markdown file: its path from the repository's root ('/' separators) and its text. */
export interface DocFile {
  readonly path: string;
  readonly text: string;
}

// ---- Markdown, read as GitHub renders it (as far as these checks need) ------------------------

interface FencedBlock {
  /** The info string's first word, lowercased ('' when untagged). */
  readonly language: string;
  /** The block's content lines, with their 1-based line numbers in the file. */
  readonly lines: readonly { readonly text: string; readonly line: number }[];
}

/**
 * Fenced code blocks, at any indentation (a list item's blocks are indented), and which lines
 * belong to one, fences included. An unclosed fence runs to the end of the file, as CommonMark reads it.
 */
function fencedBlocks(text: string): { blocks: FencedBlock[]; fencedLines: Set<number> } {
  const blocks: FencedBlock[] = [];
  const fencedLines = new Set<number>();
  let open: { fence: string; language: string; lines: { text: string; line: number }[] } | undefined;
  text.split('\n').forEach((raw, index) => {
    const line = raw.replace(/\r$/, '');
    if (open === undefined) {
      const start = /^\s*(`{3,}|~{3,})\s*([^`\s]*)/.exec(line);
      // A backtick fence's info string holds no backtick (```x``` is inline code).
      if (start && !(start[1]!.startsWith('`') && line.slice(line.indexOf(start[1]!) + start[1]!.length).includes('`'))) {
        open = { fence: start[1]!, language: start[2]!.toLowerCase(), lines: [] };
        blocks.push({ language: open.language, lines: open.lines });
        fencedLines.add(index + 1);
      }
      return;
    }
    fencedLines.add(index + 1);
    const close = /^\s*(`{3,}|~{3,})\s*$/.exec(line);
    if (close && close[1]![0] === open.fence[0] && close[1]!.length >= open.fence.length) open = undefined;
    else open.lines.push({ text: line, line: index + 1 });
  });
  return { blocks, fencedLines };
}

/** The text with every fenced block's lines (fences included) blanked: line numbers are kept. */
function proseOf(text: string): string {
  const { fencedLines } = fencedBlocks(text);
  return text
    .split('\n')
    .map((line, index) => (fencedLines.has(index + 1) ? '' : line.replace(/\r$/, '')))
    .join('\n');
}

interface CodeSpan {
  /** What the span shows: newlines as spaces, one padding space stripped from each side. */
  readonly content: string;
  readonly line: number;
  readonly start: number;
  readonly end: number;
}

/** Inline code spans of prose (CommonMark: a run of n backticks, closed by a run of exactly n). */
function codeSpans(prose: string): CodeSpan[] {
  const spans: CodeSpan[] = [];
  const lineAt = lineFinder(prose);
  const runs = [...prose.matchAll(/`+/g)];
  for (let i = 0; i < runs.length; i++) {
    const opening = runs[i]!;
    let closingIndex = i + 1;
    while (closingIndex < runs.length && runs[closingIndex]![0].length !== opening[0].length) closingIndex++;
    if (closingIndex === runs.length) continue;
    const closing = runs[closingIndex]!;
    const raw = prose.slice(opening.index + opening[0].length, closing.index);
    // A code span lives in one paragraph: a blank line ends it.
    if (/\n[ \t]*\n/.test(raw)) continue;
    let content = raw.replace(/\n/g, ' ');
    if (content.startsWith(' ') && content.endsWith(' ') && content.trim() !== '') content = content.slice(1, -1);
    spans.push({ content, line: lineAt(opening.index), start: opening.index, end: closing.index + closing[0].length });
    i = closingIndex;
  }
  return spans;
}

/** The 1-based line of a character of `text`, by its index. */
function lineFinder(text: string): (index: number) => number {
  const newlines = [...text.matchAll(/\n/g)].map((m) => m.index);
  return (index) => {
    let low = 0;
    let high = newlines.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (newlines[middle]! < index) low = middle + 1;
      else high = middle;
    }
    return low + 1;
  };
}

/** Prose with code spans blanked (newlines kept): what they hold is not a link, nor a heading's markup. */
function withoutCodeSpans(prose: string): string {
  const pieces: string[] = [];
  let from = 0;
  for (const span of codeSpans(prose)) {
    pieces.push(prose.slice(from, span.start), prose.slice(span.start, span.end).replace(/[^\n]/g, ' '));
    from = span.end;
  }
  pieces.push(prose.slice(from));
  return pieces.join('');
}

interface Heading {
  /** The heading as rendered: markup removed, code spans' text kept. */
  readonly text: string;
  readonly line: number;
}

/** ATX (`## Title`) and setext (Title, then ===/---) headings outside fenced blocks. */
export function headingsOf(text: string): Heading[] {
  const lines = proseOf(text).split('\n');
  const headings: Heading[] = [];
  lines.forEach((line, i) => {
    const atx = /^ {0,3}#{1,6}(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/.exec(line);
    if (atx) {
      headings.push({ text: renderedText(atx[1] ?? ''), line: i + 1 });
      return;
    }
    const next = lines[i + 1];
    // Only a plain paragraph line takes a setext underline; `---` after a list or a table is a rule.
    if (next !== undefined && /^ {0,3}(=+|-+)[ \t]*$/.test(next) && /^\S/.test(line) && !/^([-*+>|#]|\d+[.)])/.test(line)) {
      headings.push({ text: renderedText(line), line: i + 1 });
    }
  });
  return headings;
}

/** Inline Markdown as the text GitHub renders (what its anchors are made from). */
function renderedText(markdown: string): string {
  const parts: string[] = [];
  let rest = markdown;
  for (const span of codeSpans(markdown).reverse()) {
    parts.unshift(span.content, plainInline(rest.slice(span.end)));
    rest = rest.slice(0, span.start);
  }
  parts.unshift(plainInline(rest));
  return parts.join('').trim();
}

function plainInline(markdown: string): string {
  return markdown
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/!?\[([^\]]*)\]\[[^\]]*\]/g, '$1')
    .replace(/<[^>]+>/g, '')
    .replace(/\\([!-/:-@[-`{-~])/g, '$1')
    .replace(/(\*+|~~)/g, '')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"');
}

/**
 * GitHub's anchor for a heading (github-slugger): lowercase; drop every character that is not a
 * letter, mark, digit, connector (underscore), space or hyphen; each space becomes a hyphen.
 */
export function githubSlug(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** Every anchor a file offers: its headings' slugs (a repeat gets -1, -2, …), and HTML name= and id=. */
export function anchorsOf(text: string): Set<string> {
  const anchors = new Set<string>();
  const occurrences = new Map<string, number>();
  for (const heading of headingsOf(text)) {
    // As github-slugger: a suffixed slug that collides with a taken one counts on.
    const original = githubSlug(heading.text);
    let slug = original;
    while (occurrences.has(slug)) {
      const count = occurrences.get(original)! + 1;
      occurrences.set(original, count);
      slug = `${original}-${count}`;
    }
    occurrences.set(slug, 0);
    anchors.add(slug);
  }
  for (const match of withoutCodeSpans(proseOf(text)).matchAll(/<[a-z][a-z0-9]*\b[^>]*?\s(?:name|id)\s*=\s*["']([^"']+)["']/gi)) anchors.add(match[1]!);
  return anchors;
}

// ---- 1. Relative links resolve, anchors included -------------------------------------------

/** What a link may point at, besides the files given: the repository on disk. */
export interface Repository {
  /** The file's text, '' for a directory, undefined when nothing is there. */
  read(path: string): string | undefined;
}

interface Link {
  readonly target: string;
  readonly line: number;
}

/** Inline links and images, reference definitions and <a href>, outside code. */
export function linksOf(text: string): Link[] {
  const prose = withoutCodeSpans(proseOf(text));
  const lineAt = lineFinder(prose);
  const links: Link[] = [];
  const add = (target: string, index: number) => links.push({ target: target.replace(/^<(.*)>$/, '$1'), line: lineAt(index) });
  const inline = /!?\[(?:[^[\]]|\[[^\]]*\])*\]\(\s*(<[^>\n]*>|[^\s()]*(?:\([^\s()]*\)[^\s()]*)*)(?:\s+(?:"[^"]*"|'[^']*'|\([^)]*\)))?\s*\)/g;
  for (const match of prose.matchAll(inline)) add(match[1]!, match.index);
  for (const match of prose.matchAll(/^ {0,3}\[[^\]\n]+\]:[ \t]*(<[^>\n]*>|\S+)/gm)) add(match[1]!, match.index);
  for (const match of prose.matchAll(/<a\b[^>]*?\shref\s*=\s*["']([^"']*)["']/gi)) add(match[1]!, match.index);
  return links;
}

/**
 * Every relative link of these files reaches a file or directory of the repository, and its
 * #anchor a heading (or name=/id=) of the Markdown file it names (the same file for `#x`). The
 * files given are read as given, not from disk: a test can break one in memory. Links with a
 * scheme (https:, mailto:) are not checked.
 */
export function checkLinks(files: readonly DocFile[], repository: Repository): string[] {
  const given = new Map(files.map((f) => [f.path, f.text]));
  const read = (path: string) => (given.has(path) ? given.get(path) : repository.read(path));
  const anchorsByPath = new Map<string, Set<string>>();
  const anchorsIn = (path: string, text: string) => {
    if (!anchorsByPath.has(path)) anchorsByPath.set(path, anchorsOf(text));
    return anchorsByPath.get(path)!;
  };
  const problems: string[] = [];
  for (const file of files) {
    for (const { target, line } of linksOf(file.text)) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//')) continue;
      const where = `${file.path}:${line}: link to ${target}`;
      const hashAt = target.indexOf('#');
      const pathPart = (hashAt < 0 ? target : target.slice(0, hashAt)).replace(/\?.*$/, '');
      const anchor = hashAt < 0 ? undefined : target.slice(hashAt + 1);
      let path: string;
      try {
        const decoded = decodeURIComponent(pathPart);
        path = decoded === '' ? file.path : decoded.startsWith('/') ? posix.normalize(decoded.slice(1)) : posix.join(posix.dirname(file.path), decoded);
      } catch {
        problems.push(`${where}: not a valid URL`);
        continue;
      }
      path = path.replace(/\/$/, '') || '.';
      if (path === '..' || path.startsWith('../')) {
        problems.push(`${where}: outside the repository`);
        continue;
      }
      const text = read(path);
      if (text === undefined) {
        problems.push(`${where}: no such file (${path})`);
        continue;
      }
      if (anchor === undefined || anchor === '') continue;
      let wanted: string;
      try {
        wanted = decodeURIComponent(anchor);
      } catch {
        problems.push(`${where}: not a valid anchor`);
        continue;
      }
      if (!path.toLowerCase().endsWith('.md')) {
        // GitHub's line anchors (#L10, #L10-L20) are all a source file has.
        if (!/^L\d+(-L\d+)?$/.test(wanted)) problems.push(`${where}: ${path} is not Markdown, and #${wanted} is not a line anchor (#L10)`);
        continue;
      }
      if (!anchorsIn(path, text).has(wanted)) problems.push(`${where}: ${path} has no heading with the anchor #${wanted}`);
    }
  }
  return problems;
}

// ---- 2. CLI flags in shell blocks exist; every command is in docs/cli.md ---------------------

/** The CLI's help: the top-level `--help`, and each command's `<command> --help`. */
export interface CliHelp {
  readonly top: string;
  readonly commands: Readonly<Record<string, string>>;
}

/** The commands the top-level --help lists: the indented `name  what it does` lines under "Commands:". */
export function commandsInHelp(topHelp: string): string[] {
  const lines = topHelp.split('\n');
  const start = lines.findIndex((l) => /^Commands:\s*$/.test(l));
  if (start < 0) return [];
  const commands: string[] = [];
  for (const line of lines.slice(start + 1)) {
    const entry = /^\s+([a-z][a-z0-9-]*)\s{2,}\S/.exec(line);
    if (!entry) break;
    commands.push(entry[1]!);
  }
  return commands;
}

/** The long options a help text lists: those that begin one of its indented lines (`  --json  …`, `  -h, --help`). */
export function optionsInHelp(help: string): Set<string> {
  const options = new Set<string>();
  for (const match of help.matchAll(/^[ \t]+(?:-[A-Za-z],[ \t]*)?(--[a-z][a-z0-9-]*)/gm)) options.add(match[1]!);
  return options;
}

// Untagged blocks too: they show commands and their output (an invocation is recognised by its program).
const SHELL_LANGUAGES = new Set(['sh', 'bash', 'shell', 'zsh', 'console', '']);

/** One invocation of the CLI in a shell block: what follows the program, word by word. */
export interface Invocation {
  readonly path: string;
  readonly line: number;
  readonly words: readonly string[];
}

/**
 * Invocations of the CLI in the file's sh, bash, shell, zsh, console and untagged blocks, as
 * `momento-secret-rotation …`, `npx [-y] momento-secret-rotation[@version] …`, `node dist/cli.js …`
 * or `npm run cli -- …`, in command position (after `|`, `&&`, `;`, `$(`, or environment
 * assignments), so that `--stack-name momento-secret-rotation` is not one. `\` continues a line;
 * `#` begins a comment; a console block's `$ ` prompt is dropped.
 */
export function invocationsOf(file: DocFile): Invocation[] {
  const invocations: Invocation[] = [];
  for (const block of fencedBlocks(file.text).blocks) {
    if (!SHELL_LANGUAGES.has(block.language)) continue;
    for (const logical of logicalLines(block)) {
      for (const segment of commandSegments(logical.text)) {
        const words = afterProgram(segment);
        if (words) invocations.push({ path: file.path, line: logical.line, words });
      }
    }
  }
  return invocations;
}

function logicalLines(block: FencedBlock): { text: string; line: number }[] {
  const result: { text: string; line: number }[] = [];
  let pending: { text: string; line: number } | undefined;
  for (const { text: raw, line } of block.lines) {
    const text = block.language === 'console' && pending === undefined ? raw.replace(/^\s*\$ /, '') : raw;
    if (pending === undefined && /^\s*#/.test(text)) continue;
    const continued = /(^|[^\\])(\\\\)*\\$/.test(text);
    const body = continued ? text.slice(0, -1) : text;
    pending = pending === undefined ? { text: body, line } : { text: `${pending.text} ${body}`, line: pending.line };
    if (!continued) {
      result.push(pending);
      pending = undefined;
    }
  }
  if (pending) result.push(pending);
  return result;
}

/** The line's simple commands, as words with quotes removed: split at | & ; ( ) ` and $(, up to an unquoted #. */
function commandSegments(line: string): string[][] {
  const segments: string[][] = [[]];
  let word: string | undefined;
  const endWord = () => {
    if (word !== undefined) segments[segments.length - 1]!.push(word);
    word = undefined;
  };
  const endSegment = () => {
    endWord();
    if (segments[segments.length - 1]!.length > 0) segments.push([]);
  };
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === "'") {
      const close = line.indexOf("'", i + 1);
      const end = close < 0 ? line.length : close;
      word = (word ?? '') + line.slice(i + 1, end);
      i = end;
    } else if (c === '"') {
      let value = '';
      let j = i + 1;
      for (; j < line.length && line[j] !== '"'; j++) value += line[j] === '\\' && j + 1 < line.length ? line[++j] : line[j];
      word = (word ?? '') + value;
      i = j;
    } else if (c === '\\' && i + 1 < line.length) {
      word = (word ?? '') + line[++i];
    } else if (c === '#' && word === undefined) {
      break;
    } else if (/\s/.test(c)) {
      endWord();
    } else if (c === '$' && line[i + 1] === '(') {
      endSegment();
      i++;
    } else if ('|&;()`'.includes(c)) {
      endSegment();
    } else {
      word = (word ?? '') + c;
    }
  }
  endSegment();
  return segments.filter((s) => s.length > 0);
}

/** The words after the CLI's program, when this simple command runs the CLI; else undefined. */
function afterProgram(words: readonly string[]): string[] | undefined {
  let i = 0;
  while (i < words.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[i]!)) i++;
  if (words[i] === 'npx') {
    i++;
    while (i < words.length && /^(-y|--yes)$/.test(words[i]!)) i++;
  }
  const program = words[i];
  if (program === undefined) return undefined;
  if (/^momento-secret-rotation(@\S+)?$/.test(program)) return words.slice(i + 1);
  if (/^(\.\/)?dist\/cli\.js$/.test(program)) return words.slice(i + 1);
  if (program === 'node' && /^(\.\/)?dist\/cli\.js$/.test(words[i + 1] ?? '')) return words.slice(i + 2);
  if (program === 'npm' && /^run(-script)?$/.test(words[i + 1] ?? '') && words[i + 2] === 'cli' && words[i + 3] === '--') return words.slice(i + 4);
  return undefined;
}

/**
 * Each `--flag` (its `=value` dropped) given to the CLI in a shell block is one the command's
 * `--help` lists, and each command is one the top-level `--help` lists. The command is the first
 * word that is not a flag; `help <command>` and no command at all show the top-level help; a
 * placeholder (`<command>`) takes only the options every command has. `--help` always works.
 * A flag's value is not told from a command: docs put the command first.
 */
export function checkCliFlags(files: readonly DocFile[], help: CliHelp): string[] {
  const commands = commandsInHelp(help.top);
  const optionsOf = new Map(Object.entries(help.commands).map(([command, text]) => [command, optionsInHelp(text)]));
  // What a placeholder command (`<command> --help`) may take: the options every command has.
  const common = new Set([...(optionsOf.get(commands[0] ?? '') ?? [])].filter((o) => commands.every((c) => optionsOf.get(c)?.has(o))));
  const problems: string[] = [];
  for (const file of files) {
    for (const invocation of invocationsOf(file)) {
      const shown = `\`momento-secret-rotation ${invocation.words.join(' ')}\``;
      const where = `${invocation.path}:${invocation.line}: ${shown}`;
      const [command, topic] = invocation.words.filter((w) => !w.startsWith('-'));
      let allowed: Set<string>;
      let helpName: string;
      if (command === 'help' && topic !== undefined && !commands.includes(topic) && !/^<[^>]+>$/.test(topic)) {
        problems.push(`${where}: no command "${topic}" in --help (${commands.join(', ')})`);
        continue;
      }
      if (command === undefined || command === 'help') {
        allowed = optionsInHelp(help.top);
        helpName = '--help';
      } else if (/^<[^>]+>$/.test(command)) {
        allowed = common;
        helpName = 'every command\'s --help';
      } else if (commands.includes(command) && optionsOf.has(command)) {
        allowed = optionsOf.get(command)!;
        helpName = `${command} --help`;
      } else {
        problems.push(`${where}: no command "${command}" in --help (${commands.join(', ')})`);
        continue;
      }
      for (const word of invocation.words) {
        const flag = /^\[?(--[A-Za-z0-9][A-Za-z0-9_-]*)/.exec(word)?.[1];
        if (flag === undefined || flag === '--help' || allowed.has(flag)) continue;
        problems.push(`${where}: ${flag} is not in ${helpName}`);
      }
    }
  }
  return problems;
}

/**
 * Each command the top-level --help lists is named in docs/cli.md: in a heading (as a word), or
 * in a code span that is the command or runs it (`status`, `status --all`, `momento-secret-rotation status`).
 */
export function checkCommandsDocumented(cliDoc: DocFile, commands: readonly string[]): string[] {
  const prose = proseOf(cliDoc.text);
  const spans = codeSpans(prose).map((s) => s.content.trim());
  const headings = headingsOf(cliDoc.text).map((h) => h.text);
  return commands
    .filter((command) => {
      const escaped = command.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      const runs = new RegExp(`^(?:(?:npx\\s+)?momento-secret-rotation\\s+)?${escaped}(?:\\s|$)`);
      const word = new RegExp(`(^|[^\\w-])${escaped}($|[^\\w-])`);
      return !spans.some((s) => runs.test(s)) && !headings.some((h) => word.test(h));
    })
    .map((command) => `${cliDoc.path}: command \`${command}\` (in --help) is not documented: name it in a heading or in backticks`);
}

// ---- Names in backticks: error classes, template parameters, environment variables ----------

/** The code spans of a Markdown file (outside fenced blocks), each with whether it sits in a table row. */
function namedInBackticks(text: string): { content: string; inTableRow: boolean }[] {
  const prose = proseOf(text);
  const rows = tableRowLines(prose);
  return codeSpans(prose).map((s) => ({ content: s.content.trim(), inTableRow: rows.has(s.line) }));
}

/** Lines of GFM tables: a header row, its delimiter row (| --- | :-: |), and the rows up to a blank line. */
function tableRowLines(prose: string): Set<number> {
  const lines = prose.split('\n');
  const rows = new Set<number>();
  const delimiter = /^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$/;
  for (let i = 0; i + 1 < lines.length; i++) {
    if (!lines[i]!.includes('|') || !lines[i + 1]!.includes('|') || !delimiter.test(lines[i + 1]!)) continue;
    rows.add(i + 1);
    let j = i + 2;
    for (; j < lines.length && lines[j]!.trim() !== ''; j++) rows.add(j + 1);
    i = j;
  }
  return rows;
}

/** An exported class of a TypeScript source, at its line. */
export interface NamedAt {
  readonly name: string;
  readonly where: string;
}

/**
 * The exported error classes of a source (src/rotation/errors.ts): classes whose `extends` chain,
 * through this file's classes, reaches Error. Abstract ones are left out: they are never thrown
 * themselves, and the name a user sees is always a concrete class's (RotationError's `name` is
 * abstract, set by each subclass).
 */
export function thrownErrorClasses(fileName: string, source: string): NamedAt[] {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true);
  const classes = new Map<string, { base: string | undefined; exported: boolean; abstract: boolean; line: number }>();
  const exportedNames = new Set<string>();
  for (const statement of file.statements) {
    if (ts.isClassDeclaration(statement) && statement.name) {
      const modifiers = ts.getModifiers(statement) ?? [];
      const heritage = statement.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)?.types[0]?.expression;
      classes.set(statement.name.text, {
        base: heritage && ts.isIdentifier(heritage) ? heritage.text : undefined,
        exported: modifiers.some((m) => m.kind === ts.SyntaxKind.ExportKeyword),
        abstract: modifiers.some((m) => m.kind === ts.SyntaxKind.AbstractKeyword),
        line: file.getLineAndCharacterOfPosition(statement.getStart(file)).line + 1,
      });
    }
    if (ts.isExportDeclaration(statement) && !statement.moduleSpecifier && statement.exportClause && ts.isNamedExports(statement.exportClause)) {
      for (const element of statement.exportClause.elements) exportedNames.add((element.propertyName ?? element.name).text);
    }
  }
  // Error, or a built-in subclass of it (TypeError, …), at the end of the chain.
  const isBuiltInError = (name: string) => {
    const builtIn: unknown = (globalThis as Record<string, unknown>)[name];
    return typeof builtIn === 'function' && (builtIn === Error || builtIn.prototype instanceof Error);
  };
  const isError = (name: string, seen = new Set<string>()): boolean => {
    const declared = classes.get(name);
    if (declared === undefined) return isBuiltInError(name);
    if (declared.base === undefined || seen.has(name)) return false;
    seen.add(name);
    return isError(declared.base, seen);
  };
  return [...classes]
    .filter(([name, c]) => (c.exported || exportedNames.has(name)) && !c.abstract && isError(name))
    .map(([name, c]) => ({ name, where: `${fileName}:${c.line}` }));
}

/** Each error class has its entry in docs/troubleshooting.md: its name in backticks. */
export function checkErrorClassesDocumented(troubleshooting: DocFile, classes: readonly NamedAt[]): string[] {
  const named = new Set(namedInBackticks(troubleshooting.text).map((s) => s.content));
  return classes
    .filter((c) => !named.has(c.name))
    .map((c) => `${troubleshooting.path}: no entry for \`${c.name}\` (${c.where}): name it in backticks`);
}

/** Each parameter of template.yaml is documented in docs/deploy.md: its name in backticks. */
export function checkParametersDocumented(deploy: DocFile, parameters: readonly string[]): string[] {
  const named = new Set(namedInBackticks(deploy.text).map((s) => s.content));
  return parameters
    .filter((p) => !named.has(p))
    .map((p) => `${deploy.path}: template parameter \`${p}\` (template.yaml) is not documented: name it in backticks`);
}

/** Each environment variable read is in the configuration table: its name in backticks in a table row. */
export function checkEnvironmentDocumented(configuration: DocFile, variables: readonly NamedAt[]): string[] {
  const inTable = new Set(namedInBackticks(configuration.text).filter((s) => s.inTableRow).map((s) => s.content));
  return variables
    .filter((v) => !inTable.has(v.name))
    .map((v) => `${configuration.path}: environment variable \`${v.name}\` (read at ${v.where}) has no row in the configuration table: name it in backticks in a table row`);
}

/**
 * The environment variables a source reads, by name: `process.env.NAME`, `process.env['NAME']`,
 * `const { NAME } = process.env`, and the same on a name that holds the environment: a parameter
 * or variable typed `NodeJS.ProcessEnv` or set from `process.env` (as readConfig(env) and
 * withEndpoint(…, env) take it). Names are matched per file, not per scope: a file that calls two
 * things `env` is read as if both were the environment. Only an assignment (`process.env.X = …`)
 * is not a read. A computed name (`env[key]`) is reported as `[computed]`: it cannot be checked.
 */
export function environmentReads(fileName: string, source: string): NamedAt[] {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true);
  const holders = new Set<string>();
  const isProcessEnv = (node: ts.Node): boolean =>
    ts.isPropertyAccessExpression(node) && node.name.text === 'env' && ts.isIdentifier(node.expression) && node.expression.text === 'process';
  const isEnvironment = (node: ts.Expression): boolean => isProcessEnv(node) || (ts.isIdentifier(node) && holders.has(node.text));
  const collectHolders = (node: ts.Node): void => {
    if ((ts.isParameter(node) || ts.isVariableDeclaration(node)) && ts.isIdentifier(node.name)) {
      const typed = node.type !== undefined && /^(NodeJS\.)?ProcessEnv$/.test(node.type.getText(file));
      if (typed || (node.initializer !== undefined && isProcessEnv(node.initializer))) holders.add(node.name.text);
    }
    ts.forEachChild(node, collectHolders);
  };
  collectHolders(file);
  const reads: NamedAt[] = [];
  const at = (node: ts.Node) => `${fileName}:${file.getLineAndCharacterOfPosition(node.getStart(file)).line + 1}`;
  const assignedTo = (node: ts.Node) =>
    ts.isBinaryExpression(node.parent) && node.parent.left === node && node.parent.operatorToken.kind === ts.SyntaxKind.EqualsToken;
  const visit = (node: ts.Node): void => {
    if (ts.isPropertyAccessExpression(node) && isEnvironment(node.expression) && !assignedTo(node)) {
      reads.push({ name: node.name.text, where: at(node) });
    } else if (ts.isElementAccessExpression(node) && isEnvironment(node.expression) && !assignedTo(node)) {
      const key = node.argumentExpression;
      reads.push({ name: ts.isStringLiteralLike(key) ? key.text : '[computed]', where: at(node) });
    } else if (ts.isVariableDeclaration(node) && ts.isObjectBindingPattern(node.name) && node.initializer && isEnvironment(node.initializer)) {
      for (const element of node.name.elements) {
        const key = element.propertyName ?? element.name;
        const literal = ts.isComputedPropertyName(key) ? key.expression : key;
        reads.push({ name: ts.isIdentifier(literal) || ts.isStringLiteralLike(literal) ? literal.text : '[computed]', where: at(element) });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return reads;
}
