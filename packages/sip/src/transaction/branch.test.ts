import { test } from "node:test";
import assert from "node:assert/strict";
import { seededRandom } from "../testing/seeded-random.js";
import { createBranch, isRfc3261Branch } from "./branch.js";

test("createBranch: the magic cookie then random characters from the injected source", () => {
  const a = createBranch(seededRandom(1));
  assert.match(a, /^z9hG4bK[0-9A-Za-z]{20}$/);
  assert.equal(createBranch(seededRandom(1)), a);
  assert.notEqual(createBranch(seededRandom(2)), a);
  assert.equal(createBranch(() => 0.999999999999, 3), "z9hG4bKZZZ");
  const r = seededRandom(7);
  const seen = new Set(Array.from({ length: 10_000 }, () => createBranch(r)));
  assert.equal(seen.size, 10_000);
});

test("isRfc3261Branch: needs the cookie and an identifier after it (RFC 4475 §3.1.3.1)", () => {
  assert.equal(isRfc3261Branch("z9hG4bK776asdhds"), true);
  assert.equal(isRfc3261Branch("Z9HG4BK776asdhds"), true);
  assert.equal(isRfc3261Branch("z9hG4bK"), false);
  assert.equal(isRfc3261Branch("776asdhds"), false);
  assert.equal(isRfc3261Branch(null), false);
});
