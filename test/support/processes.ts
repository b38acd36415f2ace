import { type ChildProcessWithoutNullStreams, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export const ROOT = join(__dirname, '..', '..');
export const BIN = join(ROOT, 'dist', 'cjs', 'cli', 'bin.js');

/** Fails with what to do when a binary from a Debian package is missing (`npm test` installs it). */
export function requireDebianBinary(binary: string, pkg = binary): void {
  try {
    execFileSync(binary, ['--version'], { stdio: 'ignore' });
  } catch {
    throw new Error(
      `${binary} is not installed: run "apt-get install -y --no-install-recommends ${pkg}" (npm test does it)`,
    );
  }
}

/** Fails with a clear message when the package has not been built (npm test builds it first). */
export function requireBuild(): void {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run "npm run build" (npm test does it first)`);
}

export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end and collects its output. */
export function run(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
) {
  return new Promise<Finished>((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd ?? ROOT, env: options.env ?? process.env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * Starts a long-running command in its own process group and resolves with its first line of
 * stdout; `stop` signals the whole group (npx does not pass signals on to what it runs).
 */
export function startWithFirstLine(command: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const child = spawn(command, args, { cwd: ROOT, detached: true, env: { ...process.env, ...env } });
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const exited = new Promise<Finished>((resolve) => {
    let stdout = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  const lines = createInterface({ input: child.stdout });
  const seen: string[] = [];
  const waiters: { accept: (line: string) => boolean; resolve: (line: string) => void }[] = [];
  lines.on('line', (text) => {
    seen.push(text);
    for (const waiter of waiters.filter((w) => w.accept(text))) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(text);
    }
  });
  /** Resolves with the first stdout line (seen so far or to come) that `accept` takes. */
  const line = (accept: (line: string) => boolean) =>
    new Promise<string>((resolve, reject) => {
      const found = seen.find(accept);
      if (found !== undefined) return resolve(found);
      waiters.push({ accept, resolve });
      child.once('close', (code) => reject(new Error(`exited (${code}) before the line came: ${stderr}`)));
    });
  const firstLine = line(() => true);
  const stop = (signal: NodeJS.Signals = 'SIGTERM') => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
  };
  return { child: child as ChildProcessWithoutNullStreams, firstLine, line, exited, stop };
}
