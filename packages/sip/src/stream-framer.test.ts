import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { framingErrorResponse } from "./framing-error-response.js";
import { parseMessage } from "./parse-message.js";
import { streamContentLength, StreamFramer, type FramerOutput } from "./stream-framer.js";

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

function request(method: string, body: string, extra = ""): string {
  return (
    `${method} sip:bob@example.com SIP/2.0\r\n` +
    "Via: SIP/2.0/TCP client.example.com:5060;branch=z9hG4bK74bf9\r\n" +
    "From: <sip:alice@example.com>;tag=9fxced76sl\r\nTo: <sip:bob@example.com>\r\n" +
    `Call-ID: 3848276298220188511@example.com\r\nCSeq: 1 ${method}\r\nMax-Forwards: 70\r\n${extra}` +
    `Content-Length: ${enc(body).length}\r\n\r\n${body}`
  );
}

const SDP = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 8\r\n";
const M1 = request("INVITE", SDP);
const M2 = request("OPTIONS", "");

/** Feeds chunks and renders outputs as strings for easy comparison. */
function run(framer: StreamFramer, chunks: Uint8Array[]): string[] {
  const out: string[] = [];
  for (const c of chunks) for (const o of framer.push(c)) out.push(render(o));
  return out;
}

function render(o: FramerOutput): string {
  if (o.kind === "message") return dec(o.bytes);
  if (o.kind === "ping") return "<ping>";
  return `<error ${o.reason}>`;
}

function splitAt(bytes: Uint8Array, points: number[]): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let prev = 0;
  for (const p of [...points, bytes.length]) {
    chunks.push(bytes.slice(prev, p));
    prev = p;
  }
  return chunks;
}

