import { test } from "node:test";
import assert from "node:assert/strict";
import { md5, rfc7616, sha256 } from "../testing/digest-examples.js";
import { ha1Md5, ha1Sha256 } from "./ha1.js";
import { computeDigestResponse, constantTimeEqual, isDigestHex, parseDigestAlgorithm } from "./digest.js";

test("RFC 7616 §3.9.1 SHA-256 example", () => {
  const { username, realm, password } = rfc7616;
  const ha1 = ha1Sha256(username, realm, password);
  assert.equal(
    computeDigestResponse({ ...rfc7616, algorithm: "SHA-256", ha1 }),
    "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1",
  );
});

test("RFC 7616 §3.9.1 MD5 example (response as corrected by the RFC's errata)", () => {
  const { username, realm, password } = rfc7616;
  const ha1 = ha1Md5(username, realm, password);
  assert.equal(computeDigestResponse({ ...rfc7616, algorithm: "MD5", ha1 }), "8ca523f5e9506fed4657c9700eebdbec");
});

test("RFC 2617 §3.5 example (qop=auth, MD5)", () => {
  // The RFC prints the password as "Circle Of Life" (capital O); that is what produces its response.
  const ha1 = ha1Md5("Mufasa", "testrealm@host.com", "Circle Of Life");
  const response = computeDigestResponse({
    algorithm: "MD5", ha1, method: "GET", uri: "/dir/index.html", nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093",
    qop: { qop: "auth", nc: "00000001", cnonce: "0a4f113b" },
  });
  assert.equal(response, "6629fae49393a05397450978507c4ef1");
});

test("no qop: RFC 2617 §3.2.2.1 / RFC 2069 form, on the RFC 2069 §2.4 example inputs", () => {
  const ha1 = ha1Md5("Mufasa", "testrealm@host.com", "CircleOfLife");
  const nonce = "dcd98b7102dd2f0e8b11d0f600bfb0c093";
  const response = computeDigestResponse({ algorithm: "MD5", ha1, method: "GET", uri: "/dir/index.html", nonce, qop: null });
  // Recomputed from the example's inputs with the textbook formula H(HA1:nonce:HA2).
  assert.equal(response, md5(`${ha1}:${nonce}:${md5("GET:/dir/index.html")}`));
  assert.equal(response, "1949323746fe6a43ef61f9606e7febea");
});

test("-sess algorithms: H(A1) = H(HA1:nonce:cnonce) (RFC 7616 §3.4.2), independent formula", () => {
  const base = { method: "REGISTER", uri: "sip:hotline.example", nonce: "n0nce", qop: { qop: "auth", nc: "0000000a", cnonce: "c" } };
  const h1md5 = ha1Md5("1001", "hotline", "pw");
  const sessMd5 = md5(`${h1md5}:n0nce:c`);
  assert.equal(
    computeDigestResponse({ ...base, algorithm: "MD5-sess", ha1: h1md5 }),
    md5(`${sessMd5}:n0nce:0000000a:c:auth:${md5("REGISTER:sip:hotline.example")}`),
  );
  const h1sha = ha1Sha256("1001", "hotline", "pw");
  const sessSha = sha256(`${h1sha}:n0nce:c`);
  assert.equal(
    computeDigestResponse({ ...base, algorithm: "SHA-256-sess", ha1: h1sha }),
    sha256(`${sessSha}:n0nce:0000000a:c:auth:${sha256("REGISTER:sip:hotline.example")}`),
  );
  // -sess without qop has no cnonce to build A1 from.
  assert.equal(computeDigestResponse({ ...base, qop: null, algorithm: "MD5-sess", ha1: h1md5 }), null);
});

test("stored HA1 in upper case hex is accepted", () => {
  const ha1 = ha1Md5("Mufasa", "testrealm@host.com", "Circle Of Life");
  const input = {
    algorithm: "MD5" as const, method: "GET", uri: "/dir/index.html", nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093",
    qop: { qop: "auth", nc: "00000001", cnonce: "0a4f113b" },
  };
  assert.equal(computeDigestResponse({ ...input, ha1: ha1.toUpperCase() }), computeDigestResponse({ ...input, ha1 }));
});

test("algorithm names: absent means MD5, case-insensitive, unknown is null", () => {
  assert.equal(parseDigestAlgorithm(undefined), "MD5");
  assert.equal(parseDigestAlgorithm("sha-256"), "SHA-256");
  assert.equal(parseDigestAlgorithm("md5-SESS"), "MD5-sess");
  assert.equal(parseDigestAlgorithm("SHA-512-256"), null);
  assert.equal(parseDigestAlgorithm(""), null);
});

test("constant-time equality and hex shape", () => {
  assert.equal(constantTimeEqual("abc", "abc"), true);
  assert.equal(constantTimeEqual("abc", "abd"), false);
  assert.equal(constantTimeEqual("abc", "abcd"), false);
  assert.equal(constantTimeEqual("", ""), true);
  assert.equal(isDigestHex("MD5", "0".repeat(32)), true);
  assert.equal(isDigestHex("MD5", "0".repeat(64)), false);
  assert.equal(isDigestHex("SHA-256", "g".repeat(64)), false);
});
