// The man page, git-credential-pat(1), rendered as roff from the same registry and
// specs as --help. The build writes it to dist/ (package.json's `man` field), so
// `man git-credential-pat` and `git credential-pat --help` show what the code accepts.
import { HELPER_TEXT, optionFlags, optionHelp, PROGRAM, synopsis } from './cli-help.js';
import { COMMANDS, HELPER_ACTIONS, TAGLINE } from './cli-registry.js';
import { CONFIG_KEYS, ENVIRONMENT, type Setting } from './settings.js';
import { VERSION } from './version.js';

/** roff text: backslashes and hyphens escaped, no line taken for a request. */
function roff(text: string): string {
  return text
    .replace(/\\/g, '\\e')
    .replace(/-/g, '\\-')
    .split('\n')
    .map((line) => (/^[.']/.test(line) ? `\\&${line}` : line))
    .join('\n');
}

/** Prose paragraphs (blank-line separated; lines within one are filled by roff). */
function paragraphs(text: string): string {
  return text
    .trim()
    .split(/\n\s*\n/)
    .map((p) => `.PP\n${roff(p.trim())}\n`)
    .join('');
}

function verbatim(lines: readonly string[]): string {
  return `.PP\n.RS 4\n.nf\n${lines.map(roff).join('\n')}\n.fi\n.RE\n`;
}

const DESCRIPTION = `
git runs ${PROGRAM} as a credential helper (credential.helper = pat): it asks for a
credential with get, and reports one that worked with store or one that failed with
erase. The helper keeps each credential as one item in the operating system's keychain
(the Secret Service on Linux, the Keychain on macOS, Credential Manager on Windows) and
hands it back only for the exact protocol, host, port, path and username it was stored for.

The same program is the tool you manage those credentials with: the commands below.
Each also runs as git credential-pat COMMAND, and each has --help.`;



const EXIT_STATUS: ReadonlyArray<[string, string]> = [
  ['0', 'success; for get also "nothing stored", which prints nothing'],
  ['1', 'failure, with one line on standard error saying what and how to fix it (doctor and status: a problem was found; rotate: a rotation failed or was not confirmed)'],
  ['2', 'a usage error: an unknown command or option, or a bad argument'],
];


const CONFIGURATION = `
The git config keys read, from every file git reads, with git's own URL matching
(git config --get-urlmatch): a key under credential.<url> applies to that URL only,
for example credential.https://github.com.patGuide.`;

/** One tagged paragraph per setting, from the table the code reads its names from (src/settings.ts). */
function settingList(settings: readonly Setting[]): string {
  return settings.map(({ name, help }) => `.TP\n.B ${roff(name)}\n${roff(help)}\n`).join('');
}

export async function manPage(): Promise<string> {
  const specs = await Promise.all(COMMANDS.map(async (c) => ({ entry: c, spec: await c.load() })));
  let page = `.TH GIT-CREDENTIAL-PAT 1 "" "${PROGRAM} ${roff(VERSION)}" "${PROGRAM} manual"\n`;
  page += `.SH NAME\n${PROGRAM} \\- ${roff(TAGLINE)}\n`;
  page += `.SH SYNOPSIS\n.nf\n${roff(`${PROGRAM} <command> [options]\ngit credential-pat <command> [options]\n${PROGRAM} ${HELPER_ACTIONS.join('|')}`)}\n.fi\n`;
  page += `.SH DESCRIPTION\n${paragraphs(DESCRIPTION)}`;
  page += `.SH COMMANDS\n`;
  for (const { entry, spec } of specs) {
    page += `.SS ${entry.name}\n${verbatim([synopsis(entry.name, spec)])}${paragraphs(spec.description)}`;
    for (const [name, option] of Object.entries(spec.options)) page += `.TP\n.B ${roff(optionFlags(name, option))}\n${roff(optionHelp(option))}\n`;
    if (spec.json) {
      page += `.PP\nWith \\-\\-json, prints ${roff(spec.json.shape)}:\n`;
      for (const field of spec.json.fields) page += `.TP\n.B ${roff(field.name)}\n${roff(field.help)}\n`;
    }
    page += `.PP\nExamples:\n${verbatim(spec.examples.map((e) => `${e.command}${e.comment ? `   # ${e.comment}` : ''}`))}`;
  }
  page += `.SS "help [command]"\nShows the usage, or a command's help (the same text as command \\-\\-help); help get, help store and help erase explain git's own actions.\n`;
  page += `.SS version\nShows the version (also \\-\\-version).\n`;
  page += `.SH "GIT'S HELPER ACTIONS"\n.B ${HELPER_ACTIONS.join(' | ')}\n${paragraphs(HELPER_TEXT)}`;
  page += `.SH "EXIT STATUS"\n${EXIT_STATUS.map(([code, text]) => `.TP\n.B ${code}\n${roff(text)}\n`).join('')}`;
  page += `.SH CONFIGURATION\n${paragraphs(CONFIGURATION)}${settingList(CONFIG_KEYS)}`;
  page += `.SH ENVIRONMENT\n${settingList(ENVIRONMENT)}`;
  page += `.SH "SEE ALSO"\n.BR gitcredentials (7),\n.BR git\\-credential (1),\n.BR git\\-config (1)\n`;
  return page;
}
