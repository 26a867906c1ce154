// A deliberately minimal Node.js RTP relay, used by bench/media as the floor of what Node itself
// does on that harness: per call a port pair (RTP even, RTCP = RTP + 1, RFC 3550 §11) facing
// each side, every RTP datagram forwarded as-is to the other side. No parsing, no statistics,
// no RTCP, no timeouts, no limits. Not product code.
//
// Latching ("comedia", the idea of RFC 4961): each side starts with the address the harness
// gives (what SDP would say) and switches to the source of the first packet it receives from
// that side. In "connected" mode the socket is then connect()ed to that source, so each later
// send skips the per-datagram address handling; "unconnected" always sends with an address.
//
// Usage (a child process with an IPC channel, as bench/media starts it):
//   node raw-rtp-relay.mjs <connected|unconnected> <portMin> <portMax>
// Messages: {seq, op: "add", calls: [{id, caller, callee}]} -> {seq, ok, calls: [{id, toCaller, toCallee}]}
//           {seq, op: "remove", ids} -> {seq, ok}; {seq, op: "gc"} -> {seq, ok}
import { createSocket } from "node:dgram";
import process from "node:process";

const [mode, portMinArg, portMaxArg] = process.argv.slice(2);
const connectedMode = mode === "connected";
const portMin = Number(portMinArg) + (Number(portMinArg) % 2);
const portMax = Number(portMaxArg);
const HOST = "127.0.0.1";
/** id -> the four sockets of a call. */
const calls = new Map();
const freePorts = [];
let nextPort = portMin;

function bindPort(port) {
  return new Promise((done) => {
    const s = createSocket("udp4");
    s.once("error", () => {
      s.close();
      done(null);
    });
    s.bind(port, HOST, () => {
      s.removeAllListeners("error");
      s.on("error", () => {}); // e.g. ECONNREFUSED from ICMP: a relay ignores it
      done(s);
    });
  });
}

/** An RTP/RTCP pair on consecutive ports. */
async function bindPair() {
  for (let tries = 0; tries < 1000; tries++) {
    const port = freePorts.pop() ?? nextPort;
    if (port === nextPort) nextPort += 2;
    if (port + 1 > portMax) throw new Error(`port range ${portMin}-${portMax} exhausted`);
    const rtp = await bindPort(port);
    if (rtp === null) continue;
    const rtcp = await bindPort(port + 1);
    if (rtcp === null) {
      rtp.close();
      continue;
    }
    return { port, rtp, rtcp };
  }
  throw new Error("no free port pair");
}

/** One side of a call: where to send towards this side, learned from what it sends us. */
function makeSide(pair, remotePort) {
  return { pair, address: HOST, port: remotePort, latched: false, connected: false };
}

function sendTo(side, msg) {
  if (side.connected) side.pair.rtp.send(msg);
  else if (!side.latched || !connectedMode) side.pair.rtp.send(msg, side.port, side.address);
  // else: connect() in progress; the few packets in that window are dropped, like any relay
  // that has not finished setting up a path
}

function latch(side, rinfo) {
  if (side.latched) return;
  side.latched = true;
  side.address = rinfo.address;
  side.port = rinfo.port;
  if (connectedMode) side.pair.rtp.connect(rinfo.port, rinfo.address, () => (side.connected = true));
}

async function add(spec) {
  const a = makeSide(await bindPair(), spec.caller);
  const b = makeSide(await bindPair(), spec.callee);
  a.pair.rtp.on("message", (msg, rinfo) => {
    latch(a, rinfo);
    sendTo(b, msg);
  });
  b.pair.rtp.on("message", (msg, rinfo) => {
    latch(b, rinfo);
    sendTo(a, msg);
  });
  calls.set(spec.id, [a.pair, b.pair]);
  return { id: spec.id, toCaller: a.pair.port, toCallee: b.pair.port };
}

function remove(id) {
  const pairs = calls.get(id);
  if (pairs === undefined) return;
  calls.delete(id);
  for (const p of pairs) {
    p.rtp.close();
    p.rtcp.close();
    freePorts.push(p.port);
  }
}

process.on("message", async (m) => {
  try {
    if (m.op === "add") {
      const out = [];
      for (const spec of m.calls) out.push(await add(spec));
      process.send({ seq: m.seq, ok: true, calls: out });
    } else if (m.op === "remove") {
      for (const id of m.ids) remove(id);
      process.send({ seq: m.seq, ok: true });
    } else if (m.op === "gc") {
      globalThis.gc?.();
      process.send({ seq: m.seq, ok: true });
    } else {
      process.send({ seq: m.seq, ok: false, error: `unknown op ${m.op}` });
    }
  } catch (err) {
    process.send({ seq: m.seq, ok: false, error: String(err) });
  }
});
process.on("disconnect", () => process.exit(0));
process.send({ seq: 0, ok: true, ready: true });
