// Runs the real `keystep` command line (bin/keystep.js) and the real server (src/main.ts) as
// child processes, for the end-to-end CLI tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { settingsSchema } from '../../config/schema.js';

/** The project root (bin/keystep.js, src/main.ts are resolved from here). */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * An environment free of the caller's Keystep settings (so a developer's DATABASE_URL, PORT or
 * KEYSTEP_* cannot leak into a test), with silent logs, plus `extra`. An `undefined` value
 * removes the variable.
 */
export function cliEnv(extra: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of [...Object.keys(settingsSchema.shape), 'KEYSTEP_CONFIG_FILE', 'NODE_OPTIONS']) delete env[name];
  env.KEYSTEP_LOG_LEVEL = 'silent';
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

function collect(child: ChildProcess, timeoutMs: number, what: string): Promise<Finished> {
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr?.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${what} did not finish within ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** `node bin/keystep.js …args` with env (see cliEnv); input is written to its stdin (always closed). */
export function runCli(args: string[], options: { env: NodeJS.ProcessEnv; input?: string; timeoutMs?: number }): Promise<Finished> {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'keystep.js'), ...args], {
    cwd: ROOT,
    env: options.env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const finished = collect(child, options.timeoutMs ?? 30_000, `keystep ${args.join(' ')}`);
  child.stdin?.on('error', () => undefined); // the CLI may exit without reading its stdin
  child.stdin?.end(options.input ?? '');
  return finished;
}

/** Runs the CLI with --json and parses its standard output; fails with the CLI's stderr otherwise. */
export async function runCliJson<T = Record<string, unknown>>(
  args: string[],
  options: { env: NodeJS.ProcessEnv; input?: string },
): Promise<{ result: T; run: Finished }> {
  const run = await runCli([...args, '--json'], options);
  if (run.code !== 0) throw new Error(`keystep ${args.join(' ')} --json exited ${run.code}: ${run.stderr}`);
  return { result: JSON.parse(run.stdout) as T, run };
}

/** The non-empty lines of a stream's output. */
export const lines = (s: string) => s.split('\n').filter((l) => l.trim() !== '');

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export function tempDataDir(label: string): string {
  return mkdtempSync(path.join(os.tmpdir(), `keystep-cli-${label}-`));
}

export function removeDir(dir: string | undefined): void {
  if (dir) rmSync(dir, { recursive: true, force: true });
}

/** Whether any file under dir contains needle's bytes (a secret must not sit in clear on disk). */
export function anyFileContains(dir: string, needle: string): string | undefined {
  const bytes = Buffer.from(needle, 'utf8');
  const walk = (d: string): string | undefined => {
    for (const entry of readdirSync(d)) {
      const p = path.join(d, entry);
      const st = statSync(p);
      if (st.isDirectory()) {
        const hit = walk(p);
        if (hit) return hit;
      } else if (st.isFile() && readFileSync(p).includes(bytes)) {
        return p;
      }
    }
    return undefined;
  };
  return walk(dir);
}

/** A Keystep server started as `node --import tsx src/main.ts`. */
export interface ServerProcess {
  child: ChildProcess;
  port: number;
  url: string;
  /** Output so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves when the process has exited (with everything it printed). */
  exited: Promise<Finished>;
  /** Polls GET /healthz until it answers 200; fails early if the process exits. */
  ready(timeoutMs?: number): Promise<void>;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<Finished>;
}

/** script: what to run instead of src/main.ts (relative to ROOT), e.g. a wrapper that prepares the data dir first. */
export async function startServerProcess(
  env: NodeJS.ProcessEnv,
  options: { script?: string; timeoutMs?: number } = {},
): Promise<ServerProcess> {
  const timeoutMs = options.timeoutMs ?? 120_000;
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', options.script ?? path.join('src', 'main.ts')], {
    cwd: ROOT,
    env: { ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (out += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (err += s));
  let done: Finished | undefined;
  const exited = new Promise<Finished>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the server did not exit within ${timeoutMs} ms\nstdout: ${out}\nstderr: ${err}`));
    }, timeoutMs);
    timer.unref();
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      done = { code, signal, stdout: out, stderr: err };
      resolve(done);
    });
  });
  exited.catch(() => undefined);
  const url = `http://127.0.0.1:${port}`;
  return {
    child,
    port,
    url,
    stdout: () => out,
    stderr: () => err,
    exited,
    async ready(readyTimeoutMs = 45_000) {
      const deadline = Date.now() + readyTimeoutMs;
      while (Date.now() < deadline) {
        if (done) throw new Error(`the server exited (${done.code ?? done.signal}) before answering /healthz\nstdout: ${out}\nstderr: ${err}`);
        try {
          const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2_000) });
          if (res.ok) return;
        } catch {
          // not listening yet
        }
        await new Promise((r) => setTimeout(r, 200));
      }
      throw new Error(`the server did not answer /healthz within ${readyTimeoutMs} ms\nstdout: ${out}\nstderr: ${err}`);
    },
    async stop() {
      if (!done) child.kill('SIGTERM');
      return exited;
    },
  };
}
