// Talking to a person: only when both stdin and stderr are terminals. Prompts go to
// stderr so stdout stays clean for --json and pipes.
import { spawn } from 'node:child_process';

export interface Terminal {
  /** Reads a line without echoing it; undefined on Ctrl-C, Ctrl-D or an empty answer. */
  promptHidden(question: string): Promise<string | undefined>;
  confirm(question: string): Promise<boolean>;
  /** A line that the next progress update overwrites. */
  progress(text: string): void;
  say(text: string): void;
}

export function openTerminal(): Terminal | undefined {
  if (!process.stdin.isTTY || !process.stderr.isTTY) return undefined;
  return new ProcessTerminal();
}

class ProcessTerminal implements Terminal {
  promptHidden(question: string): Promise<string | undefined> {
    return this.readLine(question, false);
  }

  async confirm(question: string): Promise<boolean> {
    const answer = await this.readLine(`${question} [y/N] `, true);
    return /^y(es)?$/i.test(answer?.trim() ?? '');
  }

  progress(text: string): void {
    process.stderr.write(`\r\x1b[2K${text}`);
  }

  say(text: string): void {
    process.stderr.write(text);
  }

  private readLine(question: string, echo: boolean): Promise<string | undefined> {
    const stdin = process.stdin;
    // Raw before the question shows, so a quick Ctrl-C reaches us as a key, not a signal.
    stdin.setRawMode(true);
    stdin.resume();
    process.stderr.write(question);
    return new Promise((resolve) => {
      let line = '';
      const finish = (value: string | undefined) => {
        stdin.off('data', onData);
        stdin.setRawMode(false);
        stdin.pause();
        process.stderr.write('\n');
        resolve(value === '' ? undefined : value);
      };
      const onData = (chunk: Buffer) => {
        for (const char of chunk.toString('utf8')) {
          if (char === '\r' || char === '\n') return finish(line);
          if (char === '\x03' || char === '\x04') return finish(undefined);
          if (char === '\x7f' || char === '\b') {
            line = line.slice(0, -1);
            if (echo) process.stderr.write('\b \b');
          } else if (char >= ' ') {
            line += char;
            if (echo) process.stderr.write(char);
          }
        }
      };
      stdin.on('data', onData);
    });
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
