import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { rfc7616 as example, rfc7616Response as response } from "../testing/digest-examples.js";
import { ha1Md5, ha1Sha256 } from "./ha1.js";

// RFC 7616 §3.9.1 does not print HA1 itself, only the final response, so the test derives
// the response from our HA1 and compares it with the RFC's figures (the MD5 one as corrected
// by the RFC errata: ...eebdbec).
test("MD5 HA1 reproduces the RFC 7616 §3.9.1 response", () => {
  const ha1 = ha1Md5(example.username, example.realm, example.password);
  assert.equal(ha1, "3d78807defe7de2157e2b0b6573a855f");
  assert.equal(response("md5", ha1), "8ca523f5e9506fed4657c9700eebdbec");
});

test("SHA-256 HA1 reproduces the RFC 7616 §3.9.1 response", () => {
  const ha1 = ha1Sha256(example.username, example.realm, example.password);
  assert.equal(ha1, "7987c64c30e25f1b74be53f966b49b90f2808aa92faf9a00262392d7b4794232");
  assert.equal(response("sha256", ha1), "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");
});

test("HA1 hashes the UTF-8 bytes of non-ASCII passwords", () => {
  const expected = createHash("md5").update(Buffer.from("u:r:pässwörd", "utf8")).digest("hex");
  assert.equal(ha1Md5("u", "r", "pässwörd"), expected);
});
