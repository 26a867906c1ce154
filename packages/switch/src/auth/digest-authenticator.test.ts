import { test } from "node:test";
import assert from "node:assert/strict";
import { parseAuth, serializeCredentials } from "@hotline/sip";
import { seededRandom } from "@hotline/sip/testing";
import { ha1Md5, ha1Sha256 } from "./ha1.js";
import { computeDigestResponse, parseDigestAlgorithm } from "./digest.js";
import { DigestAuthenticator, type AuthResult, type DigestAuthenticatorOptions, type StoredHa1 } from "./digest-authenticator.js";

const REALM = "hotline.example";
const T0 = 1_700_000_000_000;
const TTL = 60_000;
const URI = "sip:hotline.example";
const secret = new Uint8Array(32).fill(42);

function counterRandom(): (n: number) => Uint8Array {
  let k = 0;
  return (n) => Uint8Array.from({ length: n }, (_, i) => (k * 13 + i) & 0xff, k++);
}

function authenticator(opts: Partial<DigestAuthenticatorOptions> = {}): DigestAuthenticator {
  return new DigestAuthenticator({ realm: REALM, algorithms: ["MD5", "SHA-256"], nonceTtlMs: TTL, secret, randomBytes: counterRandom(), ...opts });
}

const users = new Map<string, StoredHa1>([
  ["1001", { ha1Md5: ha1Md5("1001", REALM, "secret1001"), ha1Sha256: ha1Sha256("1001", REALM, "secret1001") }],
  ["1002", { ha1Md5: ha1Md5("1002", REALM, "secret1002"), ha1Sha256: ha1Sha256("1002", REALM, "secret1002") }],
]);

let lookups = 0;
const lookup = async (username: string): Promise<StoredHa1 | null> => {
  lookups++;
  return users.get(username) ?? null;
};

interface ClientOpts {
  username?: string;
  password?: string;
  nc?: number;
  cnonce?: string;
  uri?: string;
  qop?: string | null;
  method?: string;
  extra?: [string, string][];
  algorithmParam?: string | null;
}

/** A UAC answering one challenge the way a phone does (RFC 7616 §3.4). */
function answer(challengeHeader: string, c: ClientOpts = {}): string {
  const parsed = parseAuth(challengeHeader);
  if (!parsed.ok) throw new Error(parsed.error);
  const ch = parsed.value.params;
  const username = c.username ?? "1001";
  const password = c.password ?? "secret1001";
  const realm = ch.get("realm") ?? "";
  const nonce = ch.get("nonce") ?? "";
  const algorithm = parseDigestAlgorithm(ch.get("algorithm")) ?? "MD5";
  const uri = c.uri ?? URI;
  const nc = (c.nc ?? 1).toString(16).padStart(8, "0");
  const cnonce = c.cnonce ?? "0a4f113b";
  const qopValue = c.qop === undefined ? "auth" : c.qop;
  const ha1 = algorithm.startsWith("MD5") ? ha1Md5(username, realm, password) : ha1Sha256(username, realm, password);
  const qop = qopValue === null ? null : { qop: qopValue, nc, cnonce };
  const response = computeDigestResponse({ algorithm, ha1, method: c.method ?? "REGISTER", uri, nonce, qop }) ?? "";
  const params = new Map<string, string>([["username", username], ["realm", realm], ["nonce", nonce], ["uri", uri], ["response", response]]);
  const alg = c.algorithmParam === undefined ? ch.get("algorithm") : c.algorithmParam;
  if (alg != null) params.set("algorithm", alg);
  if (qop !== null) {
    params.set("qop", qop.qop);
    params.set("nc", nc);
    params.set("cnonce", cnonce);
  }
  for (const [k, v] of c.extra ?? []) params.set(k, v);
  return serializeCredentials({ scheme: "Digest", params });
}

function verify(a: DigestAuthenticator, authorization: string[], now = T0, requestUri = URI, method = "REGISTER"): Promise<AuthResult> {
  return a.verify({ method, requestUri, authorization }, lookup, now);
}

function sha(a: DigestAuthenticator, now = T0): string {
  return a.challenge(now, false)[0] ?? "";
}
function md5(a: DigestAuthenticator, now = T0): string {
  return a.challenge(now, false)[1] ?? "";
}

test("challenge: one value per algorithm, SHA-256 first, qop=\"auth\"", () => {
  const a = authenticator();
  const values = a.challenge(T0, false);
  assert.equal(values.length, 2);
  assert.match(values[0] ?? "", /^Digest realm="hotline\.example", nonce="[A-Za-z0-9_-]{75}", algorithm=SHA-256, qop="auth"$/);
  assert.match(values[1] ?? "", /^Digest realm="hotline\.example", nonce="[A-Za-z0-9_-]{75}", algorithm=MD5, qop="auth"$/);
  assert.match(a.challenge(T0, true)[0] ?? "", /, stale=true$/);
  assert.deepEqual(authenticator({ algorithms: ["MD5"] }).challenge(T0, false).map((v) => /algorithm=([\w-]+)/.exec(v)?.[1]), ["MD5"]);
});

