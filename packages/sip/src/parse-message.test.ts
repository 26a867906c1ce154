import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { parseMessage, serializeMessage, getHeader, getHeaderValues, checkRequest, summarize, type SipRequest } from "./index.js";
import { seededRandom } from "./testing/seeded-random.js";

const enc = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, "utf8"));
const typical = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(`../../../fixtures/sip/typical/${name}`, import.meta.url)));

function req(lines: string[], body = ""): Uint8Array {
  return enc(lines.join("\r\n") + "\r\n\r\n" + body);
}

const BASE = [
  "Via: SIP/2.0/UDP 127.0.0.1:5062;branch=z9hG4bK-1",
  "From: <sip:a@x>;tag=1",
  "To: <sip:b@x>",
  "Call-ID: c1",
  "CSeq: 1 OPTIONS",
  "Max-Forwards: 70",
];

test("parses the typical INVITE: start line, headers, SDP body", () => {
  const r = parseMessage(typical("invite.sip"));
  assert.ok(r.ok);
  const m = r.message as SipRequest;
  assert.equal(m.kind, "request");
  assert.equal(m.method, "INVITE");
  assert.equal(m.uri, "sip:1002@hotline.local");
  assert.equal(getHeader(m, "call-id"), "7d9e8f3a2b1c4d5e6f708192a3b4c5d6@192.0.2.10");
  assert.equal(new TextDecoder().decode(m.body).split("\r\n")[0], "v=0");
  assert.equal(checkRequest(m), null);
  const s = summarize(m);
  assert.equal(s?.cseq.seq, 2);
  assert.equal(s?.fromTag, "8f3a9c21");
  assert.equal(s?.toTag, null);
  assert.equal(s?.topVia.branch, "z9hG4bK-524287-1---d8754z-a1b2c3d4e5f6");
});

test("round trip: parse → serialize → parse gives the same message", () => {
  for (const f of ["invite.sip", "register.sip", "ok-200.sip"]) {
    const a = parseMessage(typical(f));
    assert.ok(a.ok, f);
    const bytes = serializeMessage(a.message);
    const b = parseMessage(bytes);
    assert.ok(b.ok, f);
    assert.deepEqual(b.message, { ...a.message, body: b.message.body });
    assert.deepEqual([...b.message.body], [...a.message.body]);
    assert.deepEqual(Uint8Array.from(bytes), typical(f), `${f} serializes byte-exact`);
  }
});

test("compact forms expand to canonical names", () => {
  const r = parseMessage(req(["OPTIONS sip:x SIP/2.0", "v: SIP/2.0/UDP h;branch=z9hG4bK-2", "f: <sip:a@x>;tag=1", "t: <sip:b@x>", "i: cid", "CSeq: 1 OPTIONS", "l: 0", "m: <sip:a@h>"]));
  assert.ok(r.ok);
  assert.deepEqual(r.message.headers.map((h) => h.name), ["Via", "From", "To", "Call-ID", "CSeq", "Content-Length", "Contact"]);
  assert.equal(checkRequest(r.message as SipRequest), null);
});

test("folded header lines are joined with one space", () => {
  const r = parseMessage(req(["OPTIONS sip:x SIP/2.0", ...BASE, "Subject: first", "   second\t", "\t third"]));
  assert.ok(r.ok);
  assert.equal(getHeader(r.message, "subject"), "first second third");
});

test("comma-joined Via values split, quoted commas and <> commas kept", () => {
  const r = parseMessage(req(["OPTIONS sip:x SIP/2.0", "Via: SIP/2.0/UDP a;branch=z9hG4bK-1, SIP/2.0/TCP b:5061;branch=z9hG4bK-2", "Contact: \"x, y\" <sip:a@h;p=1,2>, <sip:b@h>", ...BASE.slice(1)]));
  assert.ok(r.ok);
  assert.deepEqual(getHeaderValues(r.message, "via").length, 2);
  assert.deepEqual(getHeaderValues(r.message, "contact"), ['"x, y" <sip:a@h;p=1,2>', "<sip:b@h>"]);
});

test("Content-Length: body truncated to it; longer than datagram → 400", () => {
  const ok = parseMessage(req(["MESSAGE sip:x SIP/2.0", ...BASE, "Content-Length: 3"], "abcdef"));
  assert.ok(ok.ok);
  assert.deepEqual([...ok.message.body], [97, 98, 99]);
  const bad = parseMessage(req(["MESSAGE sip:x SIP/2.0", ...BASE, "Content-Length: 30"], "abc"));
  assert.ok(!bad.ok);
  assert.equal(bad.error.reason, "Bad Content-Length");
  assert.equal(bad.error.status, 400);
  assert.ok(bad.partial !== null && bad.partial.headers.length > 0, "partial headers kept to answer");
});

