/**
 * Helpers for transport tests on 127.0.0.1: an inbox that awaits messages, raw socket
 * readers, a throwaway self-signed certificate, and polling on counters.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import type { Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { InboundMessage, SipTransport, TransportLog } from "../transport.js";

export const LOCALHOST = "127.0.0.1";

/** A minimal OPTIONS request with a correct Content-Length (RFC 3261 §18.3). */
export function sipRequest(callId: string, body = "", transport = "TCP"): string {
  const bodyBytes = Buffer.byteLength(body);
  return (
    `OPTIONS sip:hotline@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/${transport} 127.0.0.1:5999;branch=z9hG4bK${callId}\r\n` +
    `From: <sip:t@127.0.0.1>;tag=1\r\nTo: <sip:hotline@127.0.0.1>\r\nCall-ID: ${callId}\r\nCSeq: 1 OPTIONS\r\n` +
    `Max-Forwards: 70\r\nContent-Length: ${bodyBytes}\r\n\r\n${body}`
  );
}

export const text = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("utf8");

/** Collects what a transport delivers; wait(n) resolves once n messages arrived. */
export class Inbox {
  readonly messages: InboundMessage[] = [];
  private waiters: Array<{ n: number; resolve: () => void }> = [];

  constructor(transport: Pick<SipTransport, "onMessage">) {
    transport.onMessage((m) => {
      this.messages.push(m);
      this.waiters = this.waiters.filter((w) => {
        if (this.messages.length < w.n) return true;
        w.resolve();
        return false;
      });
    });
  }

  async wait(n: number, timeoutMs = 5000): Promise<InboundMessage[]> {
    if (this.messages.length < n) {
      await withTimeout(new Promise<void>((resolve) => this.waiters.push({ n, resolve })), timeoutMs, `waiting for ${n} messages (have ${this.messages.length})`);
    }
    return this.messages.slice(0, n);
  }
}

/** Resolves once `predicate()` holds, polling every few ms; rejects after timeoutMs. */
export async function until(predicate: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** Everything a raw socket receives, as text; `closed` resolves when it closes. */
export function record(socket: Socket): { data: () => string; closed: Promise<void> } {
  let received = "";
  socket.on("data", (chunk: Buffer) => {
    received += chunk.toString("utf8");
  });
  socket.on("error", () => undefined);
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  return { data: () => received, closed };
}

/** A log that records warnings. */
export function recordingLog(): TransportLog & { entries: Array<{ obj: Record<string, unknown>; msg: string }> } {
  const entries: Array<{ obj: Record<string, unknown>; msg: string }> = [];
  return { entries, warn: (obj, msg) => entries.push({ obj, msg }) };
}

/**
 * A throwaway self-signed certificate for 127.0.0.1/localhost, valid one day, in a temp
 * directory; call cleanup() when done.
 */
export function selfSignedCert(): { certPath: string; keyPath: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "hotline-tls-"));
  const certPath = join(dir, "cert.pem");
  const keyPath = join(dir, "key.pem");
  execFileSync(
    "openssl",
    ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-days", "1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", keyPath, "-out", certPath],
    { stdio: "ignore" },
  );
  return { certPath, keyPath, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
