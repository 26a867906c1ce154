// The pure parts of bench/calls: reading SIPp's logs and statistics, the clean-step rule,
// the config template. Inputs are shaped like what SIPp 3.6.1 wrote in real runs.
//   node --conditions=hotline-source --import tsx --test bench/calls/calls.test.ts
import assert from "node:assert/strict";
import { test } from "node:test";
import { describeFirstCallFailure, firstError, parseMessageLog } from "./first-call.ts";
import { stepProblems } from "./report.ts";
import { durationSeconds, epochSeconds, quantileBucket, sendingRate, sideStats, type StepRun } from "./sipp.ts";
import { renderTemplate } from "./targets.ts";

const SEP = "----------------------------------------------- 2026-11-22 19:39:29.930391\n";

function sent(lines: string[]): string {
  return `${SEP}UDP message sent (611 bytes):\n\n${lines.join("\n")}\n\n`;
}
function received(lines: string[]): string {
  return `${SEP}UDP message received [324] bytes :\n\n${lines.join("\n")}\n\n`;
}

const INVITE = sent(["INVITE sip:2000@127.0.0.1:49909 SIP/2.0", "Via: SIP/2.0/UDP 127.0.0.1:41020;branch=z9hG4bK-1", "CSeq: 1 INVITE", "Content-Length: 0"]);
const answer = (status: string, method: string, extra: string[] = []): string =>
  received([`SIP/2.0 ${status}`, "Via: SIP/2.0/UDP 127.0.0.1:41020;branch=z9hG4bK-1", `CSeq: ${method === "INVITE" ? 1 : 2} ${method}`, ...extra, "Content-Length: 0"]);
const UAS_GOT_INVITE = received(["INVITE sip:2000@127.0.0.1:44849 SIP/2.0", "CSeq: 1 INVITE", "Content-Length: 0"]);
const logs = (uacMessages: string, uasMessages = "", uacErrors = "", uasErrors = ""): Parameters<typeof describeFirstCallFailure>[1] => ({ uacMessages, uasMessages, uacErrors, uasErrors });

test("parseMessageLog reads direction, start line, CSeq method and status; SIPp's 'Unexpected' echo is not a message", () => {
  const text = INVITE + answer("405 Method Not Allowed", "INVITE", ["Allow: REGISTER, OPTIONS, ACK, CANCEL"]) +
    "-----------------------------------------------\nUnexpected UDP message received:\n\nSIP/2.0 405 Method Not Allowed\nCSeq: 1 INVITE\n\n";
  const msgs = parseMessageLog(text);
  assert.deepEqual(
    msgs.map((m) => [m.direction, m.startLine, m.cseqMethod, m.status, m.headers.get("allow")]),
    [
      ["sent", "INVITE sip:2000@127.0.0.1:49909 SIP/2.0", "INVITE", undefined, undefined],
      ["received", "SIP/2.0 405 Method Not Allowed", "INVITE", 405, "REGISTER, OPTIONS, ACK, CANCEL"],
    ],
  );
});

test("a rejected first call names the status, the Reason/Warning and whether the called side saw it", () => {
  assert.equal(
    describeFirstCallFailure("hotline", logs(INVITE + answer("100 Trying", "INVITE") + answer("404 Not Found", "INVITE", ['Warning: 399 hotline "no route for 2000"']))),
    'hotline rejected the first call: 404 Not Found (399 hotline "no route for 2000") (nothing reached the called side)',
  );
  assert.equal(
    describeFirstCallFailure("hotline", logs(INVITE + answer("503 Service Unavailable", "INVITE", ["Reason: Q.850;cause=38"]), UAS_GOT_INVITE)),
    "hotline rejected the first call: 503 Service Unavailable (Q.850;cause=38) (the called side received the INVITE)",
  );
});

test("silence and provisional-only answers are told apart", () => {
  assert.equal(describeFirstCallFailure("hotline", logs(INVITE)), "hotline did not answer the first INVITE (nothing reached the called side)");
  assert.equal(
    describeFirstCallFailure("hotline", logs(INVITE + answer("100 Trying", "INVITE") + answer("180 Ringing", "INVITE"), UAS_GOT_INVITE)),
    "hotline answered the first INVITE only with 100, 180 and no final response (the called side received the INVITE)",
  );
});

test("a connected call that fails at the BYE or on the called side says so", () => {
  const connected = INVITE + answer("200 OK", "INVITE");
  assert.equal(describeFirstCallFailure("hotline", logs(connected)), "hotline connected the first call but did not answer its BYE");
  assert.equal(
    describeFirstCallFailure("hotline", logs(connected + answer("481 Call/Transaction Does Not Exist", "BYE"))),
    "hotline connected the first call but answered its BYE with 481 Call/Transaction Does Not Exist",
  );
  const uasErrors =
    "The following events occurred:\n2026-11-22\t19:38:39.147313\t1795376319.147313: Aborting call on unexpected message for Call-Id '91-27051@127.0.0.1': while expecting 'ACK' (index 3), received 'INVITE sip:2000@127.0.0.1:44293 SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:44293\n";
  assert.equal(
    describeFirstCallFailure("kamailio", logs(connected + answer("200 OK", "BYE"), UAS_GOT_INVITE, "", uasErrors)),
    "the first call through kamailio failed on the called side: Aborting call on unexpected message for Call-Id '91-27051@127.0.0.1': while expecting 'ACK' (index 3), received 'INVITE sip:2000@127.0.0.1:44293 SIP/2.0",
  );
  assert.equal(firstError("The following events occurred:\n"), undefined);
  // Events as SIPp 3.6.1 wrote them under overload: a late 200 first, then two aborts with no newline between them.
  const overload =
    "The following events occurred:\n2026-11-22\t19:57:41.307650\t1795377461.307650: Dead call 3124-12552@127.0.0.1 (successful), received 'SIP/2.0 200 OK\nVia: x\n\n'" +
    "2026-11-22\t19:57:55.787034\t1795377475.787034: Aborting call on an unexpected BYE for call: 5701-12552@127.0.0.1" +
    "2026-11-22\t19:57:55.787044\t1795377475.787044: Aborting call on an unexpected BYE for call: 5702-12552@127.0.0.1";
  assert.equal(firstError(overload), "Aborting call on an unexpected BYE for call: 5701-12552@127.0.0.1");
  assert.equal(firstError("2026-11-22\t19:57:41.307650\t1795377461.307650: Dead call 3124-12552@127.0.0.1 (successful), received 'SIP/2.0 200 OK\nVia: x\n"), "Dead call 3124-12552@127.0.0.1 (successful), received 'SIP/2.0 200 OK");
});