test("stream parsing requires Content-Length", () => {
  const r = parseMessage(req(["OPTIONS sip:x SIP/2.0", ...BASE]), { stream: true });
  assert.ok(!r.ok);
  assert.equal(r.error.reason, "Bad Content-Length");
});

test("request-line errors: extra spaces, trailing space, bad version", () => {
  for (const line of ["OPTIONS  sip:x SIP/2.0", "OPTIONS sip:x SIP/2.0 ", "OPTIONS sip:x"]) {
    const r = parseMessage(req([line, ...BASE]));
    assert.ok(!r.ok, line);
    assert.equal(r.error.reason, "Bad Request-Line", line);
  }
  const v = parseMessage(req(["OPTIONS sip:x SIP/7.0", ...BASE]));
  assert.ok(!v.ok);
  assert.equal(v.error.status, 505);
});

test("sanity: specific reasons for missing and bad headers", () => {
  const cases: Array<[string[], string, number]> = [
    [["OPTIONS sip:x SIP/2.0", ...BASE.filter((h) => !h.startsWith("CSeq")), "CSeq: x OPTIONS"], "Bad CSeq", 400],
    [["OPTIONS sip:x SIP/2.0", ...BASE.filter((h) => !h.startsWith("CSeq"))], "Missing CSeq Header", 400],
    [["INVITE sip:x SIP/2.0", ...BASE], "CSeq Method Mismatch", 400],
    [["OPTIONS sip:x SIP/2.0", ...BASE.filter((h) => !h.startsWith("Call-ID"))], "Missing Call-ID Header", 400],
    [["OPTIONS sip:x SIP/2.0", ...BASE.filter((h) => !h.startsWith("Max-F")), "Max-Forwards: 300"], "Bad Max-Forwards", 400],
    [["OPTIONS <sip:x> SIP/2.0", ...BASE], "Bad Request-URI", 400],
    [["OPTIONS http://x SIP/2.0", ...BASE], "Unsupported URI Scheme", 416],
    [["OPTIONS sip:x SIP/2.0", ...BASE, "Require: frobnicate"], "Bad Extension", 420],
    [["OPTIONS sip:x SIP/2.0", ...BASE, "Contact: <sip:a@h>;expires=-1"], "Bad Contact Header", 400],
    [["OPTIONS sip:x SIP/2.0", ...BASE, "To: <sip:c@x>"], "Multiple Values In Single-Value Header", 400],
    [["OPTIONS sip:x SIP/2.0", ...BASE.slice(1)], "Missing Via Header", 400],
  ];
  for (const [lines, reason, status] of cases) {
    const r = parseMessage(req(lines));
    assert.ok(r.ok, lines[0]);
    const e = checkRequest(r.message as SipRequest);
    assert.equal(e?.reason, reason, lines.join(" | "));
    assert.equal(e?.status, status);
  }
});

test("responses: status line with empty reason; bad status → error", () => {
  const r = parseMessage(enc("SIP/2.0 100 \r\nVia: SIP/2.0/UDP h;branch=z9hG4bK-1\r\nContent-Length: 0\r\n\r\n"));
  assert.ok(r.ok && r.message.kind === "response");
  assert.equal(r.message.status, 100);
  assert.equal(r.message.reason, "");
  const bad = parseMessage(enc("SIP/2.0 4294967301 Big\r\nContent-Length: 0\r\n\r\n"));
  assert.ok(!bad.ok);
});

test("leading CRLFs are ignored (RFC 3261 §7.5)", () => {
  const r = parseMessage(enc("\r\n\r\nOPTIONS sip:x SIP/2.0\r\n" + BASE.join("\r\n") + "\r\n\r\n"));
  assert.ok(r.ok);
});

test("fuzz: the parser and sanity checks never throw (mutations of real messages + random bytes)", () => {
  const rnd = seededRandom(42);
  const seeds = ["invite.sip", "register.sip", "ok-200.sip"].map(typical);
  for (let n = 0; n < 20000; n++) {
    const src = seeds[n % seeds.length]!;
    let bytes: Uint8Array;
    if (n % 10 === 0) {
      bytes = new Uint8Array(Math.floor(rnd() * 300));
      for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(rnd() * 256);
    } else {
      bytes = src.slice(0, Math.floor(rnd() * (src.length + 1)));
      const flips = 1 + Math.floor(rnd() * 8);
      for (let k = 0; k < flips && bytes.length > 0; k++) bytes[Math.floor(rnd() * bytes.length)] = Math.floor(rnd() * 256);
    }
    const r = parseMessage(bytes, { stream: n % 2 === 0 });
    if (r.ok) {
      if (r.message.kind === "request") checkRequest(r.message);
      summarize(r.message);
      const again = parseMessage(serializeMessage(r.message));
      assert.ok(again.ok, "a parsed message re-parses after serialization");
    }
  }
});
