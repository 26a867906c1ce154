// Offers modelled on what real peers send, written out in §5 line order as they send them.
// Addresses are from the documentation ranges (RFC 5737) and loopback.
import { test } from "node:test";
import assert from "node:assert/strict";
import { buildAnswer, describeAudio, parseSdp, rtpMaps, serializeSdp, type AnswerOptions, type SessionDescription } from "./index.js";

const crlf = (...lines: string[]): string => lines.join("\r\n") + "\r\n";

/** baresip 1.0.0 (opus, G.722, G.711, RFC 4733), session-level c= and a=tool. */
const BARESIP = crlf(
  "v=0",
  "o=- 1417436574 2873465123 IN IP4 192.0.2.21",
  "s=-",
  "c=IN IP4 192.0.2.21",
  "t=0 0",
  "a=tool:baresip 1.0.0",
  "m=audio 10918 RTP/AVP 96 9 0 8 101",
  "b=AS:106",
  "a=rtpmap:96 opus/48000/2",
  "a=fmtp:96 stereo=1;sprop-stereo=1",
  "a=rtpmap:9 G722/8000",
  "a=rtpmap:0 PCMU/8000",
  "a=rtpmap:8 PCMA/8000",
  "a=rtpmap:101 telephone-event/8000",
  "a=fmtp:101 0-15",
  "a=sendrecv",
  "a=label:1",
  "a=ssrc:2935484516 cname:ccb5b3a6-8c7f-4a1c-9c9b-2a1d4b3c5e6f",
  "a=rtcp-rsize",
  "a=ptime:20",
);

/** SIPp's built-in UAC scenario (`-sn uac`) with [media_ip]=127.0.0.1, [media_port]=6000. */
const SIPP_UAC = crlf(
  "v=0",
  "o=user1 53655765 2353687637 IN IP4 127.0.0.1",
  "s=-",
  "c=IN IP4 127.0.0.1",
  "t=0 0",
  "m=audio 6000 RTP/AVP 0",
  "a=rtpmap:0 PCMU/8000",
);

/** Linphone: static PTs without rtpmap, three telephone-event rates, a=rtcp, and video. */
const LINPHONE = crlf(
  "v=0",
  "o=alice 1914 3826 IN IP4 198.51.100.7",
  "s=Talk",
  "c=IN IP4 198.51.100.7",
  "t=0 0",
  "a=rtcp-xr:rcvr-rtt=all:10000 stat-summary=loss,dup,jitt,TTL voip-metrics",
  "a=record:off",
  "m=audio 7078 RTP/AVP 96 97 98 0 8 18 101 99 100",
  "a=rtpmap:96 opus/48000/2",
  "a=fmtp:96 useinbandfec=1",
  "a=rtpmap:97 speex/16000",
  "a=fmtp:97 vbr=on",
  "a=rtpmap:98 speex/8000",
  "a=fmtp:98 vbr=on",
  "a=fmtp:18 annexb=yes",
  "a=rtpmap:101 telephone-event/48000",
  "a=rtpmap:99 telephone-event/16000",
  "a=rtpmap:100 telephone-event/8000",
  "a=rtcp:7079",
  "a=rtcp-fb:* trr-int 1000",
  "a=rtcp-fb:* ccm tmmbr",
  "m=video 9078 RTP/AVP 96 97",
  "a=rtpmap:96 VP8/90000",
  "a=rtpmap:97 H264/90000",
  "a=fmtp:97 profile-level-id=42801F",
  "a=rtcp:9079",
  "a=rtcp-fb:* trr-int 1000",
  "a=rtcp-fb:96 nack pli",
  "a=rtcp-fb:97 nack pli",
);

