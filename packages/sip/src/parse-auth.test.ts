import { test } from "node:test";
import assert from "node:assert/strict";
import { parseAuth, serializeChallenge, serializeCredentials, type AuthValue } from "./parse-auth.js";
import { seededRandom } from "./testing/seeded-random.js";

function ok(input: string): AuthValue {
  const r = parseAuth(input);
  if (!r.ok) assert.fail(`expected ${JSON.stringify(input)} to parse: ${r.error}`);
  return r.value;
}

function err(input: string): string {
  const r = parseAuth(input);
  if (r.ok) assert.fail(`expected ${JSON.stringify(input)} to fail, got ${JSON.stringify([...r.value.params])}`);
  return r.error;
}

test("parses RFC 3261 §22.4-style credentials", () => {
  const v = ok(
    'Digest username="bob", realm="biloxi.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", uri="sip:bob@biloxi.com", ' +
      'qop=auth, nc=00000001, cnonce="0a4f113b", response="6629fae49393a05397450978507c4ef1", opaque="5ccc069c403ebaf9f0171e9517f40e41", algorithm=SHA-256',
  );
  assert.equal(v.scheme, "Digest");
  assert.deepEqual([...v.params.keys()], ["username", "realm", "nonce", "uri", "qop", "nc", "cnonce", "response", "opaque", "algorithm"]);
  assert.equal(v.params.get("uri"), "sip:bob@biloxi.com");
  assert.equal(v.params.get("nc"), "00000001");
  assert.equal(v.params.get("algorithm"), "SHA-256");
});

test("scheme and parameter names are case-insensitive; values keep their case", () => {
  const v = ok('dIgEsT Realm="Atlanta.com", NONCE="AbC", Algorithm=md5');
  assert.equal(v.scheme, "Digest");
  assert.deepEqual([...v.params], [["realm", "Atlanta.com"], ["nonce", "AbC"], ["algorithm", "md5"]]);
});

test("other schemes are kept as written", () => {
  assert.equal(ok('Bearer realm="x"').scheme, "Bearer");
});

test("quoted strings: escapes, commas, '=' and UTF-8 inside, empty value", () => {
  const v = ok('Digest username="a\\"b\\\\c", realm="x, y=z", opaque="", domain="sip:ü.example"');
  assert.equal(v.params.get("username"), 'a"b\\c');
  assert.equal(v.params.get("realm"), "x, y=z");
  assert.equal(v.params.get("opaque"), "");
  assert.equal(v.params.get("domain"), "sip:ü.example");
});

test("LWS wherever the ABNF allows it, including folds", () => {
  const v = ok('  Digest\t realm = "x" ,nonce="n"\r\n , qop =\r\n\t"auth"  ');
  assert.deepEqual([...v.params], [["realm", "x"], ["nonce", "n"], ["qop", "auth"]]);
  // A fold inside a quoted string keeps the whitespace after the CRLF.
  assert.equal(ok('Digest realm="a\r\n b"').params.get("realm"), "a b");
});

test("unknown parameters are kept, token or quoted", () => {
  const v = ok('Digest realm="x", foo=bar, baz="q u x"');
  assert.equal(v.params.get("foo"), "bar");
  assert.equal(v.params.get("baz"), "q u x");
});

test("errors name the fault", () => {
  assert.match(err('Digest realm="x", REALM="y"'), /duplicate parameter 'realm'/);
  assert.match(err("Digest"), /no parameters/);
  assert.match(err("Digest   "), /no parameters/);
  assert.match(err('Digest realm="x'), /unterminated quoted string/);
  assert.match(err('Digest realm="x",'), /expected a parameter name/);
  assert.match(err('Digest realm="x",, nonce="y"'), /expected a parameter name/);
  assert.match(err('Digest realm "x"'), /expected '=' after parameter 'realm'/);
  assert.match(err("Digest realm="), /expected a token or quoted string/);
  assert.match(err('Digest realm="x" nonce="y"'), /expected ',' or end/);
  assert.match(err('Digest realm="x\ny"'), /control character/);
  assert.match(err('Digest realm="x\r\ny"'), /bare CR/);
  assert.match(err('Digest realm="x"\r\n'), /bare CR or LF/);
  assert.match(err('Digest realm="a\\\rb"'), /bad escape/);
  assert.match(err('Digest realm=a"b'), /expected ',' or end/);
  assert.match(err('Digest realm=sip:x'), /expected ',' or end/);
  assert.match(err('"Digest" realm="x"'), /expected an auth scheme at column 1/);
  assert.match(err('Digest, realm="x"'), /expected whitespace after the scheme at column 7/);
  assert.match(err(""), /expected an auth scheme/);
  assert.match(err("x".repeat(9000)), /longer than/);
});

