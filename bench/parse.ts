// bench/parse: parse + serialize throughput of hotline's SIP parser on typical messages,
// against the parsers of two public JavaScript SIP stacks measured in the same run:
// sip.js 0.21.2 (Parser.parseMessage) and JsSIP 3.13.8 (Parser.parseMessage). Those two
// only parse (their toString() returns the stored text), so the fair ratio is parse vs
// parse; hotline's parse+serialize and its full inbound path (parse + sanity checks +
// transaction identity) are reported too. Bounded: a fixed time budget per measurement.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { classifyInbound, parseMessage, serializeMessage, summarize } from "@hotline/sip";
import { Parser as SipJsParser } from "sip.js/lib/core/messages/parser.js";

const require = createRequire(import.meta.url);
// JsSIP ships CommonJS without typings for its internal Parser module.
const JsSipParser = require("jssip/lib/Parser.js") as { parseMessage(data: string, ua: object): { method?: string } | undefined };

const FIXTURES = join(import.meta.dirname, "../fixtures/sip/typical");
const MESSAGES = [
  { name: "invite", file: "invite.sip" },
  { name: "register", file: "register.sip" },
  { name: "ok", file: "ok-200.sip" },
] as const;
const silent = { warn() {}, error() {}, log() {}, debug() {} };

/** ns per operation: warm up, then run for `budgetMs` in batches and keep the best batch. */
function measure(op: () => void, budgetMs: number): number {
  for (let i = 0; i < 2000; i++) op();
  let best = Infinity;
  const end = Date.now() + budgetMs;
  let batch = 1000;
  while (Date.now() < end) {
    const t = process.hrtime.bigint();
    for (let i = 0; i < batch; i++) op();
    const ns = Number(process.hrtime.bigint() - t) / batch;
    best = Math.min(best, ns);
    if (ns * batch < 20e6) batch *= 2; // batches of ~20 ms
  }
  return best;
}

const rows: Record<string, number> = {};
const fmt = (ns: number): string => (ns >= 1e6 ? `${(ns / 1e6).toFixed(2)} ms` : ns >= 1e3 ? `${(ns / 1e3).toFixed(2)} µs` : `${ns.toFixed(0)} ns`);
console.log("message    hotline parse  +serialize  full inbound  sip.js parse  JsSIP parse   vs sip.js  vs JsSIP");
/**
 * 1,024 variants of a message with distinct Call-ID, branch and tags, used in rotation:
 * real traffic never repeats those, and repeating them would let the header-parser memo
 * (which only helps within one message) answer from cache across messages.
 */
function variants(text: string): Uint8Array[] {
  return Array.from({ length: 1024 }, (_, i) =>
    new Uint8Array(
      Buffer.from(
        text
          .replace(/Call-ID: ([^\r]+)/, `Call-ID: v${i}-$1`)
          .replace(/branch=([^;\r,]+)/g, `branch=$1-v${i}`)
          .replace(/tag=([^;\r]+)/g, `tag=$1${i}`),
      ),
    ),
  );
}

for (const m of MESSAGES) {
  const original = new Uint8Array(readFileSync(join(FIXTURES, m.file)));
  const text = Buffer.from(original).toString("utf8");
  const all = variants(text);
  let k = 0;
  const next = (): Uint8Array => all[k++ & 1023]!;
  const bytes = all[0]!;
  const check = parseMessage(bytes);
  if (!check.ok) throw new Error(`${m.file}: ${check.error.reason}`);
  if (SipJsParser.parseMessage(text, silent as never) === undefined) throw new Error(`sip.js cannot parse ${m.file}`);
  if (JsSipParser.parseMessage(text, {}) === undefined) throw new Error(`JsSIP cannot parse ${m.file}`);
  const parse = measure(() => {
    if (!parseMessage(next()).ok) throw new Error("parse");
  }, 1500);
  const both = measure(() => {
    const r = parseMessage(next());
    if (r.ok) serializeMessage(r.message);
  }, 1500);
  const full = measure(() => {
    const r = classifyInbound(next());
    if (r.type === "request") summarize(r.request);
    else if (r.type === "response") summarize(r.response);
  }, 1500);
  const sipjs = measure(() => void SipJsParser.parseMessage(text, silent as never), 1500);
  const jssip = measure(() => void JsSipParser.parseMessage(text, {}), 1500);
  rows[`${m.name}_ns`] = Math.round(both);
  rows[`${m.name}_parse_ns`] = Math.round(parse);
  rows[`${m.name}_full_ns`] = Math.round(full);
  rows[`${m.name}_sipjs_ns`] = Math.round(sipjs);
  rows[`${m.name}_jssip_ns`] = Math.round(jssip);
  console.log(
    `${m.name.padEnd(10)} ${fmt(parse).padStart(13)} ${fmt(both).padStart(11)} ${fmt(full).padStart(13)} ${fmt(sipjs).padStart(13)} ${fmt(jssip).padStart(12)}` +
      ` ${(sipjs / parse).toFixed(0).padStart(9)}x ${(jssip / parse).toFixed(0).padStart(8)}x`,
  );
}
const inv = rows["invite_ns"]!;
console.log(`\nparse+serialize of a typical INVITE: ${fmt(inv)} → ${Math.round(1e9 / inv).toLocaleString("en")} messages/s on one core (goal: under 5 µs)`);
console.log(
  `RESULT name=parse invite_ns=${inv} register_ns=${rows["register_ns"]} ok_ns=${rows["ok_ns"]} invite_per_s=${Math.round(1e9 / inv)}` +
    ` invite_full_ns=${rows["invite_full_ns"]} sipjs_invite_ns=${rows["invite_sipjs_ns"]} jssip_invite_ns=${rows["invite_jssip_ns"]}` +
    ` ratio_vs_sipjs=${(rows["invite_sipjs_ns"]! / rows["invite_parse_ns"]!).toFixed(0)} ratio_vs_jssip=${(rows["invite_jssip_ns"]! / rows["invite_parse_ns"]!).toFixed(0)}`,
);
