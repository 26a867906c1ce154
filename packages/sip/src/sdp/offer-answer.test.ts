import { test } from "node:test";
import assert from "node:assert/strict";
import {
  answerDirection,
  buildAnswer,
  buildOffer,
  connectionAddress,
  describeAudio,
  mediaDirection,
  negotiateAnswer,
  parseSdp,
  rtcpPort,
  SdpOriginState,
  serializeSdp,
  type AnswerOptions,
  type Direction,
  type OfferOptions,
  type SessionDescription,
} from "./index.js";

const crlf = (...lines: string[]): string => lines.join("\r\n") + "\r\n";

function parsed(text: string): SessionDescription {
  const r = parseSdp(text);
  if (!r.ok) assert.fail(r.error);
  return r.sdp;
}

/** A peer's offer: session c=, then the given m= sections. */
function offer(...mediaLines: string[]): SessionDescription {
  return parsed(crlf("v=0", "o=peer 1 1 IN IP4 198.51.100.5", "s=-", "c=IN IP4 198.51.100.5", "t=0 0", ...mediaLines));
}

const G711_TE101 = ["m=audio 4000 RTP/AVP 8 0 101", "a=rtpmap:101 telephone-event/8000", "a=fmtp:101 0-15"];

const LOCAL: AnswerOptions = {
  origin: { username: "hotline", sessionId: "7001", sessionVersion: 3, address: "192.0.2.1" },
  address: "192.0.2.1",
  port: 30000,
  supported: ["PCMA", "PCMU"],
};

const OFFER_OPTS: OfferOptions = {
  origin: { username: "hotline", sessionId: "9001", sessionVersion: 1, address: "192.0.2.1" },
  address: "192.0.2.1",
  port: 31000,
  codecs: ["PCMA", "PCMU"],
  telephoneEventPt: 101,
  direction: "sendrecv",
};

test("buildOffer writes one RTP/AVP audio line with an rtpmap for every PT", () => {
  assert.equal(
    serializeSdp(buildOffer(OFFER_OPTS)),
    crlf(
      "v=0",
      "o=hotline 9001 1 IN IP4 192.0.2.1",
      "s=-",
      "c=IN IP4 192.0.2.1",
      "t=0 0",
      "m=audio 31000 RTP/AVP 8 0 101",
      "a=rtpmap:8 PCMA/8000",
      "a=rtpmap:0 PCMU/8000",
      "a=rtpmap:101 telephone-event/8000",
      "a=fmtp:101 0-16",
      "a=ptime:20",
      "a=sendrecv",
    ),
  );
});

test("buildOffer: no telephone-event, ptime 30, sendonly (hotline holding), IPv6", () => {
  const sdp = buildOffer({ ...OFFER_OPTS, origin: { ...OFFER_OPTS.origin, address: "2001:db8::1" }, address: "2001:db8::1", codecs: ["PCMU", "PCMU"], telephoneEventPt: null, ptime: 30, direction: "sendonly" });
  assert.equal(
    serializeSdp(sdp),
    crlf("v=0", "o=hotline 9001 1 IN IP6 2001:db8::1", "s=-", "c=IN IP6 2001:db8::1", "t=0 0", "m=audio 31000 RTP/AVP 0", "a=rtpmap:0 PCMU/8000", "a=ptime:30", "a=sendonly"),
  );
});

test("buildOffer rejects programming errors with a RangeError that says what", () => {
  assert.throws(() => buildOffer({ ...OFFER_OPTS, codecs: [] }), { name: "RangeError", message: "buildOffer: codecs must not be empty" });
  assert.throws(() => buildOffer({ ...OFFER_OPTS, telephoneEventPt: 8 }), { name: "RangeError", message: "buildOffer: telephoneEventPt 8 is not a dynamic payload type (96-127)" });
  assert.throws(() => buildOffer({ ...OFFER_OPTS, port: 0 }), { name: "RangeError", message: "buildOffer: bad port 0" });
});

