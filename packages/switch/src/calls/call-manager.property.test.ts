// Property test of the B2BUA over random interleavings: callers, callees and the clock act in
// any order (answers, failures, challenges, CANCEL, BYE from either side, hold, UPDATE, INFO,
// REFER to anything, timeouts). Whatever happens: nothing throws, no request is answered 500
// (an internal error), every call that started ends exactly once, and once everything has
// hung up no call is left and every RTP endpoint allocated was released.
import { test } from "node:test";
import assert from "node:assert/strict";
import { getHeader, headerField, type SipRequest } from "@hotline/sip";
import { answerSdp, inDialog, invite, parse, reply, rig, settle, toTagOf, type Rig } from "../testing/call-rig.js";

/** xorshift32 (seeded: a failing case reproduces from its seed). */
function prng(seed: number): { int(n: number): number; pick<T>(xs: readonly T[]): T } {
  let x = seed || 1;
  const next = (): number => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
  return { int: (n) => Math.floor(next() * n), pick: (xs) => xs[Math.floor(next() * xs.length)]! };
}

const DIALLED = ["1002", "1002", "1003", "6000", "6001", "9010123456789", "5555", "*78", "*79", "*8", "**1002", "700", "701", "12345"];
const CALLERS = ["1004", "1005", "1003", "13800000001", "13900000000"];

interface Caller {
  inv: SipRequest;
  tx: string;
  cseq: number;
}

function callerToTag(r: Rig, c: Caller): string | null {
  const res = r.sip.responses.find((x) => x.txId === c.tx && x.response.status >= 101 && x.response.status < 300);
  return res === undefined ? null : toTagOf(res.response);
}

