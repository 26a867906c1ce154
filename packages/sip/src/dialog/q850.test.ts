/**
 * Q.850 causes, both RFC 3398 mapping tables row by row, and the RFC 3326 Reason header.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { headerField } from "../headers.js";
import { CAUSES, describeCause, q850ToSipStatus, RFC3398_Q850_TO_SIP, RFC3398_SIP_TO_Q850, sipStatusToQ850 } from "./q850.js";
import { formatReason, parseReason, q850CauseOf, q850Reason, reasonsOf, responseCause, warningCodeOf } from "./reason-header.js";

/** RFC 3398 §8.2.6.1 as printed: response received → cause value in the REL. */
const SIP_TO_Q850_ROWS: [number, number][] = [
  [400, 41], [401, 21], [402, 21], [403, 21], [404, 1], [405, 63], [406, 79], [407, 21],
  [408, 102], [410, 22], [413, 127], [414, 127], [415, 79], [416, 127], [420, 127], [421, 127],
  [423, 127], [480, 18], [481, 41], [482, 25], [483, 25], [484, 28], [485, 1], [486, 17],
  [500, 41], [501, 79], [502, 38], [503, 41], [504, 102], [505, 127], [513, 127], [600, 17],
  [603, 21], [604, 1],
];

/** RFC 3398 §7.2.4.1 as printed: ISUP cause value → SIP response. */
const Q850_TO_SIP_ROWS: [number, number][] = [
  [1, 404], [2, 404], [3, 404], [17, 486], [18, 408], [19, 480], [20, 480], [21, 403],
  [22, 410], [23, 410], [26, 404], [27, 502], [28, 484], [29, 501], [31, 480], [34, 503],
  [38, 503], [41, 503], [42, 503], [47, 503], [55, 403], [57, 403], [58, 503], [65, 488],
  [70, 488], [79, 501], [87, 403], [88, 503], [102, 504], [111, 500], [127, 500],
];

test("q850: RFC 3398 §8.2.6.1, every row: SIP status → Q.850 cause", () => {
  for (const [status, cause] of SIP_TO_Q850_ROWS) assert.equal(sipStatusToQ850(status), cause, `${status}`);
  assert.deepEqual(Object.keys(RFC3398_SIP_TO_Q850).map(Number), SIP_TO_Q850_ROWS.map(([s]) => s));
});

test("q850: RFC 3398 §7.2.4.1, every row: Q.850 cause → SIP status", () => {
  for (const [cause, status] of Q850_TO_SIP_ROWS) assert.equal(q850ToSipStatus(cause), status, `${cause}`);
  assert.deepEqual(Object.keys(RFC3398_Q850_TO_SIP).map(Number), Q850_TO_SIP_ROWS.map(([c]) => c));
});

test("q850: 488/606 go by the Warning code (65 for a bearer capability, else 31); 487 and unlisted → 31; 2xx → 16", () => {
  assert.equal(sipStatusToQ850(488), 31);
  assert.equal(sipStatusToQ850(606, null), 31);
  assert.equal(sipStatusToQ850(488, 304), 65);
  assert.equal(sipStatusToQ850(606, 305), 65);
  assert.equal(sipStatusToQ850(488, 370), 65);
  assert.equal(sipStatusToQ850(488, 399), 31);
  assert.equal(sipStatusToQ850(487), 31);
  assert.equal(sipStatusToQ850(489), 31);
  assert.equal(sipStatusToQ850(580), 31);
  assert.equal(sipStatusToQ850(200), 16);
});

test("q850: 21 at the user's location → 603; unlisted causes go by class (16 → 480, 95 → 500)", () => {
  assert.equal(q850ToSipStatus(21, { userLocation: true }), 603);
  assert.equal(q850ToSipStatus(17, { userLocation: true }), 486);
  assert.equal(q850ToSipStatus(16), 480);
  assert.equal(q850ToSipStatus(0), 480);
  assert.equal(q850ToSipStatus(25), 480);
  assert.equal(q850ToSipStatus(63), 500);
  assert.equal(q850ToSipStatus(95), 500);
  assert.equal(q850ToSipStatus(-1), 500);
});

test("q850: the CAUSES registry names every cause of both tables, with unique values", () => {
  const values: number[] = Object.values(CAUSES).map((c) => c.q850);
  assert.equal(new Set(values).size, values.length);
  for (const c of [...SIP_TO_Q850_ROWS.map(([, c]) => c), ...Q850_TO_SIP_ROWS.map(([c]) => c)]) {
    assert.notEqual(describeCause(c).text, `Cause ${c}`, `cause ${c} has no name`);
  }
  assert.deepEqual(describeCause(16), { q850: 16, text: "Normal call clearing" });
  assert.deepEqual(describeCause(99), { q850: 99, text: "Cause 99" });
  const listed = [1, 3, 16, 17, 18, 19, 21, 27, 28, 31, 34, 38, 41, 42, 47, 55, 57, 58, 65, 88, 102, 111, 127];
  for (const c of listed) assert.ok(values.includes(c), `cause ${c}`);
});