describe("StreamFramer", () => {
  it("frames one message from one chunk without copying", () => {
    const chunk = enc(M1);
    const out = new StreamFramer().push(chunk);
    assert.equal(out.length, 1);
    const first = out[0]!;
    assert.equal(first.kind, "message");
    if (first.kind !== "message") return;
    assert.equal(first.bytes.buffer, chunk.buffer, "a whole message is a view of the chunk");
    assert.equal(dec(first.bytes), M1);
    const parsed = parseMessage(first.bytes, { stream: true });
    assert.ok(parsed.ok);
  });

  it("frames two messages in one chunk, both views of it", () => {
    const chunk = enc(M1 + M2);
    const framer = new StreamFramer();
    const out = framer.push(chunk);
    assert.deepEqual(out.map(render), [M1, M2]);
    for (const o of out) if (o.kind === "message") assert.equal(o.bytes.buffer, chunk.buffer);
    assert.equal(framer.buffered, 0);
  });

  it("frames a 2-message stream split at every point", () => {
    const stream = enc(M1 + M2);
    for (let i = 0; i <= stream.length; i++) {
      assert.deepEqual(run(new StreamFramer(), splitAt(stream, [i])), [M1, M2], `split at ${i}`);
    }
  });

  it("frames a 2-message stream with a ping and leading CRLF split at every pair of points", () => {
    const text = "\r\n" + M2 + "\r\n\r\n" + M2;
    const stream = enc(text);
    for (let i = 0; i <= stream.length; i++) {
      for (let j = i; j <= stream.length; j += 3) {
        assert.deepEqual(run(new StreamFramer(), splitAt(stream, [i, j])), [M2, "<ping>", M2], `split at ${i}, ${j}`);
      }
    }
  });

  it("frames byte by byte", () => {
    const stream = enc("\r\n\r\n" + M1 + "\r\n" + M2 + M1);
    const chunks = Array.from(stream, (b) => Uint8Array.of(b));
    assert.deepEqual(run(new StreamFramer(), chunks), ["<ping>", M1, M2, M1]);
  });

  it("frames a 50 KB header section fed byte by byte in linear time", () => {
    const big = request("OPTIONS", "", Array.from({ length: 1000 }, (_, k) => `X-Filler-${k}: ${"f".repeat(30)}\r\n`).join(""));
    const bytes = enc(big);
    const framer = new StreamFramer();
    const out: FramerOutput[] = [];
    // A framer that re-scanned from the start on every byte would do ~1.25e9 steps here.
    for (let i = 0; i < bytes.length; i++) out.push(...framer.push(bytes.subarray(i, i + 1)));
    assert.deepEqual(out.map(render), [big]);
  });

  it("frames random chunkings of many messages (seeded)", () => {
    const messages = Array.from({ length: 40 }, (_, k) => (k % 3 === 0 ? request("MESSAGE", "x".repeat(k * 37)) : k % 3 === 1 ? M1 : M2));
    const stream = enc(messages.join(""));
    let seed = 12345;
    const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let round = 0; round < 50; round++) {
      const points: number[] = [];
      for (let p = 0; p < stream.length; p += 1 + Math.floor(random() * 900)) points.push(p);
      assert.deepEqual(run(new StreamFramer(), splitAt(stream, points)), messages);
    }
  });

  it("never overwrites a frame it already returned", () => {
    const framer = new StreamFramer();
    const stream = enc(M1 + M2 + M1);
    const kept: FramerOutput[] = [];
    for (let i = 0; i < stream.length; i += 7) kept.push(...framer.push(stream.slice(i, i + 7)));
    assert.deepEqual(kept.map(render), [M1, M2, M1]);
  });

  it("answers keep-alives: CRLFCRLF is a ping, a lone CRLF is consumed", () => {
    assert.deepEqual(run(new StreamFramer(), [enc("\r\n\r\n")]), ["<ping>"]);
    assert.deepEqual(run(new StreamFramer(), [enc("\r\n\r\n\r\n\r\n")]), ["<ping>", "<ping>"]);
    assert.deepEqual(run(new StreamFramer(), [enc("\r\n"), enc("\r\n")]), ["<ping>"]);
    const framer = new StreamFramer();
    assert.deepEqual(run(framer, [enc("\r\n")]), []);
    assert.deepEqual(run(framer, [enc(M2)]), [M2], "a pong before a message is consumed");
    assert.equal(framer.buffered, 0);
  });

  it("reads compact, case-varied, spaced and folded Content-Length", () => {
    const head = (field: string): Uint8Array => enc(`OPTIONS sip:a@b SIP/2.0\r\nVia: x\r\n${field}\r\n\r\n`);
    assert.equal(streamContentLength(head("l: 12")), 12);
    assert.equal(streamContentLength(head("CONTENT-LENGTH   :   7  ")), 7);
    assert.equal(streamContentLength(head("Content-Length:\r\n 33")), 33);
    assert.equal(streamContentLength(head("Content-Length: 5\r\nl: 5")), 5);
    assert.equal(streamContentLength(head("Content-Length: 5\r\nl: 6")), "bad");
    assert.equal(streamContentLength(head("Content-Length: -1")), "bad");
    assert.equal(streamContentLength(head("Content-Length: 1 2")), "bad");
    assert.equal(streamContentLength(head("Content-Length: 1234567890")), "bad");
    assert.equal(streamContentLength(head("Content-Length:")), "bad");
    assert.equal(streamContentLength(head("Content-Lengthy: 4")), "missing");
    assert.equal(streamContentLength(head("lx: 4")), "missing");
    assert.equal(streamContentLength(head("X: y")), "missing");
  });

  it("fails on a missing Content-Length, then ignores the stream", () => {
    const framer = new StreamFramer();
    const noLength = "OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK1\r\n\r\n";
    const out = framer.push(enc(noLength + M2));
    assert.equal(out.length, 1);
    const e = out[0]!;
    assert.ok(e.kind === "error" && e.reason === "missing-content-length");
    assert.equal(dec(e.head), noLength);
    assert.ok(framer.broken);
    assert.deepEqual(framer.push(enc(M2)), []);
  });

  it("fails on a bad Content-Length", () => {
    const out = run(new StreamFramer(), [enc(M2.replace("Content-Length: 0", "Content-Length: zero"))]);
    assert.deepEqual(out, ["<error bad-content-length>"]);
  });

  it("frames a message exactly at the size limit and refuses one byte more", () => {
    const size = enc(M1).length;
    assert.deepEqual(run(new StreamFramer({ maxMessageSize: size }), [enc(M1)]), [M1]);
    assert.deepEqual(run(new StreamFramer({ maxMessageSize: size - 1 }), [enc(M1)]), ["<error message-too-large>"]);
  });

  it("refuses a header section over the limit, keeping only whole lines", () => {
    const framer = new StreamFramer({ maxHeaderSize: 100 });
    const out: FramerOutput[] = [];
    const long = M2.replace("Max-Forwards: 70\r\n", `Subject: ${"s".repeat(200)}\r\n`);
    for (const b of enc(long)) out.push(...framer.push(Uint8Array.of(b)));
    assert.equal(out.length, 1);
    const e = out[0]!;
    assert.ok(e.kind === "error" && e.reason === "header-too-large");
    assert.ok(e.head.length <= 100);
    assert.ok(dec(e.head).endsWith("\r\n"));
    assert.equal(framer.buffered, 0, "the buffer is released");
  });

  it("refuses garbage without CRLFCRLF at the header limit and never throws", () => {
    let seed = 7;
    const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let round = 0; round < 200; round++) {
      const framer = new StreamFramer({ maxMessageSize: 2048 });
      const junk = Uint8Array.from({ length: 1 + Math.floor(random() * 6000) }, () => (random() < 0.1 ? 13 : random() < 0.1 ? 10 : Math.floor(random() * 256)));
      for (let i = 0; i < junk.length; i += 1 + Math.floor(random() * 300)) {
        const out = framer.push(junk.slice(i, i + 1 + Math.floor(random() * 300)));
        for (const o of out) if (o.kind === "message") assert.ok(o.bytes.length <= 2048);
      }
      assert.ok(framer.buffered <= 2048 + 300, "memory stays bounded");
    }
  });
});

