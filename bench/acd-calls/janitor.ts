// bench/acd-calls: after a step with failed calls, hotline may still hold transactions towards
// SIPp processes that are gone (an INVITE is retransmitted until RFC 3261 Timer B, 64·T1 =
// 32 s; a BYE until Timer F). The next step's SIPp, bound to the same port, would take those
// stale requests for new calls and fail. The janitor binds the agents' and callers' ports
// between steps and ends each stale transaction with a final response, statelessly.

import { createSocket, type Socket } from "node:dgram";
import { HOST } from "../calls/proc.ts";

/** The final response for a stale request, or undefined for ACK and responses (never answered, RFC 3261 §17.2.1). */
export function staleResponse(message: string): string | undefined {
  const [head = ""] = message.split(/\r?\n\r?\n/, 1);
  const lines = head.split(/\r?\n/);
  const m = /^([A-Z]+) \S+ SIP\/2\.0$/.exec(lines[0] ?? "");
  if (m === null || m[1] === "ACK") return undefined;
  const keep = (name: string, short: string): string[] => lines.filter((l) => new RegExp(`^(${name}|${short})\\s*:`, "i").test(l));
  const to = keep("To", "t").map((l) => (/;\s*tag=/i.test(l) ? l : `${l};tag=bench-janitor`));
  // RFC 3261 §8.2.2.2 / §9.2: a request for no known dialog or transaction is answered 481;
  // a stale INVITE gets a final response so the INVITE client transaction ends (§17.1.1.2).
  const status = m[1] === "INVITE" ? "480 Temporarily Unavailable" : "481 Call/Transaction Does Not Exist";
  return [`SIP/2.0 ${status}`, ...keep("Via", "v"), ...keep("From", "f"), ...to, ...keep("Call-ID", "i"), ...keep("CSeq", "CSeq"), "Content-Length: 0", "", ""].join("\r\n");
}

export interface Janitor {
  /** Datagrams received so far and when the last one came (Date.now()). */
  seen(): { count: number; lastAt: number };
  close(): Promise<void>;
}

export async function startJanitor(ports: readonly number[]): Promise<Janitor> {
  let count = 0;
  let lastAt = 0;
  const sockets: Socket[] = [];
  for (const port of ports) {
    const s = createSocket("udp4");
    s.on("message", (buf, from) => {
      count++;
      lastAt = Date.now();
      const reply = staleResponse(buf.toString("latin1"));
      if (reply !== undefined) s.send(reply, from.port, from.address);
    });
    s.on("error", () => undefined); // a send to a vanished peer: nothing to do
    await new Promise<void>((done, fail) => {
      s.once("error", fail);
      s.bind(port, HOST, () => done());
    });
    sockets.push(s);
  }
  return {
    seen: () => ({ count, lastAt }),
    close: () => Promise.all(sockets.map((s) => new Promise<void>((done) => s.close(() => done())))).then(() => undefined),
  };
}
