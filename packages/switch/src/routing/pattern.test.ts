import { test } from "node:test";
import assert from "node:assert/strict";
import { compilePattern, patternProblem, PatternSet } from "./pattern.js";

const CASES: [pattern: string, matches: string[], misses: string[]][] = [
  ["1001", ["1001"], ["100", "10011", "1002", ""]],
  ["1380000000X", ["13800000000", "13800000009"], ["1380000000", "138000000001", "1380000000a", "2380000000X"]],
  ["NXXXXXXX", ["23456789", "99999999"], ["13456789", "03456789", "2345678", "234567890"]],
  ["ZXX", ["100", "999"], ["099", "10", "1000"]],
  ["0ZXXXXXXXXX.", ["0101234567890", "010123456789"], ["01012345678", "0012345678901", "1101234567890"]],
  ["00.", ["001", "0044123456"], ["00", "01", "100"]],
  ["400.", ["4001", "400800900"], ["400", "40"]],
  ["0755XXXXXXXX", ["075512345678"], ["07551234567", "075612345678"]],
  ["[1-5]X", ["10", "59"], ["00", "60", "1"]],
  ["[137]X", ["10", "30", "79"], ["20", "40", "80"]],
  ["[13-5]", ["1", "3", "4", "5"], ["2", "6"]],
  ["*7X", ["*70", "*79"], ["*7", "#70", "*700"]],
  ["#X*", ["#1*"], ["#1#"]],
  ["+86.", ["+8610"], ["+86", "8610"]],
  ["nxx", ["234"], ["134"]],
  ["X.", ["12", "1*#"], ["1", ""]],
];

test("patterns match exactly what they describe", () => {
  for (const [pattern, matches, misses] of CASES) {
    assert.equal(patternProblem(pattern), null, pattern);
    const match = compilePattern(pattern);
    for (const s of matches) assert.equal(match(s), true, `${pattern} should match ${s}`);
    for (const s of misses) assert.equal(match(s), false, `${pattern} should not match ${s}`);
  }
});

test("a trailing '.' takes any further characters, including letters", () => {
  assert.equal(compilePattern("1X.")("12abc"), true);
  assert.equal(compilePattern("12.")("12abc"), true);
});

test("characters outside the dial alphabet never match a position", () => {
  const match = compilePattern("XX");
  assert.equal(match("1a"), false);
  assert.equal(match("1\u0661"), false); // Arabic-Indic digit one
  assert.equal(match("1\u00e9"), false);
});

test("invalid patterns say why", () => {
  const bad: [string, string][] = [
    ["", "must not be empty"],
    ["1.2", "'.' is only allowed at the end"],
    [".", "'.' needs something before it"],
    ["12[3", "unclosed '[' at position 3"],
    ["1[]", "empty set '[]' at position 2"],
    ["[5-1]", "bad range '5-1' in a [set]: the first digit is greater"],
    ["[1-]", "range '1-' needs a digit after '-' in a [set]"],
    ["[a]", "'a' in a [set]: only digits and ranges like 1-5"],
    ["12a", "'a' is not a digit, *, #, +, X, Z, N, a [set] or a trailing '.'"],
    ["_1X", "'_' is not a digit, *, #, +, X, Z, N, a [set] or a trailing '.'"],
    ["1 2", "' ' is not a digit, *, #, +, X, Z, N, a [set] or a trailing '.'"],
  ];
  for (const [pattern, why] of bad) {
    assert.equal(patternProblem(pattern), why, pattern);
    assert.throws(() => compilePattern(pattern), { message: `invalid pattern '${pattern}': ${why}` });
  }
});

test("PatternSet: exact numbers by lookup, patterns in order", () => {
  const numbers = Array.from({ length: 10_000 }, (_, i) => String(13_900_000_000 + i));
  const set = new PatternSet([...numbers, "0755XXXXXXXX", "400."]);
  assert.equal(set.find("13900009999"), "13900009999");
  assert.equal(set.find("13900010000"), null);
  assert.equal(set.find("075512345678"), "0755XXXXXXXX");
  assert.equal(set.find("4001"), "400.");
  assert.equal(set.find("400"), null);
  assert.equal(new PatternSet([]).find("1"), null);
});