test("RFC 3264 §6.1 direction table: every offered direction × every local wish", () => {
  const table: [Direction, Direction, Direction][] = [
    // offered      local        answer
    ["sendrecv", "sendrecv", "sendrecv"],
    ["sendrecv", "sendonly", "sendonly"],
    ["sendrecv", "recvonly", "recvonly"],
    ["sendrecv", "inactive", "inactive"],
    ["sendonly", "sendrecv", "recvonly"],
    ["sendonly", "sendonly", "inactive"],
    ["sendonly", "recvonly", "recvonly"],
    ["sendonly", "inactive", "inactive"],
    ["recvonly", "sendrecv", "sendonly"],
    ["recvonly", "sendonly", "sendonly"],
    ["recvonly", "recvonly", "inactive"],
    ["recvonly", "inactive", "inactive"],
    ["inactive", "sendrecv", "inactive"],
    ["inactive", "sendonly", "inactive"],
    ["inactive", "recvonly", "inactive"],
    ["inactive", "inactive", "inactive"],
  ];
  for (const [offered, local, expected] of table) assert.equal(answerDirection(offered, local), expected, `${offered} × ${local}`);
});

test("buildAnswer direction: offered attribute → answer attribute, with and without a local wish", () => {
  const table: [Direction, Direction | undefined, Direction][] = [
    ["sendonly", undefined, "recvonly"],
    ["recvonly", undefined, "sendonly"],
    ["inactive", undefined, "inactive"],
    ["sendrecv", undefined, "sendrecv"],
    ["sendrecv", "sendonly", "sendonly"],
    ["sendrecv", "inactive", "inactive"],
  ];
  for (const [offered, local, expected] of table) {
    const r = buildAnswer(offer(...G711_TE101, `a=${offered}`), { ...LOCAL, direction: local });
    assert.ok(r.ok);
    assert.equal(r.remote.direction, offered);
    assert.deepStrictEqual(r.sdp.media[0]!.attributes.at(-1), { name: expected, value: null }, `${offered} / ${String(local)}`);
  }
});

test("a session-level direction applies when the m= line has none; a media-level one overrides it", () => {
  const sessionOnly = parsed(crlf("v=0", "o=p 1 1 IN IP4 198.51.100.5", "s=-", "c=IN IP4 198.51.100.5", "t=0 0", "a=sendonly", "m=audio 4000 RTP/AVP 0"));
  assert.equal(mediaDirection(sessionOnly, sessionOnly.media[0]!), "sendonly");
  const overridden = parsed(crlf("v=0", "o=p 1 1 IN IP4 198.51.100.5", "s=-", "c=IN IP4 198.51.100.5", "t=0 0", "a=sendonly", "m=audio 4000 RTP/AVP 0", "a=inactive"));
  assert.equal(mediaDirection(overridden, overridden.media[0]!), "inactive");
  // RFC 3264 §8.4 legacy hold: recvonly at 0.0.0.0 receives nothing either.
  const nullRecvonly = parsed(crlf("v=0", "o=p 1 1 IN IP4 198.51.100.5", "s=-", "c=IN IP4 0.0.0.0", "t=0 0", "m=audio 4000 RTP/AVP 0", "a=recvonly"));
  assert.equal(mediaDirection(nullRecvonly, nullRecvonly.media[0]!), "inactive");
});

test("the complete answer: one codec (offer's first supported), telephone-event with the offer's PT", () => {
  const r = buildAnswer(offer(...G711_TE101), LOCAL);
  assert.ok(r.ok);
  assert.deepStrictEqual([r.codec, r.telephoneEventPt], [{ pt: 8, name: "PCMA" }, 101]);
  assert.equal(
    serializeSdp(r.sdp),
    crlf(
      "v=0",
      "o=hotline 7001 3 IN IP4 192.0.2.1",
      "s=-",
      "c=IN IP4 192.0.2.1",
      "t=0 0",
      "m=audio 30000 RTP/AVP 8 101",
      "a=rtpmap:8 PCMA/8000",
      "a=rtpmap:101 telephone-event/8000",
      "a=fmtp:101 0-16",
      "a=ptime:20",
      "a=sendrecv",
    ),
  );
});