/** Chrome (WebRTC): DTLS-SRTP, ICE with the 0.0.0.0/port 9 placeholder, telephone-event at 48000 and 8000. */
const CHROME = crlf(
  "v=0",
  "o=- 4611731400430051336 2 IN IP4 127.0.0.1",
  "s=-",
  "t=0 0",
  "a=group:BUNDLE 0",
  "a=extmap-allow-mixed",
  "a=msid-semantic: WMS 5d6d0a8e-1f0b-4c0e-9a57-3c8f0b1d2e3f",
  "m=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126",
  "c=IN IP4 0.0.0.0",
  "a=rtcp:9 IN IP4 0.0.0.0",
  "a=ice-ufrag:Xk3f",
  "a=ice-pwd:q8Yq0n4bZ2m6kVw1cR5tLs7d",
  "a=ice-options:trickle",
  "a=fingerprint:sha-256 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB:4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF",
  "a=setup:actpass",
  "a=mid:0",
  "a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level",
  "a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time",
  "a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01",
  "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid",
  "a=sendrecv",
  "a=msid:5d6d0a8e-1f0b-4c0e-9a57-3c8f0b1d2e3f 0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
  "a=rtcp-mux",
  "a=rtcp-rsize",
  "a=rtpmap:111 opus/48000/2",
  "a=rtcp-fb:111 transport-cc",
  "a=fmtp:111 minptime=10;useinbandfec=1",
  "a=rtpmap:63 red/48000/2",
  "a=fmtp:63 111/111",
  "a=rtpmap:9 G722/8000",
  "a=rtpmap:0 PCMU/8000",
  "a=rtpmap:8 PCMA/8000",
  "a=rtpmap:13 CN/8000",
  "a=rtpmap:110 telephone-event/48000",
  "a=rtpmap:126 telephone-event/8000",
  "a=ssrc:3735928559 cname:fVZbqA3oL2xK9mNc",
  "a=ssrc:3735928559 msid:5d6d0a8e-1f0b-4c0e-9a57-3c8f0b1d2e3f 0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
);

/** Cisco desk phone: media-level c= only, b=TIAS, PCMA first, G.729 annex B off. */
const CISCO = crlf(
  "v=0",
  "o=Cisco-SIPUA 18780 0 IN IP4 203.0.113.50",
  "s=SIP Call",
  "b=AS:4064",
  "t=0 0",
  "m=audio 28362 RTP/AVP 8 0 18 101",
  "c=IN IP4 203.0.113.50",
  "b=TIAS:64000",
  "b=AS:64",
  "a=rtpmap:8 PCMA/8000",
  "a=rtpmap:0 PCMU/8000",
  "a=rtpmap:18 G729/8000",
  "a=fmtp:18 annexb=no",
  "a=rtpmap:101 telephone-event/8000",
  "a=fmtp:101 0-15",
  "a=sendrecv",
);

/** The same Cisco phone holding the RFC 2543 way: c=0.0.0.0, a=sendrecv unchanged, version + 1. */
const CISCO_HOLD = CISCO.replace("o=Cisco-SIPUA 18780 0", "o=Cisco-SIPUA 18780 1").replace("c=IN IP4 203.0.113.50", "c=IN IP4 0.0.0.0");

/** Yealink desk phone: fmtp before rtpmap for 101, a=ptime, a=sendrecv. */
const YEALINK = crlf(
  "v=0",
  "o=- 20038 20038 IN IP4 192.0.2.60",
  "s=SDP data",
  "c=IN IP4 192.0.2.60",
  "t=0 0",
  "m=audio 11800 RTP/AVP 8 0 18 9 101",
  "a=rtpmap:8 PCMA/8000",
  "a=rtpmap:0 PCMU/8000",
  "a=rtpmap:18 G729/8000",
  "a=fmtp:18 annexb=no",
  "a=rtpmap:9 G722/8000",
  "a=fmtp:101 0-15",
  "a=rtpmap:101 telephone-event/8000",
  "a=ptime:20",
  "a=sendrecv",
);

/** The Yealink putting the call on hold in a re-INVITE: a=sendonly, version + 1. */
const YEALINK_HOLD = YEALINK.replace("o=- 20038 20038", "o=- 20038 20039").replace("a=sendrecv", "a=sendonly");

const FIXTURES = { BARESIP, SIPP_UAC, LINPHONE, CHROME, CISCO, CISCO_HOLD, YEALINK, YEALINK_HOLD };

function parsed(text: string): SessionDescription {
  const r = parseSdp(text);
  if (!r.ok) assert.fail(r.error);
  return r.sdp;
}

const LOCAL: AnswerOptions = {
  origin: { username: "hotline", sessionId: "7001", sessionVersion: 1, address: "192.0.2.1" },
  address: "192.0.2.1",
  port: 30000,
  supported: ["PCMA", "PCMU"],
};