test("challenge serialization quotes what RFC 7616 §3.3 quotes", () => {
  const params = new Map([
    ["realm", "hotline"], ["nonce", "abc"], ["algorithm", "SHA-256"], ["qop", "auth"], ["stale", "true"], ["opaque", "o"],
  ]);
  assert.equal(
    serializeChallenge({ scheme: "Digest", params }),
    'Digest realm="hotline", nonce="abc", algorithm=SHA-256, qop="auth", stale=true, opaque="o"',
  );
});

test("credentials serialization quotes what RFC 7616 §3.4 quotes; qop and nc are tokens", () => {
  const params = new Map([
    ["username", "bob"], ["realm", "r"], ["nonce", "n"], ["uri", "sip:r"], ["response", "ff"],
    ["algorithm", "MD5"], ["cnonce", "c"], ["qop", "auth"], ["nc", "00000001"],
  ]);
  assert.equal(
    serializeCredentials({ scheme: "Digest", params }),
    'Digest username="bob", realm="r", nonce="n", uri="sip:r", response="ff", algorithm=MD5, cnonce="c", qop=auth, nc=00000001',
  );
});

test("serializer escapes and refuses what no header can carry", () => {
  const v: AuthValue = { scheme: "Digest", params: new Map([["realm", 'a"b\\c\u0001'], ["algorithm", "not a token"]]) };
  const text = serializeChallenge(v);
  assert.equal(text, 'Digest realm="a\\"b\\\\c\\\u0001", algorithm="not a token"');
  assert.deepEqual([...ok(text).params], [...v.params]);
  assert.throws(() => serializeChallenge({ scheme: "Digest", params: new Map([["realm", "a\r\nb"]]) }), RangeError);
  assert.throws(() => serializeChallenge({ scheme: "Di gest", params: new Map([["realm", "a"]]) }), RangeError);
  assert.throws(() => serializeChallenge({ scheme: "Digest", params: new Map([["re alm", "a"]]) }), RangeError);
});

test("round trip: parse(serialize(v)) == v for random parameter values", () => {
  const rnd = seededRandom(7616);
  const alphabet = 'abcXYZ019 \t"\\,=;:/@-_.~!%*+`\'\u0000\u001f\u007fü漢';
  const names = ["realm", "nonce", "algorithm", "qop", "stale", "opaque", "foo", "x-y"];
  for (let n = 0; n < 300; n++) {
    const params = new Map<string, string>();
    const count = 1 + Math.floor(rnd() * names.length);
    for (let k = 0; k < count; k++) {
      let value = "";
      const len = Math.floor(rnd() * 12);
      for (let c = 0; c < len; c++) value += alphabet[Math.floor(rnd() * alphabet.length)] ?? "";
      params.set(names[Math.floor(rnd() * names.length)] ?? "realm", value);
    }
    for (const ser of [serializeChallenge, serializeCredentials]) {
      const text = ser({ scheme: "Digest", params });
      const back = ok(text);
      assert.deepEqual([...back.params], [...params], text);
    }
  }
});

test("never throws on random byte strings and truncations", () => {
  const rnd = seededRandom(2617);
  const inputs: string[] = [];
  for (let n = 0; n < 60; n++) {
    let s = "";
    const len = Math.floor(rnd() * 80);
    for (let c = 0; c < len; c++) s += String.fromCharCode(Math.floor(rnd() * 256));
    inputs.push(s, `Digest ${s}`);
  }
  const good = 'Digest username="bob", realm="x", nonce="a\\"b", uri="sip:x", response="00", qop=auth, nc=00000001, cnonce="c"';
  for (let k = 0; k <= good.length; k++) inputs.push(good.slice(0, k), good.slice(k));
  inputs.push("\ud800", 'Digest realm="\ud800"', "Digest a=\u0000", "Digest a=\"\\", "Digest \r\n", "Digest\r\n realm=x");
  let parsed = 0;
  for (const s of inputs) {
    const r = parseAuth(s);
    assert.equal(typeof r.ok, "boolean");
    if (r.ok) parsed++;
    else assert.equal(typeof r.error, "string");
  }
  assert.ok(parsed > 0);
  // Non-string input from untyped callers is an error result, not an exception.
  assert.equal(parseAuth(undefined as unknown as string).ok, false);
});
