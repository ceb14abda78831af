/**
 * Starting processes in the sandbox, and running one command to completion
 * under the Run limits (wall clock, output bytes), with the reason it ended.
 */
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { constants } from 'node:os';
import { StringDecoder } from 'node:string_decoder';
import type { ExitReason } from '../../src/lib/protocol.ts';
import { bwrapArgv, type BwrapOptions, type SandboxLayout } from './bwrap.ts';

export interface Sandbox {
  layout: SandboxLayout;
  /** Compiled seccomp program for `bwrap --seccomp`, or null to run without one. */
  seccompPath: string | null;
  /** Host uid/gid to start bwrap as; null to keep the server's own (not root). */
  hostUser: { uid: number; gid: number } | null;
}

export interface SpawnOptions extends Omit<BwrapOptions, 'layout' | 'seccompFd'> {
  /** stdio of the child before the seccomp descriptor (default: ignore, pipe, pipe). */
  stdio?: Array<'pipe' | 'ignore'>;
}

/** Starts bwrap with the command; the seccomp program is passed as the next descriptor. */
export function spawnSandboxed(sandbox: Sandbox, o: SpawnOptions): ChildProcess {
  const stdio: StdioOptions = [...(o.stdio ?? ['ignore', 'pipe', 'pipe'])];
  let seccompFd: number | undefined;
  let fd: number | undefined;
  if (sandbox.seccompPath) {
    // A fresh descriptor per spawn: bwrap reads it to the end.
    fd = openSync(sandbox.seccompPath, 'r');
    seccompFd = stdio.length;
    stdio.push(fd);
  }
  try {
    return spawn('bwrap', bwrapArgv({ ...o, layout: sandbox.layout, seccompFd }), {
      stdio,
      env: {},
      ...(sandbox.hostUser ? { uid: sandbox.hostUser.uid, gid: sandbox.hostUser.gid } : {}),
    });
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export interface RunLimits {
  timeoutMs: number;
  outputLimitBytes: number;
}

export interface RunResult {
  code: number;
  reason: ExitReason;
  durationMs: number;
  message?: string;
}

export interface RunCallbacks {
  onOutput(stream: 'stdout' | 'stderr', data: string): void;
  /** Aborting kills the command (the client went away or pressed Stop). */
  signal?: AbortSignal;
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}

function bytes(n: number): string {
  return n >= 1024 * 1024 && n % (1024 * 1024) === 0 ? `${n / (1024 * 1024)} MiB` : n >= 1024 ? `${Math.round(n / 1024)} KiB` : `${n} bytes`;
}

/** Runs `bash -c command` in the sandbox to completion, enforcing the limits. */
export function runInSandbox(sandbox: Sandbox, o: Omit<SpawnOptions, 'command' | 'stdio'> & { commandLine: string }, limits: RunLimits, cb: RunCallbacks): Promise<RunResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    let child: ChildProcess;
    try {
      child = spawnSandboxed(sandbox, { ...o, command: ['/bin/bash', '-c', o.commandLine] });
    } catch (err) {
      resolve({ code: -1, reason: 'error', durationMs: 0, message: `could not start the sandbox: ${(err as Error).message}` });
      return;
    }
    let stoppedFor: { reason: ExitReason; message: string } | null = null;
    let outputBytes = 0;
    const stop = (reason: ExitReason, message: string) => {
      if (stoppedFor) return;
      stoppedFor = { reason, message };
      // Killing bwrap kills the sandbox's pid 1, and with it every process inside.
      child.kill('SIGKILL');
    };
    const timer = setTimeout(() => stop('timeout', `stopped after ${seconds(limits.timeoutMs)} (time limit)`), limits.timeoutMs);
    const onAbort = () => stop('killed', 'stopped on request');
    cb.signal?.addEventListener('abort', onAbort, { once: true });
    if (cb.signal?.aborted) onAbort();

    for (const stream of ['stdout', 'stderr'] as const) {
      const decoder = new StringDecoder('utf8');
      const source = child[stream]!;
      source.on('data', (chunk: Buffer) => {
        if (stoppedFor?.reason === 'output-limit') return;
        const room = limits.outputLimitBytes - outputBytes;
        const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
        outputBytes += part.length;
        const text = decoder.write(part);
        if (text) cb.onOutput(stream, text);
        if (chunk.length > room) stop('output-limit', `output truncated after ${bytes(limits.outputLimitBytes)} (output limit)`);
      });
      source.on('end', () => {
        const rest = decoder.end();
        if (rest && stoppedFor?.reason !== 'output-limit') cb.onOutput(stream, rest);
      });
    }

    let spawnError: Error | null = null;
    child.on('error', (err) => { spawnError = err; });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      cb.signal?.removeEventListener('abort', onAbort);
      const durationMs = Math.round(performance.now() - started);
      if (spawnError) {
        resolve({ code: -1, reason: 'error', durationMs, message: `could not start the sandbox: ${spawnError.message}` });
      } else if (stoppedFor) {
        resolve({ code: code ?? 137, reason: stoppedFor.reason, durationMs, message: stoppedFor.message });
      } else if (signal) {
        resolve({ code: 128 + (signalNumber(signal) ?? 0), reason: 'signaled', durationMs, message: `the sandbox was killed by ${signal}` });
      } else {
        resolve({ code: code ?? -1, reason: 'exited', durationMs });
      }
    });
  });
}

function signalNumber(name: NodeJS.Signals): number | undefined {
  return constants.signals[name];
}