test("every fixture parses and serializes back byte for byte", () => {
  for (const [name, text] of Object.entries(FIXTURES)) {
    const sdp = parsed(text);
    assert.equal(serializeSdp(sdp), text, name);
    // LF-only transmissions parse to the same model.
    assert.deepStrictEqual(parsed(text.replaceAll("\r\n", "\n")), sdp, `${name} (LF)`);
  }
});

test("SIPp uac: the whole model", () => {
  assert.deepStrictEqual(parsed(SIPP_UAC), {
    version: 0,
    origin: { username: "user1", sessionId: "53655765", sessionVersion: "2353687637", netType: "IN", addrType: "IP4", address: "127.0.0.1" },
    sessionName: "-",
    info: null,
    uri: null,
    emails: [],
    phones: [],
    connection: { netType: "IN", addrType: "IP4", address: "127.0.0.1" },
    bandwidths: [],
    times: ["t=0 0"],
    attributes: [],
    media: [{ media: "audio", port: 6000, portCount: null, proto: "RTP/AVP", formats: ["0"], title: null, connection: null, bandwidths: [], attributes: [{ name: "rtpmap", value: "0 PCMU/8000" }] }],
  });
});

test("Chrome: 64-bit session id kept as text; attributes with spaces and colons kept verbatim", () => {
  const sdp = parsed(CHROME);
  assert.equal(sdp.origin.sessionId, "4611731400430051336");
  assert.equal(sdp.connection, null);
  assert.deepStrictEqual(sdp.attributes, [
    { name: "group", value: "BUNDLE 0" },
    { name: "extmap-allow-mixed", value: null },
    { name: "msid-semantic", value: " WMS 5d6d0a8e-1f0b-4c0e-9a57-3c8f0b1d2e3f" },
  ]);
  const attrs = sdp.media[0]!.attributes;
  assert.equal(attrs.length, 28);
  assert.deepStrictEqual(attrs[4], { name: "fingerprint", value: "sha-256 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB:4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF" });
  assert.deepStrictEqual(attrs[27], { name: "ssrc", value: "3735928559 msid:5d6d0a8e-1f0b-4c0e-9a57-3c8f0b1d2e3f 0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d" });
});

test("describeAudio on each fixture", () => {
  const pcmu = { pt: 0, name: "PCMU", clockRate: 8000 } as const;
  const pcma = { pt: 8, name: "PCMA", clockRate: 8000 } as const;
  const expected = {
    BARESIP: { index: 0, address: "192.0.2.21", port: 10918, rtcpPort: 10919, codecs: [pcmu, pcma], telephoneEvent: { pt: 101, clockRate: 8000 }, direction: "sendrecv", ptime: 20, hold: false },
    SIPP_UAC: { index: 0, address: "127.0.0.1", port: 6000, rtcpPort: 6001, codecs: [pcmu], telephoneEvent: null, direction: "sendrecv", ptime: null, hold: false },
    // Static 0 and 8 with no rtpmap (RFC 3551); the 8000 Hz telephone-event although listed last.
    LINPHONE: { index: 0, address: "198.51.100.7", port: 7078, rtcpPort: 7079, codecs: [pcmu, pcma], telephoneEvent: { pt: 100, clockRate: 8000 }, direction: "sendrecv", ptime: null, hold: false },
    // 0.0.0.0 with ICE is Trickle ICE's placeholder, not hold; a=rtcp:9 wins over port + 1.
    CHROME: { index: 0, address: "0.0.0.0", port: 9, rtcpPort: 9, codecs: [pcmu, pcma], telephoneEvent: { pt: 126, clockRate: 8000 }, direction: "sendrecv", ptime: null, hold: false },
    CISCO: { index: 0, address: "203.0.113.50", port: 28362, rtcpPort: 28363, codecs: [pcma, pcmu], telephoneEvent: { pt: 101, clockRate: 8000 }, direction: "sendrecv", ptime: null, hold: false },
    // RFC 3264 §8.4: c=0.0.0.0 means "send me nothing": sendrecv becomes sendonly, a hold.
    CISCO_HOLD: { index: 0, address: "0.0.0.0", port: 28362, rtcpPort: 28363, codecs: [pcma, pcmu], telephoneEvent: { pt: 101, clockRate: 8000 }, direction: "sendonly", ptime: null, hold: true },
    YEALINK: { index: 0, address: "192.0.2.60", port: 11800, rtcpPort: 11801, codecs: [pcma, pcmu], telephoneEvent: { pt: 101, clockRate: 8000 }, direction: "sendrecv", ptime: 20, hold: false },
    YEALINK_HOLD: { index: 0, address: "192.0.2.60", port: 11800, rtcpPort: 11801, codecs: [pcma, pcmu], telephoneEvent: { pt: 101, clockRate: 8000 }, direction: "sendonly", ptime: 20, hold: true },
  };
  for (const [name, text] of Object.entries(FIXTURES)) {
    assert.deepStrictEqual(describeAudio(parsed(text)), expected[name as keyof typeof expected], name);
  }
});

