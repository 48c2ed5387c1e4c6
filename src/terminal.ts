// Talking to a person: only when both stdin and stderr are terminals. Prompts and
// the spinner write to stderr so stdout stays clean for --json and pipes. The
// libraries are bundled into the management bundle only; get never loads them.
import { spawn } from 'node:child_process';
import confirm from '@inquirer/confirm';
import password from '@inquirer/password';
import yoctoSpinner, { type Spinner } from 'yocto-spinner';

export interface Terminal {
  /** Reads a line without echoing it; undefined on Ctrl-C or an empty answer. */
  promptHidden(question: string): Promise<string | undefined>;
  confirm(question: string): Promise<boolean>;
  /** A spinner with this text; an empty text stops it. */
  progress(text: string): void;
  say(text: string): void;
}

export function openTerminal(): Terminal | undefined {
  if (!process.stdin.isTTY || !process.stderr.isTTY) return undefined;
  return new ProcessTerminal();
}

const context = { input: process.stdin, output: process.stderr };

class ProcessTerminal implements Terminal {
  private spinner: Spinner | undefined;

  async promptHidden(question: string): Promise<string | undefined> {
    try {
      const answer = await password({ message: question }, context);
      return answer === '' ? undefined : answer;
    } catch {
      // Ctrl-C (ExitPromptError) or a closed terminal: no answer.
      return undefined;
    }
  }

  async confirm(question: string): Promise<boolean> {
    try {
      return await confirm({ message: question, default: false }, context);
    } catch {
      return false;
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
}

/** The command that opens a URL in a browser here, if there is one. */
export function browserOpener(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string[] | undefined {
  if (platform === 'darwin') return ['open'];
  if (platform === 'win32') return ['cmd', '/c', 'start', '""'];
  if (env.DISPLAY || env.WAYLAND_DISPLAY) return ['xdg-open'];
  return undefined;
}

export function openInBrowser(command: readonly string[], url: string): void {
  const [program, ...args] = command;
  if (!program) return;
  const child = spawn(program, [...args, url], { stdio: 'ignore', detached: true });
  child.on('error', () => {
    // No browser after all: the URL is on the screen already.
  });
  child.unref();
}
