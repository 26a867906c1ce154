// bench/media/bencode: the ng protocol's encoding, against hand-written wire bytes.
import { deepStrictEqual, strictEqual, throws } from "node:assert/strict";
import { test } from "node:test";
import { bdecode, bencode } from "./bencode.ts";

test("encodes a ping and an offer exactly as rtpengine's ng protocol spells them", () => {
  strictEqual(bencode({ command: "ping" }).toString(), "d7:command4:pinge");
  // Keys sorted as raw bytes: "call-id" < "command" < "from-tag" < "sdp".
  strictEqual(bencode({ sdp: "v=0\r\n", command: "offer", "from-tag": "f1", "call-id": "c1" }).toString(), "d7:call-id2:c17:command5:offer8:from-tag2:f13:sdp5:v=0\r\ne");
  strictEqual(bencode([1, -2, "x", []]).toString(), "li1ei-2e1:xlee");
});

test("string lengths count UTF-8 bytes, not characters", () => {
  strictEqual(bencode("µ").toString("latin1"), "2:\u00c2\u00b5");
});

test("decodes an rtpengine answer and where it ends", () => {
  const wire = Buffer.from("d3:sdp5:v=0\r\n6:result2:ok8:warnings" + "l1:ae" + "e trailing");
  deepStrictEqual(bdecode(wire), { value: { sdp: "v=0\r\n", result: "ok", warnings: ["a"] }, end: wire.length - " trailing".length });
});

test("round-trips nested values", () => {
  const v = { a: [1, { b: "c" }], z: 0 };
  deepStrictEqual(bdecode(bencode(v)).value, v);
});

test("rejects truncated and malformed input with a RangeError", () => {
  throws(() => bdecode(Buffer.from("d3:sdp")), RangeError);
  throws(() => bdecode(Buffer.from("5:abc")), RangeError);
  throws(() => bdecode(Buffer.from("i1x2e")), RangeError);
  throws(() => bdecode(Buffer.from("di1ei2ee")), RangeError);
  throws(() => bdecode(Buffer.from("x")), RangeError);
});