/** -trace_stat rows as SIPp writes them (-fd 1): StartTime and CurrentTime carry the epoch last. */
function statRows(points: Array<[number, number]>, extra: Record<string, string> = {}): Array<Map<string, string>> {
  const start = 1795376061.527306;
  const stamp = (t: number): string => `2026-11-22\t19:34:21.527306\t${(start + t).toFixed(6)}`;
  return points.map(([t, n]) => new Map([["StartTime", stamp(0)], ["CurrentTime", stamp(t)], ["ElapsedTime(C)", `00:00:0${Math.floor(t)}`], ["OutgoingCall(C)", String(n)], ...Object.entries(extra)]));
}

test("sendingRate uses the last row before every call was created, with the rows' microsecond timestamps", () => {
  // 400/s for 4 s (1600 calls), then the hold and teardown rows that would dilute CallRate(C).
  const rows = statRows([[0, 0], [1.0015, 400], [2.0031, 801], [3.0046, 1203], [4.0061, 1600], [5.0076, 1600]]);
  assert.equal(sendingRate(rows, 1600).toFixed(3), (1203 / 3.0046).toFixed(3));
  // A run shorter than a second: the first row with every call created.
  assert.equal(sendingRate(statRows([[0, 0], [0.5, 1]]), 1), 2);
  assert.ok(Number.isNaN(sendingRate([], 10)));
});

test("SIPp durations and timestamps", () => {
  assert.equal(durationSeconds("00:00:01:008000"), 1.008);
  assert.equal(durationSeconds("00:01:05"), 65);
  assert.ok(Number.isNaN(durationSeconds("soon")));
  assert.equal(epochSeconds("2026-11-22\t19:34:22.529534\t1795376062.529534"), 1795376062.529534);
});

test("quantileBucket picks the bucket holding the quantile", () => {
  const b = [{ label: "<1ms", count: 980 }, { label: "<5ms", count: 15 }, { label: "<20ms", count: 5 }, { label: ">=1000ms", count: 0 }];
  assert.deepEqual([quantileBucket(b, 0.5), quantileBucket(b, 0.99), quantileBucket(b, 1), quantileBucket([], 0.99)], ["<1ms", "<5ms", "<20ms", "-"]);
});

function run(uac: Record<string, string>, uas: Record<string, string>, processNotes: string[] = []): StepRun {
  const side = (v: Record<string, string>): ReturnType<typeof sideStats> =>
    sideStats([new Map(Object.entries({ "OutgoingCall(C)": "0", "IncomingCall(C)": "0", "Retransmissions(C)": "0", "FailedCall(C)": "0", "ResponseTime1(C)": "00:00:00:000000", ...v }))]);
  const files = { uacStat: "", uasStat: "", uacErrors: "", uasErrors: "", uacMessages: "", uasMessages: "" };
  return { wallS: 9, uac: side(uac), uas: side(uas), sentRate: 100, sippCpuS: 0, uacExit: 0, uasExit: 0, processNotes, uacStderr: "", files };
}

test("a step is clean only with every call completed and no failure or retransmission on either side", () => {
  assert.deepEqual(stepProblems(run({ "SuccessfulCall(C)": "800" }, { "SuccessfulCall(C)": "800" }), 800), []);
  assert.deepEqual(stepProblems(run({ "SuccessfulCall(C)": "800", "Retransmissions(C)": "3" }, { "SuccessfulCall(C)": "800" }), 800), ["3 UAC retransmissions"]);
  assert.deepEqual(
    stepProblems(run({ "SuccessfulCall(C)": "798", "FailedCall(C)": "2" }, { "SuccessfulCall(C)": "799", "FailedCall(C)": "1", "Retransmissions(C)": "4" }), 800),
    ["2 failed", "798/800 completed", "1 failed at the UAS", "4 UAS retransmissions"],
  );
  assert.deepEqual(stepProblems(run({ "SuccessfulCall(C)": "800" }, { "SuccessfulCall(C)": "790" }, ["UAS SIPp still waiting for calls 3 s after the UAC ended (killed)"]), 800), [
    "UAS SIPp still waiting for calls 3 s after the UAC ended (killed)",
    "790/800 completed at the UAS",
  ]);
});

test("renderTemplate fills every placeholder and refuses one it has no value for", () => {
  assert.equal(renderTemplate('match: ["127.0.0.1:${UAC_PORT}"]\nport: ${UAC_PORT}', { UAC_PORT: 41020 }), 'match: ["127.0.0.1:41020"]\nport: 41020');
  assert.throws(() => renderTemplate("port: ${SIP_PORT}", {}), /no value for \$\{SIP_PORT\}/);
});
