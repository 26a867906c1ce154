import { test } from "node:test";
import assert from "node:assert/strict";
import { parseFlag, parseId, parseLimit, parseTime } from "./params.js";

const value = <T>(p: { ok: true; value: T } | { ok: false; problem: string }): T | string => (p.ok ? p.value : "bad");

test("parseTime: dates and date-times are UTC unless they carry an offset", () => {
  const cases: [string, number | string][] = [
    ["2025-01-31", Date.UTC(2025, 0, 31)],
    ["2025-01-31T14:05", Date.UTC(2025, 0, 31, 14, 5)],
    ["2025-01-31 14:05:09", Date.UTC(2025, 0, 31, 14, 5, 9)],
    ["2025-01-31T14:05:09.250Z", Date.UTC(2025, 0, 31, 14, 5, 9, 250)],
    ["2025-01-31T14:05+01:00", Date.UTC(2025, 0, 31, 13, 5)],
    ["2025-01-31T14:05-0230", Date.UTC(2025, 0, 31, 16, 35)],
    ["2024-02-29", Date.UTC(2024, 1, 29)],
    ["2025-02-29", "bad"],
    ["2025-02-30", "bad"],
    ["2025-13-01", "bad"],
    ["2025-01-31T24:00", "bad"],
    ["2025-01-31T10:60", "bad"],
    ["1738281600000", "bad"],
    ["yesterday", "bad"],
    ["", "bad"],
  ];
  for (const [text, expected] of cases) assert.equal(value(parseTime(text)), expected, text);
  assert.equal(value(parseTime("1738281600000", true)), 1738281600000, "ms since the epoch where allowed");
});

test("parseLimit, parseId, parseFlag take exact forms only", () => {
  assert.deepEqual(["1", "1000", "0", "1001", "1.5", "-1", "", "1e2"].map((t) => value(parseLimit(t))), [1, 1000, "bad", "bad", "bad", "bad", "bad", "bad"]);
  assert.deepEqual(["0", "42", "-1", "x", "1.0"].map((t) => value(parseId(t))), [0, 42, "bad", "bad", "bad"]);
  assert.deepEqual(["1", "true", "YES", "0", "false", "no", "maybe", ""].map((t) => value(parseFlag(t))), [true, true, true, false, false, false, "bad", "bad"]);
});