test("the offer's order wins over hotline's preference (RFC 3264 §6.1)", () => {
  const r = buildAnswer(offer("m=audio 4000 RTP/AVP 0 8"), { ...LOCAL, supported: ["PCMA", "PCMU"] });
  assert.ok(r.ok);
  assert.deepStrictEqual(r.codec, { pt: 0, name: "PCMU" });
  assert.equal(r.telephoneEventPt, null);
  assert.deepStrictEqual(r.sdp.media[0]!.formats, ["0"]);
});

test("telephone-event keeps the offerer's payload type number: 101 stays 101, 96 stays 96", () => {
  for (const pt of [101, 96]) {
    const r = buildAnswer(offer(`m=audio 4000 RTP/AVP 0 ${pt}`, `a=rtpmap:${pt} telephone-event/8000`), LOCAL);
    assert.ok(r.ok);
    assert.equal(r.telephoneEventPt, pt);
    assert.deepStrictEqual(r.sdp.media[0]!.formats, ["0", String(pt)]);
    assert.deepStrictEqual(r.sdp.media[0]!.attributes.slice(1, 3), [
      { name: "rtpmap", value: `${pt} telephone-event/8000` },
      { name: "fmtp", value: `${pt} 0-16` },
    ]);
  }
});

test("only a 48000 Hz telephone-event: described, but not answered (it cannot pair with G.711)", () => {
  const sdp = offer("m=audio 4000 RTP/AVP 8 110", "a=rtpmap:110 telephone-event/48000");
  assert.deepStrictEqual(describeAudio(sdp)?.telephoneEvent, { pt: 110, clockRate: 48000 });
  const r = buildAnswer(sdp, LOCAL);
  assert.ok(r.ok);
  assert.equal(r.telephoneEventPt, null);
  assert.deepStrictEqual(r.sdp.media[0]!.formats, ["8"]);
});

test("m= count and order are preserved: video, a second audio and a data channel are rejected with port 0", () => {
  const r = buildAnswer(
    offer("m=video 5000 RTP/AVP 96", "a=rtpmap:96 VP8/90000", ...G711_TE101, "m=audio 4002 RTP/AVP 0", "m=application 5002/2 UDP/DTLS/SCTP webrtc-datachannel"),
    LOCAL,
  );
  assert.ok(r.ok);
  assert.equal(r.remote.index, 1);
  assert.deepStrictEqual(
    r.sdp.media.map((m) => [m.media, m.port, m.portCount, m.proto, m.formats.join(" "), m.attributes.length]),
    [
      ["video", 0, null, "RTP/AVP", "96", 0],
      ["audio", 30000, null, "RTP/AVP", "8 101", 5],
      ["audio", 0, null, "RTP/AVP", "0", 0],
      ["application", 0, null, "UDP/DTLS/SCTP", "webrtc-datachannel", 0],
    ],
  );
});

test("the accepted stream is the first audio line hotline can use: skips rejected, SRTP and codec-less ones", () => {
  const r = buildAnswer(
    offer("m=audio 0 RTP/AVP 8", "m=audio 4000 RTP/SAVP 8", "m=audio 4002 RTP/AVP 96", "a=rtpmap:96 opus/48000/2", "m=audio 4004 RTP/AVPF 0"),
    LOCAL,
  );
  assert.ok(r.ok);
  assert.equal(r.remote.index, 3);
  assert.deepStrictEqual(
    r.sdp.media.map((m) => `${m.port} ${m.proto} ${m.formats.join(" ")}`),
    ["0 RTP/AVP 8", "0 RTP/SAVP 8", "0 RTP/AVP 96", "30000 RTP/AVPF 0"],
  );
});