// SEED=n runs one case and prints its journal; SEEDS=n runs seeds 1..n (default 400, ~2 s).
test("random interleavings of call events: no throw, no 500, every call ends once, nothing leaks", async () => {
  for (let seed = Number(process.env["SEED"] ?? 1); seed <= Number(process.env["SEED"] ?? Number(process.env["SEEDS"] ?? 400)); seed++) {
    const rnd = prng(seed * 2654435761);
    const r = await rig({ "1002": [5080, 5082], "1003": [5084], "1001": [5086] });
    const callers: Caller[] = [];
    let tx = 0;
    const src = (port: number) => ({ transport: "udp" as const, address: "127.0.0.1", port });
    const steps = 25 + rnd.int(25);
    for (let step = 0; step < steps; step++) {
      const action = rnd.int(12);
      const outInvites = r.sip.requests.filter((x) => x.request.method === "INVITE");
      if (action <= 1 || callers.length === 0) {
        const timers = rnd.int(3) === 0 ? ["Session-Expires: 120", "Supported: timer"] : [];
        const c: Caller = { inv: invite(rnd.pick(CALLERS), rnd.pick(DIALLED), { port: 6000 + callers.length, headers: timers, ...(rnd.int(6) === 0 && { sdp: null }) }), tx: `t${++tx}`, cseq: 1 };
        callers.push(c);
        r.manager.onRequest(c.tx, c.inv, src(6000 + callers.length - 1));
      } else if (action <= 5 && outInvites.length > 0) {
        // A callee answers something for one of hotline's INVITEs (maybe again, maybe late).
        const out = rnd.pick(outInvites);
        const kind = rnd.int(9);
        const toTag = `callee-${outInvites.indexOf(out)}`;
        if (kind === 0) out.handler.onResponse(reply(out.request, 180, { toTag }));
        else if (kind === 1) out.handler.onResponse(reply(out.request, 183, { toTag, sdp: answerSdp(41000), headers: [headerField("Require", "100rel"), headerField("RSeq", String(1 + rnd.int(2)))] }));
        else if (kind <= 4) out.handler.onResponse(reply(out.request, 200, { toTag, sdp: answerSdp(41000 + 2 * rnd.int(10), rnd.pick(["PCMA", "PCMU"] as const)) }));
        else if (kind === 5) out.handler.onResponse(reply(out.request, rnd.pick([486, 480, 503, 603, 404])));
        else if (kind === 6) out.handler.onResponse(reply(out.request, 407, { headers: [headerField("Proxy-Authenticate", 'Digest realm="x", nonce="n", algorithm=MD5, qop="auth"')] }));
        else if (kind === 7) out.handler.onFailure("timeout");
        else out.handler.onResponse(reply(out.request, 200, { toTag, sdp: "v=0\r\nthis is not SDP\r\n" }));
      } else if (action <= 9) {
        // The caller does something in its dialog (or CANCELs).
        const c = rnd.pick(callers);
        const toTag = callerToTag(r, c);
        const kind = rnd.int(7);
        if (kind === 0) {
          r.sip.cancelTargets.set(getHeader(c.inv, "call-id") ?? "", c.tx);
          const cancel = inDialog("CANCEL", c.inv, "", 1);
          cancel.headers = cancel.headers.map((h) => (h.key === "to" ? { ...h, value: getHeader(c.inv, "to")! } : h));
          r.manager.onRequest(`t${++tx}`, cancel, src(6000));
        } else if (toTag !== null) {
          if (kind === 1) r.manager.onAck(inDialog("ACK", c.inv, toTag, 1));
          else if (kind === 2) r.manager.onRequest(`t${++tx}`, inDialog("BYE", c.inv, toTag, ++c.cseq), src(6000));
          else if (kind === 3) r.manager.onRequest(`t${++tx}`, inDialog("INVITE", c.inv, toTag, ++c.cseq, { body: answerSdp(40000, "PCMA", rnd.pick(["sendonly", "sendrecv", "inactive"])) }), src(6000));
          else if (kind === 4) r.manager.onRequest(`t${++tx}`, inDialog("UPDATE", c.inv, toTag, ++c.cseq), src(6000));
          else if (kind === 5) {
            const info = inDialog("INFO", c.inv, toTag, ++c.cseq, { body: "Signal=5\r\nDuration=100\r\n" });
            r.manager.onRequest(`t${++tx}`, info, src(6000));
          } else {
            const refer = inDialog("REFER", c.inv, toTag, ++c.cseq, { headers: [`Refer-To: <sip:${rnd.pick(DIALLED)}@hotline.test>`] });
            r.manager.onRequest(`t${++tx}`, refer, src(6000));
          }
        }
      } else if (action === 10) {
        // A callee hangs up an answered leg, transfers it (REFER) or puts it on hold (re-INVITE).
        const answered = outInvites.filter((o) => r.sip.stateless.some((s) => s.message.kind === "request" && s.message.method === "ACK" && getHeader(s.message, "call-id") === getHeader(o.request, "call-id")));
        if (answered.length > 0) {
          const o = rnd.pick(answered);
          const toTag = `callee-${outInvites.indexOf(o)}`;
          const method = rnd.pick(["BYE", "BYE", "REFER", "INVITE"]);
          const extra =
            method === "REFER"
              ? [`Refer-To: <sip:${rnd.pick(DIALLED)}@hotline.test>`]
              : method === "INVITE"
                ? ["Content-Type: application/sdp"]
                : [];
          const body = method === "INVITE" ? answerSdp(41000, "PCMA", rnd.pick(["sendonly", "sendrecv"])) : "";
          const bye = parse([
            `${method} sip:hotline@127.0.0.1:5060 SIP/2.0`,
            `Via: SIP/2.0/UDP 127.0.0.1:${o.destination.port};branch=z9hG4bKcallee${++tx}`,
            `From: ${getHeader(o.request, "to")};tag=${toTag}`,
            `To: ${getHeader(o.request, "from")}`,
            `Call-ID: ${getHeader(o.request, "call-id")}`,
            `CSeq: ${10 + tx} ${method}`,
            "Contact: <sip:callee@127.0.0.1:5080>",
            ...extra,
            `Content-Length: ${body.length}`,
            "",
            body,
          ].join("\r\n"));
          r.manager.onRequest(`t${tx}`, bye, src(o.destination.port));
        }
      } else {
        r.clock.advance(rnd.pick([100, 1000, 5000, 21_000, 35_000]));
      }
      await settle();
    }
    // Everybody hangs up, then time passes (park timeouts, wrap-ups, session timers, 2xx retransmissions).
    for (const call of [...r.manager.calls.values()]) await r.manager.endCall(call, "system", 16, "test over");
    r.clock.advance(6 * 3600_000);
    await settle();
    for (const call of [...r.manager.calls.values()]) await r.manager.endCall(call, "system", 16, "test over");
    await settle();
    const ctx = `seed ${seed}`;
    assert.equal(r.metrics.get("sip_internal_errors_total"), 0, `${ctx}: a request was answered 500`);
    assert.equal(r.manager.calls.size, 0, `${ctx}: calls left`);
    const released = new Set(r.media.released);
    const leaked = r.media.allocated.filter((id) => !released.has(id));
    assert.deepEqual(leaked, [], `${ctx}: RTP endpoints never released`);
    const started = r.recorder.events.filter((e) => e.type === "call.started").map((e) => e.callId);
    const ended = r.recorder.endedCalls.map((c) => c.id);
    if (process.env["SEED"] !== undefined) console.log(JSON.stringify({ ended, events: r.recorder.events.map((e) => [e.callId, e.type, e.data]) }));
    assert.deepEqual([...ended].sort(), [...new Set(ended)].sort(), `${ctx}: a call ended twice`);
    assert.deepEqual([...ended].sort(), [...started].sort(), `${ctx}: started and ended calls differ`);
  }
});
