// A bare UDP "phone" for the engine's socket tests: sends the packets it is given and records
// what arrives, with arrival times. Waits are event-driven (resolve on the n-th packet) and
// bounded, never sleeps.
import { createSocket, type Socket } from "node:dgram";

export interface Arrival {
  bytes: Buffer;
  at: number;
  fromPort: number;
}

export class Phone {
  readonly received: Arrival[] = [];
  private waiters: { n: number; resolve: () => void }[] = [];

  private constructor(
    private readonly socket: Socket,
    readonly port: number,
  ) {
    socket.on("message", (bytes, rinfo) => {
      this.received.push({ bytes, at: performance.now(), fromPort: rinfo.port });
      this.waiters = this.waiters.filter((w) => {
        if (this.received.length < w.n) return true;
        w.resolve();
        return false;
      });
    });
  }

  static async open(port = 0): Promise<Phone> {
    const socket = createSocket("udp4");
    await new Promise<void>((resolve, reject) => {
      socket.once("error", reject);
      socket.bind(port, "127.0.0.1", () => resolve());
    });
    return new Phone(socket, socket.address().port);
  }

  send(bytes: Uint8Array, port: number): void {
    this.socket.send(bytes, port, "127.0.0.1");
  }

  /** Resolves once `n` packets in all have arrived; rejects after `timeoutMs` saying how many did. */
  waitFor(n: number, timeoutMs = 3000): Promise<Arrival[]> {
    if (this.received.length >= n) return Promise.resolve(this.received.slice(0, n));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`phone ${this.port}: ${this.received.length} of ${n} packets after ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({
        n,
        resolve: () => {
          clearTimeout(timer);
          resolve(this.received.slice(0, n));
        },
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}

/**
 * A port range of `pairs` RTP/RTCP pairs somewhere in 20000–32767, different per run: below
 * Linux's ephemeral range (32768–60999), so the phones' own sockets (port 0) never land in it.
 */
export function testPortRange(pairs: number): { portMin: number; portMax: number } {
  const base = 20000 + 2 * Math.floor(Math.random() * ((12768 - 2 * pairs) / 2));
  return { portMin: base, portMax: base + 2 * pairs - 1 };
}