test("reason: RFC 3326 §2 examples parse", () => {
  assert.deepEqual(parseReason('Q.850;cause=16;text="Terminated"'), {
    ok: true,
    value: { protocol: "Q.850", cause: 16, text: "Terminated", params: new Map([["cause", "16"], ["text", '"Terminated"']]) },
  });
  assert.deepEqual(parseReason("SIP ;cause=600 ;text=\"Busy Everywhere\""), {
    ok: true,
    value: { protocol: "SIP", cause: 600, text: "Busy Everywhere", params: new Map([["cause", "600"], ["text", '"Busy Everywhere"']]) },
  });
  const ext = parseReason("preemption ;cause=1 ;text=\"UA Preemption\";x-foo");
  assert.ok(ext.ok);
  assert.equal(ext.value.protocol, "preemption");
  assert.equal(ext.value.params.get("x-foo"), null);
  const lower = parseReason("q.850;cause=17");
  assert.ok(lower.ok && lower.value.protocol === "Q.850" && lower.value.text === null);
});

test("reason: bad values are errors, never throws", () => {
  const bad: [string, string][] = [
    ["", "missing protocol"],
    [";cause=16", "missing protocol"],
    ["Q.850;cause=abc", "bad cause 'abc'"],
    ["Q.850;cause", "bad cause ''"],
    ["Q.850;cause=12345678901", "bad cause '12345678901'"],
    ['Q.850;text="unterminated', "unterminated quoted value for 'text'"],
    ["Q.850;cause=16;cause=17", "duplicate parameter 'cause'"],
    ["Q.850 16", "unexpected '1' in parameters"],
  ];
  for (const [input, error] of bad) assert.deepEqual(parseReason(input), { ok: false, error }, input);
  for (const junk of ["\u0000", "Q.850;\u00ff=1", '"', ";;;", "Q.850;cause=1,SIP;cause=2"]) assert.equal(parseReason(junk).ok, false, junk);
});

test("reason: format → parse round trips, with escapes", () => {
  const cases = [
    { protocol: "Q.850" as const, cause: 16, text: "Normal call clearing" },
    { protocol: "SIP" as const, cause: 486, text: "Busy Here" },
    { protocol: "Q.850" as const, cause: 26, text: 'Answered "elsewhere" \\ ok' },
    { protocol: "Q.850" as const, cause: 31, text: "" },
  ];
  for (const c of cases) {
    const r = parseReason(formatReason(c));
    assert.ok(r.ok, formatReason(c));
    assert.deepEqual({ protocol: r.value.protocol, cause: r.value.cause, text: r.value.text }, c);
  }
  assert.equal(formatReason({ protocol: "Q.850", cause: 16 }), "Q.850;cause=16");
  assert.equal(formatReason(cases[2]!), 'Q.850;cause=26;text="Answered \\"elsewhere\\" \\\\ ok"');
  assert.throws(() => formatReason({ protocol: "Q.850", cause: 1.5 }), /non-negative integer/);
  for (const cause of Object.values(CAUSES)) {
    const h = q850Reason(cause);
    assert.equal(h.name, "Reason");
    const r = parseReason(h.value);
    assert.ok(r.ok && r.value.cause === cause.q850 && r.value.text === cause.text, h.value);
  }
});

test("reason: a message's Reason list (comma-joined and repeated), Q.850 first, Warning code", () => {
  const msg = {
    headers: [
      headerField("Reason", 'SIP;cause=200;text="Call completed elsewhere", Q.850;cause=26;text="a, b"'),
      headerField("Reason", "Q.850;cause=16"),
      headerField("Reason", "garbage;cause=x"),
    ],
  };
  assert.deepEqual(reasonsOf(msg).map((r) => [r.protocol, r.cause, r.text]), [["SIP", 200, "Call completed elsewhere"], ["Q.850", 26, "a, b"], ["Q.850", 16, null]]);
  assert.equal(q850CauseOf(msg), 26);
  assert.equal(q850CauseOf({ headers: [] }), null);
  assert.equal(warningCodeOf({ headers: [headerField("Warning", '304 pbx.example.com "Media type not available"')] }), 304);
  assert.equal(warningCodeOf({ headers: [headerField("Warning", "bogus")] }), null);
});

test("reason: responseCause prefers the response's own Q.850 Reason (RFC 6432), else maps status and Warning", () => {
  assert.equal(responseCause({ status: 486, headers: [] }), 17);
  assert.equal(responseCause({ status: 480, headers: [headerField("Reason", "Q.850;cause=19")] }), 19);
  assert.equal(responseCause({ status: 488, headers: [headerField("Warning", '305 h "Incompatible media format"')] }), 65);
  assert.equal(responseCause({ status: 488, headers: [] }), 31);
});