test("488 reasons: no usable audio at all vs. audio without a common codec", () => {
  const no488 = { ok: false, status: 488 } as const;
  assert.deepStrictEqual(buildAnswer(offer("m=video 5000 RTP/AVP 96"), LOCAL), { ...no488, reason: "no-audio" });
  assert.deepStrictEqual(buildAnswer(offer("m=audio 0 RTP/AVP 0"), LOCAL), { ...no488, reason: "no-audio" });
  assert.deepStrictEqual(buildAnswer(offer(), LOCAL), { ...no488, reason: "no-audio" });
  assert.deepStrictEqual(buildAnswer(offer("m=audio 4000 RTP/AVP 18 9"), LOCAL), { ...no488, reason: "no-common-codec" });
  assert.deepStrictEqual(buildAnswer(offer("m=audio 4000 RTP/AVP 0"), { ...LOCAL, supported: ["PCMA"] }), { ...no488, reason: "no-common-codec" });
  // G.711 at a clock rate other than 8000 is not G.711 hotline can run.
  assert.deepStrictEqual(buildAnswer(offer("m=audio 4000 RTP/AVP 97", "a=rtpmap:97 PCMA/16000"), LOCAL), { ...no488, reason: "no-common-codec" });
});

test("dynamic payload type for G.711 and lower-case encoding names are recognised", () => {
  const r = buildAnswer(offer("m=audio 4000 RTP/AVP 97", "a=rtpmap:97 pcma/8000"), LOCAL);
  assert.ok(r.ok);
  assert.deepStrictEqual(r.codec, { pt: 97, name: "PCMA" });
  assert.deepStrictEqual(r.sdp.media[0]!.attributes[0], { name: "rtpmap", value: "97 PCMA/8000" });
});

test("connectionAddress strips a multicast /ttl; rtcpPort reads a=rtcp and falls back to port + 1", () => {
  const sdp = offer("m=audio 4000 RTP/AVP 0", "c=IN IP4 233.252.0.1/127", "a=rtcp:53020 IN IP4 198.51.100.9", "m=audio 4002 RTP/AVP 0", "a=rtcp:nonsense", "m=audio 0 RTP/AVP 0");
  assert.equal(connectionAddress(sdp, sdp.media[0]!), "233.252.0.1");
  assert.equal(connectionAddress(sdp, sdp.media[1]!), "198.51.100.5");
  assert.deepStrictEqual(sdp.media.map(rtcpPort), [53020, 4003, 0]);
});

const HOTLINE_OFFER = buildOffer(OFFER_OPTS);

/** A peer's answer to HOTLINE_OFFER. */
function answer(...mediaLines: string[]): SessionDescription {
  return parsed(crlf("v=0", "o=peer 5 5 IN IP4 198.51.100.20", "s=-", "c=IN IP4 198.51.100.20", "t=0 0", ...mediaLines));
}

test("negotiateAnswer: codec, telephone-event PT, address, ports and direction from the answer", () => {
  const r = negotiateAnswer(HOTLINE_OFFER, answer("m=audio 20000 RTP/AVP 8 101", "a=rtpmap:101 telephone-event/8000", "a=rtcp:20005", "a=recvonly"));
  assert.ok(r.ok);
  const { remote, ...rest } = r;
  assert.deepStrictEqual(rest, { ok: true, codec: { pt: 8, name: "PCMA" }, telephoneEventPt: 101, address: "198.51.100.20", port: 20000, rtcpPort: 20005, direction: "recvonly" });
  assert.equal(remote.index, 0);
});

