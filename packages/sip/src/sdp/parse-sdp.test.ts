import { test } from "node:test";
import assert from "node:assert/strict";
import { seededRandom } from "../testing/seeded-random.js";
import { parseSdp, serializeSdp, type SessionDescription } from "./index.js";

const crlf = (...lines: string[]): string => lines.join("\r\n") + "\r\n";
const HEAD = ["v=0", "o=- 1 1 IN IP4 192.0.2.1", "s=-"];

function parsed(text: string): SessionDescription {
  const r = parseSdp(text);
  if (!r.ok) assert.fail(r.error);
  return r.sdp;
}

function errorOf(text: string): string {
  const r = parseSdp(text);
  assert.equal(r.ok, false, "expected a parse error");
  return r.ok ? "" : r.error;
}

test("parses a minimal description into the exact model", () => {
  assert.deepStrictEqual(parsed(crlf(...HEAD, "c=IN IP4 192.0.2.1", "t=0 0", "m=audio 4000 RTP/AVP 0", "a=sendrecv")), {
    version: 0,
    origin: { username: "-", sessionId: "1", sessionVersion: "1", netType: "IN", addrType: "IP4", address: "192.0.2.1" },
    sessionName: "-",
    info: null,
    uri: null,
    emails: [],
    phones: [],
    connection: { netType: "IN", addrType: "IP4", address: "192.0.2.1" },
    bandwidths: [],
    times: ["t=0 0"],
    attributes: [],
    media: [
      {
        media: "audio",
        port: 4000,
        portCount: null,
        proto: "RTP/AVP",
        formats: ["0"],
        title: null,
        connection: null,
        bandwidths: [],
        attributes: [{ name: "sendrecv", value: null }],
      },
    ],
  });
});

test("errors name the line and the problem, exactly", () => {
  const cases: [string, string, string][] = [
    ["empty input", "", "line 1: empty session description"],
    ["only blank lines", "\r\n\r\n  \r\n", "line 1: empty session description"],
    ["missing v=", crlf("o=- 1 1 IN IP4 192.0.2.1", "s=-", "t=0 0"), "line 1: missing v= line"],
    ["missing v= after a blank line", "\r\no=- 1 1 IN IP4 192.0.2.1\r\n", "line 2: missing v= line"],
    ["version 1", crlf("v=1", "o=- 1 1 IN IP4 192.0.2.1", "s=-"), 'line 1: unsupported version "1"'],
    ["only v=", crlf("v=0"), "line 2: missing o= line"],
    ["o= too short", crlf("v=0", "o=- 1 IN IP4 192.0.2.1", "s=-"), "line 2: bad o= line"],
    ["s= missing", crlf("v=0", "o=- 1 1 IN IP4 192.0.2.1", "c=IN IP4 192.0.2.1"), "line 3: missing s= line"],
    ["s= never comes", crlf("v=0", "o=- 1 1 IN IP4 192.0.2.1"), "line 3: missing s= line"],
    ["bad m= line (no format)", crlf(...HEAD, "t=0 0", "m=audio 49170 RTP/AVP"), "line 5: bad m= line"],
    ["non-numeric port", crlf(...HEAD, "t=0 0", "m=audio abc RTP/AVP 0"), 'line 5: bad m= port "abc"'],
    ["port past 65535", crlf(...HEAD, "t=0 0", "m=audio 70000 RTP/AVP 0"), 'line 5: bad m= port "70000"'],
    ["port count 0", crlf(...HEAD, "t=0 0", "m=audio 49170/0 RTP/AVP 0"), 'line 5: bad m= port "49170/0"'],
    ["negative port", crlf(...HEAD, "t=0 0", "m=audio -1 RTP/AVP 0"), 'line 5: bad m= port "-1"'],
    ["c= too short", crlf(...HEAD, "c=IN IP4", "t=0 0"), "line 4: bad c= line"],
    ["not type=value", crlf(...HEAD, "t=0 0", "garbage"), "line 5: expected <type>=<value>"],
    ["space before =", crlf(...HEAD, "t =0 0"), "line 4: expected <type>=<value>"],
    ["indented line", crlf(...HEAD, " t=0 0"), "line 4: expected <type>=<value>"],
    ["empty a=", crlf(...HEAD, "t=0 0", "a="), "line 5: bad a= line"],
    ["a= with empty name", crlf(...HEAD, "t=0 0", "a=:x"), "line 5: bad a= line"],
    ["two session c=", crlf(...HEAD, "c=IN IP4 192.0.2.1", "c=IN IP4 192.0.2.2", "t=0 0"), "line 5: duplicate c= line"],
    ["two media c=", crlf(...HEAD, "t=0 0", "m=audio 1 RTP/AVP 0", "c=IN IP4 192.0.2.1", "c=IN IP4 192.0.2.2"), "line 7: duplicate c= line"],
    ["second s=", crlf(...HEAD, "s=again"), "line 4: duplicate s= line"],
    ["t= inside media", crlf(...HEAD, "t=0 0", "m=audio 1 RTP/AVP 0", "t=0 0"), "line 6: t= line not allowed in a media description"],
    ["o= inside media", crlf(...HEAD, "t=0 0", "m=audio 1 RTP/AVP 0", "o=- 1 1 IN IP4 192.0.2.1"), "line 6: o= line not allowed in a media description"],
    ["two session i=", crlf(...HEAD, "i=a", "i=b"), "line 5: duplicate i= line"],
    ["two u=", crlf(...HEAD, "u=http://a", "u=http://b"), "line 5: duplicate u= line"],
  ];
  for (const [what, text, error] of cases) assert.equal(errorOf(text), error, what);
});

