// Mutated INVITEs, in-dialog requests and callee responses into the B2BUA: whatever the parser
// lets through, call control answers it (4xx/5xx where due) without throwing and without an
// internal error (a 500), and every call it started ends.
import { test } from "node:test";
import assert from "node:assert/strict";
import { encodeUtf8, parseMessage, serializeMessage, type SipRequest, type SipResponse } from "@hotline/sip";
import { answerSdp, invite, reply, rig, settle } from "../testing/call-rig.js";

function prng(seed: number): () => number {
  let x = seed || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

const NASTY = ["", "\0", ";", ",", "<", ">", '"', "=", " ", "\t", "0", "-1", "99999999999", "%", "sip:", "@", "m=audio 0 RTP/AVP", "c=IN IP4 ", "a=sendonly", "tag=", "\r\n"];

/** Replaces, inserts or deletes a few spans of `text` with nasty fragments. */
function mutate(text: string, rnd: () => number): string {
  let t = text;
  const n = 1 + Math.floor(rnd() * 4);
  for (let i = 0; i < n; i++) {
    const at = Math.floor(rnd() * t.length);
    const len = Math.floor(rnd() * 12);
    const frag = NASTY[Math.floor(rnd() * NASTY.length)]!;
    t = t.slice(0, at) + frag + t.slice(at + (rnd() < 0.5 ? len : 0));
  }
  return t;
}

function reparse<T extends SipRequest | SipResponse>(msg: T, rnd: () => number): T | null {
  const text = new TextDecoder().decode(serializeMessage(msg));
  const r = parseMessage(encodeUtf8(mutate(text, rnd)));
  return r.ok && r.message.kind === msg.kind ? (r.message as T) : null;
}

test("fuzz: 3,000 mutated INVITEs and callee answers never throw or cause an internal error; every started call ends", async () => {
  const rnd = prng(0x5eed);
  const r = await rig({ "1002": [5080], "1003": [5084] });
  let fed = 0;
  for (let i = 0; i < 3000; i++) {
    const base = invite(i % 2 === 0 ? "1003" : "1004", i % 3 === 0 ? "1002" : "6000", { callId: `fz-${i}` });
    const inv = reparse(base, rnd);
    if (inv !== null) {
      fed++;
      assert.doesNotThrow(() => r.manager.onRequest(`f${i}`, inv, { transport: "udp", address: "127.0.0.1", port: 6000 }));
    }
    if (i % 10 === 0) {
      await settle();
      // Mutated answers from the callees to whatever hotline sent last.
      const out = r.sip.requests.filter((x) => x.request.method === "INVITE").at(-1);
      if (out !== undefined) {
        const res = reparse(reply(out.request, [180, 183, 200, 486][i % 4]!, { sdp: answerSdp(41000) }), rnd);
        if (res !== null) assert.doesNotThrow(() => out.handler.onResponse(res));
      }
      r.clock.advance(5000);
    }
  }
  await settle();
  for (const call of [...r.manager.calls.values()]) await r.manager.endCall(call, "system", 16, "fuzz over");
  r.clock.advance(6 * 3600_000);
  await settle();
  assert.ok(fed > 1000, `only ${fed} mutated INVITEs parsed`);
  assert.equal(r.metrics.get("sip_internal_errors_total"), 0, "a request was answered 500");
  assert.equal(r.manager.calls.size, 0);
  const released = new Set(r.media.released);
  assert.deepEqual(r.media.allocated.filter((id) => !released.has(id)), []);
});