test("rtpMaps: Linphone's static payload types are implied, in m= order", () => {
  const m = parsed(LINPHONE).media[0]!;
  assert.deepStrictEqual(
    rtpMaps(m).map((r) => `${r.pt} ${r.encodingName}/${r.clockRate}${r.channels === null ? "" : `/${r.channels}`}`),
    ["96 opus/48000/2", "97 speex/16000", "98 speex/8000", "0 PCMU/8000", "8 PCMA/8000", "18 G729/8000", "101 telephone-event/48000", "99 telephone-event/16000", "100 telephone-event/8000"],
  );
});

test("answers: the offer's codec order wins, the offer's telephone-event PT is kept, m= count preserved", () => {
  const cases: [keyof typeof FIXTURES, string, number | null, string[]][] = [
    ["BARESIP", "PCMU", 101, ["audio 30000 RTP/AVP 0 101"]],
    ["LINPHONE", "PCMU", 100, ["audio 30000 RTP/AVP 0 100", "video 0 RTP/AVP 96 97"]],
    ["CISCO", "PCMA", 101, ["audio 30000 RTP/AVP 8 101"]],
    ["YEALINK", "PCMA", 101, ["audio 30000 RTP/AVP 8 101"]],
  ];
  for (const [name, codec, te, mlines] of cases) {
    const r = buildAnswer(parsed(FIXTURES[name]), LOCAL);
    assert.ok(r.ok, name);
    assert.equal(r.codec.name, codec, name);
    assert.equal(r.telephoneEventPt, te, name);
    assert.deepStrictEqual(
      r.sdp.media.map((m) => `${m.media} ${m.port} ${m.proto} ${m.formats.join(" ")}`),
      mlines,
      name,
    );
  }
});

test("answer to Linphone, written out in full", () => {
  const r = buildAnswer(parsed(LINPHONE), LOCAL);
  assert.ok(r.ok);
  assert.equal(
    serializeSdp(r.sdp),
    crlf(
      "v=0",
      "o=hotline 7001 1 IN IP4 192.0.2.1",
      "s=-",
      "c=IN IP4 192.0.2.1",
      "t=0 0",
      "m=audio 30000 RTP/AVP 0 100",
      "a=rtpmap:0 PCMU/8000",
      "a=rtpmap:100 telephone-event/8000",
      "a=fmtp:100 0-16",
      "a=ptime:20",
      "a=sendrecv",
      "m=video 0 RTP/AVP 96 97",
    ),
  );
});

test("answers to holds: Cisco's c=0.0.0.0 and Yealink's a=sendonly both get recvonly", () => {
  for (const text of [CISCO_HOLD, YEALINK_HOLD]) {
    const r = buildAnswer(parsed(text), LOCAL);
    assert.ok(r.ok);
    assert.equal(r.remote.hold, true);
    assert.deepStrictEqual(r.sdp.media[0]!.attributes.at(-1), { name: "recvonly", value: null });
  }
});

test("SIPp's PCMU-only offer to a PCMA-only hotline: 488 no-common-codec", () => {
  assert.deepStrictEqual(buildAnswer(parsed(SIPP_UAC), { ...LOCAL, supported: ["PCMA"] }), { ok: false, reason: "no-common-codec", status: 488 });
});

test("Chrome's DTLS-SRTP audio is not answerable by plain RTP: 488 no-audio", () => {
  assert.deepStrictEqual(buildAnswer(parsed(CHROME), LOCAL), { ok: false, reason: "no-audio", status: 488 });
});