test("LF-only input gives the same model and the same line numbers as CRLF", () => {
  const lines = [...HEAD, "c=IN IP4 192.0.2.1", "t=0 0", "m=audio 4000 RTP/AVP 8 0", "a=rtpmap:8 PCMA/8000"];
  assert.deepStrictEqual(parsed(lines.join("\n")), parsed(lines.join("\r\n")));
  assert.equal(errorOf([...HEAD, "t=0 0", "m=audio x RTP/AVP 0"].join("\n")), 'line 5: bad m= port "x"');
});

test("the parser never throws on non-string input", () => {
  assert.deepStrictEqual(parseSdp(undefined as unknown as string), { ok: false, error: "line 1: session description is not text" });
});

test("unknown attributes, k= and unknown type letters are kept, in order", () => {
  const text = crlf(...HEAD, "t=0 0", "k=clear:secret", "y=vendor thing", "a=X-nat:0", "m=audio 4000 RTP/AVP 0", "k=prompt", "a=zzz", "a=X-cisco-media:umoh", "q=7");
  const sdp = parsed(text);
  assert.deepStrictEqual(sdp.otherLines, ["k=clear:secret", "y=vendor thing"]);
  assert.deepStrictEqual(sdp.attributes, [{ name: "X-nat", value: "0" }]);
  assert.deepStrictEqual(sdp.media[0]!.otherLines, ["k=prompt", "q=7"]);
  assert.deepStrictEqual(sdp.media[0]!.attributes, [
    { name: "zzz", value: null },
    { name: "X-cisco-media", value: "umoh" },
  ]);
  // The unknown lines come back where RFC 8866 §5 puts k=: just before the a= lines.
  assert.equal(
    serializeSdp(sdp),
    crlf(...HEAD, "t=0 0", "k=clear:secret", "y=vendor thing", "a=X-nat:0", "m=audio 4000 RTP/AVP 0", "k=prompt", "q=7", "a=zzz", "a=X-cisco-media:umoh"),
  );
});

test("attribute values are kept verbatim: colons, leading spaces, empty values", () => {
  const sdp = parsed(crlf(...HEAD, "t=0 0", "a=msid-semantic: WMS", "a=fingerprint:sha-256 AB:CD:EF", "a=empty:", "a=sendrecv "));
  assert.deepStrictEqual(sdp.attributes, [
    { name: "msid-semantic", value: " WMS" },
    { name: "fingerprint", value: "sha-256 AB:CD:EF" },
    { name: "empty", value: "" },
    // A trailing blank would hide the direction; it is trimmed.
    { name: "sendrecv", value: null },
  ]);
});

test("timing lines t=, r= and z= are kept raw, in order", () => {
  const text = crlf(...HEAD, "t=3034423619 3042462419", "r=7d 1h 0 25h", "t=0 0", "z=2882844526 -1h 2898848070 0");
  const sdp = parsed(text);
  assert.deepStrictEqual(sdp.times, ["t=3034423619 3042462419", "r=7d 1h 0 25h", "t=0 0", "z=2882844526 -1h 2898848070 0"]);
  assert.equal(serializeSdp(sdp), text);
});