describe("framingErrorResponse", () => {
  const head = (text: string): Uint8Array => enc(text);
  const noLength = request("REGISTER", "").replace("Content-Length: 0\r\n", "");

  it("answers a request without Content-Length with 400 and a To tag", () => {
    const bytes = framingErrorResponse("missing-content-length", head(noLength), "abc123");
    assert.ok(bytes !== null);
    const r = parseMessage(bytes, { stream: true });
    assert.ok(r.ok && r.message.kind === "response");
    if (!r.ok || r.message.kind !== "response") return;
    assert.equal(r.message.status, 400);
    assert.equal(r.message.reason, "Missing Content-Length");
    assert.match(dec(bytes), /To: <sip:bob@example.com>;tag=abc123\r\n/);
    assert.match(dec(bytes), /CSeq: 1 REGISTER\r\n/);
  });

  it("answers oversize with 513", () => {
    const bytes = framingErrorResponse("message-too-large", head(request("INVITE", "")), "t");
    assert.ok(bytes !== null);
    assert.match(dec(bytes), /^SIP\/2.0 513 Message Too Large\r\n/);
  });

  it("does not answer responses, ACKs, garbage or requests missing Call-ID", () => {
    assert.equal(framingErrorResponse("bad-content-length", head("SIP/2.0 200 OK\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK1\r\n\r\n"), "t"), null);
    assert.equal(framingErrorResponse("missing-content-length", head(request("ACK", "").replace("Content-Length: 0\r\n", "")), "t"), null);
    assert.equal(framingErrorResponse("header-too-large", head("\x00\x01garbage\r\n\r\n"), "t"), null);
    assert.equal(framingErrorResponse("missing-content-length", head(noLength.replace(/Call-ID: .*\r\n/, "")), "t"), null);
    assert.equal(framingErrorResponse("header-too-large", new Uint8Array(0), "t"), null);
  });
});
