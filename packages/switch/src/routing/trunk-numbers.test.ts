import { test } from "node:test";
import assert from "node:assert/strict";
import { EXAMPLE_EXTENSIONS, examplePlan } from "./example-plan.js";
import { Router } from "./router.js";
import { normalizeInbound, parseTrunkSource } from "./trunk-numbers.js";

const router = new Router(examplePlan(), (n) => EXAMPLE_EXTENSIONS.has(n));
const CN = { normalize: { countryCode: "86", nationalPrefix: "0", internationalPrefix: "00" } };

test("normalizeInbound with a country code: national and international numbers", () => {
  const cases: [string, string][] = [
    ["+861012345678", "01012345678"],
    ["+86 10 1234 5678", "01012345678"],
    ["+86-755-1234-5678", "075512345678"],
    ["+8613800000000", "013800000000"],
    ["+12125550100", "0012125550100"],
    ["+44 20 7946 0958", "00442079460958"],
    ["008610 12345678", "01012345678"],
    ["0012125550100", "0012125550100"],
    ["010-1234 5678", "01012345678"],
    ["(010) 1234.5678", "01012345678"],
    ["12345", "12345"],
    ["anonymous", "anonymous"],
    ["", ""],
  ];
  for (const [input, expected] of cases) {
    assert.equal(normalizeInbound(CN, input), expected, input);
    assert.equal(router.normalizeInbound("carrier-a", input), expected, input);
  }
});

test("normalizeInbound without normalize settings: punctuation only, the + stays", () => {
  assert.equal(normalizeInbound(null, "+86 10 1234 5678"), "+861012345678");
  assert.equal(normalizeInbound({ normalize: null }, " +1 (212) 555-0100"), "+12125550100");
  assert.equal(normalizeInbound(null, "1+2"), "12");
  assert.equal(router.normalizeInbound("carrier-b", "+861012345678"), "+861012345678");
  assert.equal(router.normalizeInbound("no-such-trunk", "+86-10"), "+8610");
  assert.equal(router.normalizeInbound("constructor", "+86-10"), "+8610");
});

test("normalizeInbound for a one-digit country code (+1)", () => {
  const us = { normalize: { countryCode: "1", nationalPrefix: "1", internationalPrefix: "011" } };
  assert.equal(normalizeInbound(us, "+1 212 555 0100"), "12125550100");
  assert.equal(normalizeInbound(us, "+86 10 1234 5678"), "011861012345678");
  assert.equal(normalizeInbound(us, "011 44 20 7946 0958"), "011442079460958");
});

test("trunk sources: ip, ip:port, IPv6, IPv4-mapped", () => {
  assert.deepEqual(parseTrunkSource("127.0.0.1"), { address: "127.0.0.1", port: null });
  assert.deepEqual(parseTrunkSource("127.0.0.1:5070"), { address: "127.0.0.1", port: 5070 });
  assert.deepEqual(parseTrunkSource("2001:DB8::1"), { address: "2001:db8::1", port: null });
  assert.deepEqual(parseTrunkSource("[2001:db8::1]:5060"), { address: "2001:db8::1", port: 5060 });
  assert.deepEqual(parseTrunkSource("[::1]"), { address: "::1", port: null });
  for (const bad of ["", "host.example", "127.0.0.1:0", "127.0.0.1:70000", "127.0.0.256", "[::1]5060", "[::1", "1.2.3.4:", ":5060"]) {
    assert.equal(parseTrunkSource(bad), null, bad);
  }
  assert.equal(router.trunkForSource("127.0.0.1", 5070), "carrier-a");
  assert.equal(router.trunkForSource("127.0.0.1", 5080), null);
  assert.equal(router.trunkForSource("192.0.2.10", 5999), "carrier-b");
  assert.equal(router.trunkForSource("::ffff:192.0.2.10", 5060), "carrier-b");
  assert.equal(router.trunkForSource("192.0.2.11", 5060), null);
});

test("an ip:port entry beats another trunk's ip entry", () => {
  const plan = examplePlan();
  plan.trunks["carrier-b"] = { ...plan.trunks["carrier-b"]!, match: ["127.0.0.1"] };
  const r = new Router(plan, () => false);
  assert.equal(r.trunkForSource("127.0.0.1", 5070), "carrier-a");
  assert.equal(r.trunkForSource("127.0.0.1", 5071), "carrier-b");
});
