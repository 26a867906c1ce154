import { test } from "node:test";
import assert from "node:assert/strict";
import { parseUserCsv, splitCsvLine } from "./csv-import.js";

test("splitCsvLine handles plain and quoted fields", () => {
  assert.deepEqual(splitCsvLine("a,b,c"), ["a", "b", "c"]);
  assert.deepEqual(splitCsvLine('2001,pw,"Smith, John"'), ["2001", "pw", "Smith, John"]);
  assert.deepEqual(splitCsvLine('"say ""hi""",x'), ['say "hi"', "x"]);
  assert.deepEqual(splitCsvLine("a,,"), ["a", "", ""]);
  assert.deepEqual(splitCsvLine(""), [""]);
  assert.equal(splitCsvLine('a,"open'), null);
});

test("a file with a header, comments, blank lines, CRLF and a BOM", () => {
  const text = '\uFEFFusername,password,display name\r\n# agents\r\n2001,password-2001,Desk 1\r\n\r\n2002,password-2002\r\n2003,password-2003,"Smith, John"\r\n';
  const result = parseUserCsv(text, "users.csv");
  assert.deepEqual(result, {
    ok: true,
    users: [
      { username: "2001", password: "password-2001", displayName: "Desk 1" },
      { username: "2002", password: "password-2002", displayName: null },
      { username: "2003", password: "password-2003", displayName: "Smith, John" },
    ],
  });
});

test("every bad line is reported with its line number, and no password is echoed", () => {
  const text = ["2001,short", "bad user,long-enough-pw", "2003", "2004,pw-long-enough,Smith, John", "2001,another-password", '2006,"unterminated'].join("\n");
  const result = parseUserCsv(text, "users.csv");
  assert.deepEqual(result, {
    ok: false,
    errors: [
      "users.csv:1: password: must be at least 8 characters",
      'users.csv:2: username "bad user": must be 1-64 characters of letters, digits, ".", "_", "-", "+", starting with a letter, digit or "+"',
      "users.csv:3: expected username,password[,display name] (1 fields; quote a display name that contains commas)",
      "users.csv:4: expected username,password[,display name] (4 fields; quote a display name that contains commas)",
      'users.csv:5: duplicate username "2001" (first on line 1)',
      "users.csv:6: unterminated quoted field",
    ],
  });
  assert.ok(!JSON.stringify(result).includes("short\""));
});