test("negotiateAnswer: the answerer's own telephone-event PT is the one to send with", () => {
  const r = negotiateAnswer(HOTLINE_OFFER, answer("m=audio 20000 RTP/AVP 0 96", "a=rtpmap:96 telephone-event/8000"));
  assert.ok(r.ok);
  assert.deepStrictEqual([r.codec, r.telephoneEventPt], [{ pt: 0, name: "PCMU" }, 96]);
  // No telephone-event in the offer: one in the answer is ignored.
  const plain = buildOffer({ ...OFFER_OPTS, telephoneEventPt: null });
  const r2 = negotiateAnswer(plain, answer("m=audio 20000 RTP/AVP 8 101", "a=rtpmap:101 telephone-event/8000"));
  assert.ok(r2.ok);
  assert.equal(r2.telephoneEventPt, null);
});

test("negotiateAnswer: unusable answers say why", () => {
  const pcmaOnly = buildOffer({ ...OFFER_OPTS, codecs: ["PCMA"] });
  const cases: [SessionDescription, SessionDescription, string, string][] = [
    [HOTLINE_OFFER, answer("m=audio 0 RTP/AVP 8"), "rejected", "answer rejected the audio stream (m= line 0, port 0)"],
    [pcmaOnly, answer("m=audio 20000 RTP/AVP 0"), "codec-not-offered", "answer codec PCMU was not offered"],
    [HOTLINE_OFFER, answer("m=audio 20000 RTP/AVP 18"), "no-common-codec", "answer lists no G.711 codec"],
    [HOTLINE_OFFER, answer("m=audio 20000 RTP/AVP 8", "m=video 0 RTP/AVP 96"), "m-line-count", "answer has 2 m= lines, offer had 1"],
    [HOTLINE_OFFER, answer("m=video 20000 RTP/AVP 96"), "no-audio", "answer m= line 0 is video, offer was audio"],
    [HOTLINE_OFFER, parsed(crlf("v=0", "o=peer 5 5 IN IP4 198.51.100.20", "s=-", "t=0 0", "m=audio 20000 RTP/AVP 8")), "no-connection", "answer has no c= line for m= line 0"],
  ];
  for (const [o, a, reason, error] of cases) assert.deepStrictEqual(negotiateAnswer(o, a), { ok: false, reason, error }, reason);
});

test("negotiateAnswer: an answer holding with c=0.0.0.0 reads as sendonly", () => {
  const r = negotiateAnswer(HOTLINE_OFFER, parsed(crlf("v=0", "o=peer 5 6 IN IP4 198.51.100.20", "s=-", "c=IN IP4 0.0.0.0", "t=0 0", "m=audio 20000 RTP/AVP 8")));
  assert.ok(r.ok);
  assert.deepStrictEqual([r.address, r.direction, r.remote.hold], ["0.0.0.0", "sendonly", true]);
});

test("SdpOriginState: version 1 first, +1 only when the description changed (RFC 3264 §8)", () => {
  const s = new SdpOriginState("hotline", "9001", "192.0.2.1");
  assert.equal(s.version, 0);
  assert.deepStrictEqual(s.next(true), { username: "hotline", sessionId: "9001", sessionVersion: "1", netType: "IN", addrType: "IP4", address: "192.0.2.1" });
  assert.deepStrictEqual(
    [s.next(false), s.next(true), s.next(false), s.next(true)].map((o) => o.sessionVersion),
    ["1", "2", "2", "3"],
  );
  // The origin goes straight into buildOffer.
  assert.equal(buildOffer({ ...OFFER_OPTS, origin: s.next(false) }).origin.sessionVersion, "3");
});

test("SdpOriginState.stamp decides 'changed' by comparing everything but o=", () => {
  const s = new SdpOriginState("hotline", "9001", "2001:db8::1");
  const active = buildOffer(OFFER_OPTS);
  const held = buildOffer({ ...OFFER_OPTS, direction: "sendonly" });
  assert.deepStrictEqual(
    [active, active, held, held, active].map((d) => s.stamp(d).origin.sessionVersion),
    ["1", "1", "2", "2", "3"],
  );
  assert.equal(s.stamp(active).origin.addrType, "IP6");
});
