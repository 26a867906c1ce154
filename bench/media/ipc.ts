// bench/media: request/answer over a child's IPC channel (process.send / 'message'), matched
// by a sequence number. The child answers {seq, ok, ...}; seq 0 is its "ready" message.

import type { ChildProcess } from "node:child_process";
import { BenchError, isRunning } from "./proc.ts";

export interface IpcAnswer {
  seq: number;
  ok: boolean;
  error?: string;
  [key: string]: unknown;
}

export class IpcPeer {
  private seq = 0;
  private readonly pending = new Map<number, { done: (a: IpcAnswer) => void; fail: (e: Error) => void }>();
  private readonly ready: Promise<IpcAnswer>;

  constructor(
    private readonly child: ChildProcess,
    private readonly what: string,
    private readonly stderr: () => string,
  ) {
    this.ready = new Promise((done, fail) => this.pending.set(0, { done, fail }));
    child.on("message", (m: unknown) => {
      const a = m as IpcAnswer;
      const p = this.pending.get(a.seq);
      if (p === undefined) return;
      this.pending.delete(a.seq);
      if (a.ok) p.done(a);
      else p.fail(new BenchError(`${this.what}: ${a.error ?? "failed"}`));
    });
    child.on("exit", (code, signal) => {
      const err = new BenchError(`${this.what} exited (${code ?? signal}): ${this.stderr() || "no output"}`);
      for (const p of this.pending.values()) p.fail(err);
      this.pending.clear();
    });
  }

  /** Resolves with the child's ready message (seq 0), or fails if it exits or is too slow. */
  waitReady(timeoutMs: number): Promise<IpcAnswer> {
    return this.withTimeout(this.ready, timeoutMs, "ready");
  }

  request(msg: Record<string, unknown>, timeoutMs: number): Promise<IpcAnswer> {
    if (!isRunning(this.child)) return Promise.reject(new BenchError(`${this.what} is not running: ${this.stderr() || "no output"}`));
    const seq = ++this.seq;
    const answer = new Promise<IpcAnswer>((done, fail) => this.pending.set(seq, { done, fail }));
    this.child.send({ ...msg, seq });
    return this.withTimeout(answer, timeoutMs, String(msg["op"]), seq);
  }

  private withTimeout(p: Promise<IpcAnswer>, ms: number, what: string, seq = 0): Promise<IpcAnswer> {
    let timer: NodeJS.Timeout | undefined;
    const t = new Promise<never>((_, fail) => {
      timer = setTimeout(() => {
        this.pending.delete(seq);
        fail(new BenchError(`${this.what}: no answer to ${what} within ${ms} ms: ${this.stderr() || "no output"}`));
      }, ms);
    });
    return Promise.race([p, t]).finally(() => clearTimeout(timer));
  }
}