test("no credentials → missing, not stale", async () => {
  const a = authenticator();
  assert.deepEqual(await verify(a, []), { outcome: "challenge", stale: false, reason: "missing" });
  assert.deepEqual(await verify(a, ['Bearer token="x"']), { outcome: "challenge", stale: false, reason: "missing" });
});

test("correct SHA-256 and MD5 credentials are accepted", async () => {
  const a = authenticator();
  assert.deepEqual(await verify(a, [answer(sha(a))]), { outcome: "ok", username: "1001" });
  assert.deepEqual(await verify(a, [answer(md5(a))]), { outcome: "ok", username: "1001" });
  // An upper-case response and a case-variant algorithm name are still the same credentials.
  const upper = answer(md5(a), { algorithmParam: "md5" }).replace(/response="([0-9a-f]+)"/, (_, h: string) => `response="${h.toUpperCase()}"`);
  assert.deepEqual(await verify(a, [upper]), { outcome: "ok", username: "1001" });
});

test("unknown user and wrong password are indistinguishable outside the reason", async () => {
  const a = authenticator();
  lookups = 0;
  const wrong = await verify(a, [answer(sha(a), { password: "guess" })]);
  const unknown = await verify(a, [answer(sha(a), { username: "9999" })]);
  assert.equal(lookups, 2);
  assert.deepEqual(wrong, { outcome: "challenge", stale: false, reason: "bad-credentials", username: "1001" });
  assert.deepEqual(unknown, { outcome: "challenge", stale: false, reason: "unknown-user", username: "9999" });
  // What goes on the wire is challenge(now, stale): same shape, only the nonce differs.
  const shape = (r: AuthResult): string[] =>
    r.outcome === "challenge" ? a.challenge(T0, r.stale).map((v) => v.replace(/nonce="[^"]*"/, 'nonce="…"')) : [];
  assert.deepEqual(shape(wrong), shape(unknown));
});

test("a store with no usable HA1 for the algorithm fails like a wrong password", async () => {
  const a = authenticator();
  const broken = async (): Promise<StoredHa1> => ({ ha1Md5: "", ha1Sha256: "zz" });
  const r = await a.verify({ method: "REGISTER", requestUri: URI, authorization: [answer(sha(a))] }, broken, T0);
  assert.deepEqual(r, { outcome: "challenge", stale: false, reason: "bad-credentials", username: "1001" });
});

test("after the TTL: right password → stale=true; wrong password → plain challenge", async () => {
  const a = authenticator();
  const ch = sha(a, T0);
  assert.deepEqual(await verify(a, [answer(ch)], T0 + TTL), { outcome: "ok", username: "1001" });
  assert.deepEqual(await verify(a, [answer(ch, { nc: 2 })], T0 + TTL + 1), { outcome: "challenge", stale: true, reason: "stale", username: "1001" });
  assert.deepEqual(await verify(a, [answer(ch, { nc: 3, password: "x" })], T0 + TTL + 1), {
    outcome: "challenge", stale: false, reason: "bad-credentials", username: "1001",
  });
});

test("a nonce from another secret (restart) with a correct digest → stale=true", async () => {
  const before = authenticator({ secret: new Uint8Array(32).fill(1) });
  const after = authenticator();
  const r = await verify(after, [answer(sha(before))]);
  assert.deepEqual(r, { outcome: "challenge", stale: true, reason: "stale", username: "1001" });
});

test("nonce count: increasing accepted, repeated or lower refused as replay", async () => {
  const a = authenticator();
  const ch = sha(a);
  const ok = { outcome: "ok", username: "1001" };
  const replay = { outcome: "challenge", stale: true, reason: "replay", username: "1001" };
  assert.deepEqual(await verify(a, [answer(ch, { nc: 1 })]), ok);
  assert.deepEqual(await verify(a, [answer(ch, { nc: 1 })]), replay);
  assert.deepEqual(await verify(a, [answer(ch, { nc: 2, cnonce: "other" })]), ok);
  assert.deepEqual(await verify(a, [answer(ch, { nc: 7 })]), ok);
  assert.deepEqual(await verify(a, [answer(ch, { nc: 3 })]), replay);
  // A wrong password with a high nc does not consume counts of the honest client.
  assert.equal((await verify(a, [answer(ch, { nc: 100, password: "x" })])).outcome, "challenge");
  assert.deepEqual(await verify(a, [answer(ch, { nc: 8 })]), ok);
});

test("nonce counts are per user: one account cannot advance another's count", async () => {
  const a = authenticator();
  const ch = sha(a);
  assert.equal((await verify(a, [answer(ch, { username: "1002", password: "secret1002", nc: 50 })])).outcome, "ok");
  assert.deepEqual(await verify(a, [answer(ch, { nc: 1 })]), { outcome: "ok", username: "1001" });
});

test("no qop (RFC 2069 form): MD5 only, and once per nonce", async () => {
  const a = authenticator();
  const ch = md5(a);
  assert.deepEqual(await verify(a, [answer(ch, { qop: null })]), { outcome: "ok", username: "1001" });
  assert.deepEqual(await verify(a, [answer(ch, { qop: null })]), { outcome: "challenge", stale: true, reason: "replay", username: "1001" });
  assert.deepEqual(await verify(a, [answer(sha(a), { qop: null })]), { outcome: "challenge", stale: false, reason: "malformed", username: "1001" });
  // Absent algorithm means MD5 (RFC 7616 §3.4).
  assert.deepEqual(await verify(a, [answer(md5(a), { qop: null, algorithmParam: null })]), { outcome: "ok", username: "1001" });
});

test("qop=auth-int, -sess, unoffered algorithms, userhash and missing parameters are malformed", async () => {
  const a = authenticator();
  const shaOnly = authenticator({ algorithms: ["SHA-256"] });
  const malformed = { outcome: "challenge", stale: false, reason: "malformed", username: "1001" };
  assert.deepEqual(await verify(a, [answer(sha(a), { qop: "auth-int" })]), malformed);
  assert.deepEqual(await verify(a, [answer(md5(a), { algorithmParam: "MD5-sess" })]), malformed);
  assert.deepEqual(await verify(shaOnly, [answer(md5(a))]), malformed);
  assert.deepEqual(await verify(a, [answer(sha(a), { extra: [["userhash", "true"]] })]), malformed);
  assert.deepEqual(await verify(a, [answer(sha(a), { extra: [["nc", "1"]] })]), malformed);
  assert.deepEqual(await verify(a, [answer(sha(a), { extra: [["response", "abc"]] })]), malformed);
  assert.deepEqual(await verify(a, [answer(sha(a)).replace(/, cnonce="[^"]*"/, "")]), malformed);
  assert.deepEqual(await verify(a, [answer(sha(a)).replace(/username="1001", /, "")]), { outcome: "challenge", stale: false, reason: "malformed" });
  assert.deepEqual(await verify(a, ["Digest realm"]), { outcome: "challenge", stale: false, reason: "malformed" });
});

test("credentials for our realm are picked among several", async () => {
  const a = authenticator();
  const other = answer(sha(a)).replace(`realm="${REALM}"`, 'realm="upstream.example"');
  assert.deepEqual(await verify(a, [other]), { outcome: "challenge", stale: false, reason: "realm-mismatch" });
  assert.deepEqual(await verify(a, ['Digest realm="', other, answer(sha(a))]), { outcome: "ok", username: "1001" });
});

test("digest uri must name the Request-URI's resource (RFC 7616 §3.4.6)", async () => {
  const a = authenticator();
  assert.deepEqual(await verify(a, [answer(sha(a), { uri: "sip:1002@elsewhere.example" })]), {
    outcome: "challenge", stale: false, reason: "uri-mismatch", username: "1001",
  });
  assert.deepEqual(await verify(a, [answer(sha(a), { uri: "sips:elsewhere.example" })]), {
    outcome: "challenge", stale: false, reason: "uri-mismatch", username: "1001",
  });
  assert.deepEqual(await verify(a, [answer(sha(a), { uri: "https://elsewhere.example/" })]), {
    outcome: "challenge", stale: false, reason: "uri-mismatch", username: "1001",
  });
  // SIPp and some phones put the server's address in the digest uri of a REGISTER.
  assert.deepEqual(await verify(a, [answer(sha(a), { uri: "sip:127.0.0.1:5060" })]), { outcome: "ok", username: "1001" });
  assert.deepEqual(await verify(a, [answer(sha(a), { uri: "SIP:HOTLINE.example" })]), { outcome: "ok", username: "1001" });
  // The method is part of A2: credentials made for REGISTER do not authenticate an INVITE.
  assert.equal((await verify(a, [answer(sha(a))], T0, URI, "INVITE")).outcome, "challenge");
});

test("malformed Authorization never throws and never authenticates", async () => {
  const a = authenticator();
  const rnd = seededRandom(8760);
  const inputs: string[] = [];
  for (let n = 0; n < 40; n++) {
    let s = "";
    const len = Math.floor(rnd() * 120);
    for (let k = 0; k < len; k++) s += String.fromCharCode(Math.floor(rnd() * 256));
    inputs.push(s, `Digest ${s}`, `Digest realm="${REALM}", ${s}`);
  }
  const good = answer(sha(a));
  for (let k = 1; k < good.length; k += 3) inputs.push(good.slice(0, k), good.slice(k));
  for (const s of inputs) {
    const r = await verify(a, [s]);
    assert.equal(r.outcome, "challenge", JSON.stringify(s));
  }
});

test("a failing lookup rejects (a store outage is not an auth result)", async () => {
  const a = authenticator();
  const failing = async (): Promise<StoredHa1 | null> => {
    throw new Error("store down");
  };
  await assert.rejects(a.verify({ method: "REGISTER", requestUri: URI, authorization: [answer(sha(a))] }, failing, T0), /store down/);
});

test("configuration errors are reported at construction", () => {
  assert.throws(() => authenticator({ algorithms: [] }), /at least one digest algorithm/);
  assert.throws(() => authenticator({ realm: "" }), /realm/);
  assert.throws(() => authenticator({ realm: "a\r\nb" }), /realm/);
  assert.throws(() => authenticator({ secret: new Uint8Array(4) }), /16 bytes/);
});
