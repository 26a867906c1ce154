// bench/calls: before its ladder, each target gets one probe call with SIPp's message logs
// on. When it fails, this says why in one sentence ("hotline rejected the first call: 404
// Not Found") instead of a ladder of failed steps. Pure: takes the logs' text.

/** One message from a SIPp -trace_msg log. */
export interface LoggedMessage {
  direction: "sent" | "received";
  /** Request-Line or Status-Line. */
  startLine: string;
  /** The method of the CSeq header. */
  cseqMethod: string;
  /** Status code of a response, undefined for a request. */
  status: number | undefined;
  headers: Map<string, string>;
}

/**
 * Splits a SIPp -trace_msg log ("----- <time>\nUDP message sent (611 bytes):\n\n<message>")
 * into messages. Headers are keyed by lower-case name; the first occurrence wins.
 */
export function parseMessageLog(text: string): LoggedMessage[] {
  const out: LoggedMessage[] = [];
  for (const block of text.split(/^-{10,}.*$/m)) {
    const head = /^\s*\S+ message (sent|received)\b[^\n]*\n/.exec(block);
    if (head === null) continue;
    const lines = block.slice(head[0].length).replace(/^\s*\n/, "").split(/\r?\n/);
    const startLine = (lines[0] ?? "").trim();
    const headers = new Map<string, string>();
    for (const line of lines.slice(1)) {
      if (line.trim() === "") break;
      const colon = line.indexOf(":");
      if (colon <= 0) continue;
      const name = line.slice(0, colon).trim().toLowerCase();
      if (!headers.has(name)) headers.set(name, line.slice(colon + 1).trim());
    }
    const statusMatch = /^SIP\/2\.0 (\d{3})\b/.exec(startLine);
    out.push({
      direction: head[1] === "sent" ? "sent" : "received",
      startLine,
      cseqMethod: (headers.get("cseq") ?? "").split(/\s+/)[1] ?? "",
      status: statusMatch?.[1] === undefined ? undefined : Number(statusMatch[1]),
      headers,
    });
  }
  return out;
}

const EVENT_STAMP = /\d{4}-\d\d-\d\d\s+[\d:.]+\s+\d+\.\d+:\s*/g;

/**
 * The first event of a SIPp -trace_err log ("<date>\t<time>\t<epoch>: Aborting call …") that
 * aborted a call, else the first event: its first line only (a quoted message follows on the
 * next lines), without the timestamp. SIPp does not always end an event with a newline, so
 * events are split at the timestamps. "Dead call" events (a retransmission after the call
 * ended) are late echoes of the cause, not the cause.
 */
export function firstError(text: string): string | undefined {
  const events = text
    .split(EVENT_STAMP)
    .slice(1)
    .map((e) => (e.split("\n", 1)[0] ?? "").trim())
    .filter((e) => e !== "");
  const pick = events.find((e) => e.startsWith("Aborting")) ?? events.find((e) => !e.startsWith("Dead call")) ?? events[0];
  return pick?.slice(0, 200);
}

function explain(m: LoggedMessage): string {
  const extra = ["reason", "warning"].map((h) => m.headers.get(h)).filter((v): v is string => v !== undefined);
  return m.startLine.replace(/^SIP\/2\.0 /, "") + (extra.length > 0 ? ` (${extra.join("; ")})` : "");
}

export interface FirstCallLogs {
  uacMessages: string;
  uasMessages: string;
  uacErrors: string;
  uasErrors: string;
}

/** Why the probe call through `target` failed, in one sentence. */
export function describeFirstCallFailure(target: string, logs: FirstCallLogs): string {
  const uac = parseMessageLog(logs.uacMessages).filter((m) => m.direction === "received");
  const reachedUas = parseMessageLog(logs.uasMessages).some((m) => m.direction === "received" && m.startLine.startsWith("INVITE "));
  const called = reachedUas ? "the called side received the INVITE" : "nothing reached the called side";
  const inviteAnswers = uac.filter((m) => m.cseqMethod === "INVITE" && m.status !== undefined);
  const final = inviteAnswers.find((m) => (m.status ?? 0) >= 200);
  if (final === undefined) {
    if (inviteAnswers.length === 0) return `${target} did not answer the first INVITE (${called})`;
    return `${target} answered the first INVITE only with ${inviteAnswers.map((m) => m.status).join(", ")} and no final response (${called})`;
  }
  if ((final.status ?? 0) >= 300) return `${target} rejected the first call: ${explain(final)} (${called})`;
  const bye = uac.find((m) => m.cseqMethod === "BYE" && (m.status ?? 0) >= 200);
  if (bye === undefined) return `${target} connected the first call but did not answer its BYE`;
  if ((bye.status ?? 0) >= 300) return `${target} connected the first call but answered its BYE with ${explain(bye)}`;
  const uasError = firstError(logs.uasErrors);
  if (uasError !== undefined) return `the first call through ${target} failed on the called side: ${uasError}`;
  const uacError = firstError(logs.uacErrors);
  return `the first call through ${target} failed: ${uacError ?? "SIPp reported a failed call without an error line"}`;
}