test("every session-level field and the port count round-trip in RFC 8866 §5 order", () => {
  const text = crlf(
    "v=0",
    "o=jdoe 3724394400 3724394405 IN IP4 198.51.100.1",
    "s=Call to John Smith",
    "i=SDP Offer #1",
    "u=http://www.jdoe.example.com/home.html",
    "e=Jane Doe <jane@jdoe.example.com>",
    "p=+1 617 555-6011",
    "c=IN IP4 198.51.100.1",
    "b=CT:128",
    "t=0 0",
    "a=recvonly",
    "m=audio 49170 RTP/AVP 0",
    "i=voice",
    "c=IN IP4 233.252.0.1/127",
    "b=AS:64",
    "m=video 51372/2 RTP/AVP 99",
    "a=rtpmap:99 h263-1998/90000",
  );
  const sdp = parsed(text);
  assert.equal(sdp.info, "SDP Offer #1");
  assert.equal(sdp.uri, "http://www.jdoe.example.com/home.html");
  assert.deepStrictEqual(sdp.emails, ["Jane Doe <jane@jdoe.example.com>"]);
  assert.deepStrictEqual(sdp.phones, ["+1 617 555-6011"]);
  assert.deepStrictEqual(sdp.bandwidths, ["CT:128"]);
  assert.equal(sdp.media[0]!.title, "voice");
  assert.deepStrictEqual(sdp.media[0]!.connection, { netType: "IN", addrType: "IP4", address: "233.252.0.1/127" });
  assert.deepStrictEqual(sdp.media[0]!.bandwidths, ["AS:64"]);
  assert.equal(sdp.media[1]!.port, 51372);
  assert.equal(sdp.media[1]!.portCount, 2);
  assert.equal(serializeSdp(sdp), text);
});

test("lines out of §5 order, blank lines and extra blanks are tolerated; serialization puts them in order", () => {
  const messy = [
    "v=0",
    "o=-  42   7 IN IP4 192.0.2.9",
    "s= ",
    "a=tool:x",
    "t=0 0",
    "",
    "c=IN IP4 192.0.2.9",
    "m=audio  4000  RTP/AVP  8  101 ",
    "a=rtpmap:8 PCMA/8000",
    "c=IN IP4 192.0.2.10",
    "b=AS:80",
    "",
  ].join("\n");
  const sdp = parsed(messy);
  assert.deepStrictEqual(sdp.origin, { username: "-", sessionId: "42", sessionVersion: "7", netType: "IN", addrType: "IP4", address: "192.0.2.9" });
  assert.equal(sdp.sessionName, " ");
  assert.deepStrictEqual(sdp.media[0]!.formats, ["8", "101"]);
  const out = serializeSdp(sdp);
  assert.equal(out, crlf("v=0", "o=- 42 7 IN IP4 192.0.2.9", "s= ", "c=IN IP4 192.0.2.9", "t=0 0", "a=tool:x", "m=audio 4000 RTP/AVP 8 101", "c=IN IP4 192.0.2.10", "b=AS:80", "a=rtpmap:8 PCMA/8000"));
  assert.deepStrictEqual(parsed(out), sdp);
});

test("a description without media or t= still parses (tolerant), and serializes as it was", () => {
  const text = crlf(...HEAD);
  const sdp = parsed(text);
  assert.deepStrictEqual([sdp.times, sdp.media], [[], []]);
  assert.equal(serializeSdp(sdp), text);
});

test("fuzz: mutated and random input never throws; whatever parses round-trips", () => {
  const seeds = [
    crlf(...HEAD, "c=IN IP4 192.0.2.1", "t=0 0", "a=group:BUNDLE 0", "m=audio 4000/2 RTP/AVP 8 0 101", "b=AS:64", "a=rtpmap:101 telephone-event/8000", "a=fmtp:101 0-16", "a=sendonly"),
    crlf(...HEAD, "t=0 0", "m=audio 5000 RTP/AVP 0", "c=IN IP6 2001:db8::1", "m=video 0 RTP/AVP 31", "k=x", "y=z"),
  ];
  const rnd = seededRandom(8866);
  const alphabet = "v=o-s tcmabikyr:/\r\n0123456789 IP4RTP/AVP";
  let parsedCount = 0;
  for (let n = 0; n < 5000; n++) {
    let text: string;
    if (n % 10 === 0) {
      text = "";
      const len = Math.floor(rnd() * 200);
      for (let i = 0; i < len; i++) text += alphabet[Math.floor(rnd() * alphabet.length)];
    } else {
      const chars = [...seeds[n % seeds.length]!.slice(0, Math.floor(rnd() * 400))];
      const flips = 1 + Math.floor(rnd() * 4);
      for (let k = 0; k < flips && chars.length > 0; k++) chars[Math.floor(rnd() * chars.length)] = alphabet[Math.floor(rnd() * alphabet.length)]!;
      text = chars.join("");
    }
    const r = parseSdp(text);
    if (!r.ok) {
      assert.match(r.error, /^line \d+: /, text);
      continue;
    }
    parsedCount++;
    const again = parseSdp(serializeSdp(r.sdp));
    assert.ok(again.ok, text);
    assert.deepStrictEqual(again.sdp, r.sdp, text);
  }
  // The mutations must exercise both outcomes, or the test proves nothing.
  assert.ok(parsedCount > 500 && parsedCount < 4500, `parsed ${parsedCount} of 5000`);
});
