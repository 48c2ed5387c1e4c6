// Talking to a person: only when both stdin and stderr are terminals. Prompts and
// the spinner write to stderr so stdout stays clean for --json and pipes. The
// libraries are bundled into the management bundle only; get never loads them.
import { spawn } from 'node:child_process';
import { closeSync, openSync, writeSync } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import tty from 'node:tty';
import { browserCommand, terminalDevices } from './platform.js';
import confirm from '@inquirer/confirm';
import password from '@inquirer/password';
import yoctoSpinner, { type Spinner } from 'yocto-spinner';

export interface Terminal {
  /** Reads a line without echoing it; undefined on Ctrl-C or an empty answer. */
  promptHidden(question: string): Promise<string | undefined>;
  /** One visible line (an expiry date, an email); undefined on Ctrl-C or an empty answer. */
  promptLine(question: string): Promise<string | undefined>;
  /** Yes or no; the default is what Enter alone means, and what Ctrl-C gives is always no. */
  confirm(question: string, defaultAnswer?: boolean): Promise<boolean>;
  /** A spinner with this text; an empty text stops it. */
  progress(text: string): void;
  say(text: string): void;
  /**
   * Text only the person may see (a rescued token): written to the terminal device
   * itself, never to stderr, which a person may have sent to a file or a log. false
   * when the terminal cannot be opened.
   */
  reveal(text: string): boolean;
}

/** Writes straight to the controlling terminal (/dev/tty, CONOUT$); false when there is none. */
function writeToTerminal(text: string): boolean {
  let screen: number;
  try {
    screen = openSync(terminalDevices(process.platform).output, 'r+');
  } catch {
    return false;
  }
  try {
    writeSync(screen, text);
    return true;
  } catch {
    return false;
  } finally {
    closeSync(screen);
  }
}

export function openTerminal(): Terminal | undefined {
  if (!process.stdin.isTTY || !process.stderr.isTTY) return undefined;
  return new ProcessTerminal();
}

type PromptIo = { input: NodeJS.ReadableStream; output: NodeJS.WritableStream };

/** The prompts themselves, over whichever streams reach the person. */
abstract class Prompts {
  protected abstract ask<T>(prompt: (io: PromptIo) => Promise<T>): Promise<T | undefined>;

  async promptHidden(question: string): Promise<string | undefined> {
    const answer = await this.ask((io) => password({ message: question }, io));
    return answer === '' ? undefined : answer;
  }

  async promptLine(question: string): Promise<string | undefined> {
    const answer = await this.ask(async (io) => {
      const lines = createInterface({ input: io.input, output: io.output, terminal: false });
      try {
        io.output.write(`${question} `);
        const [line] = (await once(lines, 'line')) as [string];
        return line;
      } finally {
        lines.close();
      }
    });
    return answer?.trim() || undefined;
  }

  async confirm(question: string, defaultAnswer = false): Promise<boolean> {
    return (await this.ask((io) => confirm({ message: question, default: defaultAnswer }, io))) ?? false;
  }
}

const context = { input: process.stdin, output: process.stderr };

class ProcessTerminal extends Prompts implements Terminal {
  private spinner: Spinner | undefined;

  protected async ask<T>(prompt: (io: PromptIo) => Promise<T>): Promise<T | undefined> {
    try {
      return await prompt(context);
    } catch {
      // Ctrl-C (ExitPromptError) or a closed terminal: no answer.
      return undefined;
    }
  }

  progress(text: string): void {
    if (text === '') {
      this.spinner?.stop();
      this.spinner = undefined;
    } else if (this.spinner) {
      this.spinner.text = text;
    } else {
      this.spinner = yoctoSpinner({ text, stream: process.stderr }).start();
    }
  }

  say(text: string): void {
    process.stderr.write(text);
  }

  reveal(text: string): boolean {
    this.progress('');
    return writeToTerminal(text);
  }
}

/**
 * The person's terminal through /dev/tty, for the guide: git owns the helper's stdin
 * and stdout. Each prompt gets its own streams, since the prompt library ends its
 * output stream when it is done.
 */
export function openTtyTerminal(): Terminal {
  return new TtyTerminal();
}

class TtyTerminal extends Prompts implements Terminal {
  protected async ask<T>(prompt: (io: PromptIo) => Promise<T>): Promise<T | undefined> {
    const devices = terminalDevices(process.platform);
    const input = new tty.ReadStream(openSync(devices.input, 'r+'));
    const output = new tty.WriteStream(openSync(devices.output, 'r+'));
    for (const stream of [input, output]) stream.on('error', () => {});
    try {
      return await prompt({ input, output });
    } catch {
      return undefined;
    } finally {
      input.destroy();
      output.destroy();
    }
  }

  progress(): void {
    // git is waiting on us: no spinner.
  }

  say(text: string): void {
    const screen = openSync(terminalDevices(process.platform).output, 'r+');
    try {
      writeSync(screen, text);
    } finally {
      closeSync(screen);
    }
  }

  reveal(text: string): boolean {
    return writeToTerminal(text);
  }
}

/** The command that opens a URL in a browser here, if there is one (src/platform.ts). */
export function browserOpener(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): readonly string[] | undefined {
  return browserCommand(env, platform);
}

/** The URL goes as one argument to the program itself: no shell ever parses it. */
export function openInBrowser(command: readonly string[], url: string): void {
  const [program, ...args] = command;
  if (!program) return;
  const child = spawn(program, [...args, url], { stdio: 'ignore', detached: true });
  child.on('error', () => {
    // No browser after all: the URL is on the screen already.
  });
  child.unref();
}
