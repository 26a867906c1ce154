// RFC 4475 / RFC 5118 torture messages (fixtures/sip/torture): each message's exact
// expected outcome — the parsed fields, the exact stateless answer, or the drop reason.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { classifyInbound, getHeader, getHeaderFields, summarize, type SipMessage } from "./index.js";

const DIR = join(import.meta.dirname, "../../../fixtures/sip/torture");

interface Expect {
  rfc: string;
  title: string;
  outcome: "accept" | "reject" | "drop";
  status?: number;
  reason?: string;
  transport?: "udp" | "stream";
  fields?: {
    kind: "request" | "response";
    method?: string;
    status?: number;
    requestUri?: string;
    callId: string;
    cseq: { seq: number; method: string };
    fromTag: string | null;
    toTag: string | null;
    viaCount: number;
    topViaBranch: string | null;
    topViaHost: string;
    topViaPort: number | null;
    maxForwards: number | null;
    contentLength: number;
    headers?: Record<string, string | string[]>;
  };
}

function checkFields(msg: SipMessage, f: NonNullable<Expect["fields"]>, name: string): void {
  assert.equal(msg.kind, f.kind, name);
  if (msg.kind === "request") {
    assert.equal(msg.method, f.method, `${name}: method`);
    assert.equal(msg.uri, f.requestUri, `${name}: Request-URI`);
  } else assert.equal(msg.status, f.status, `${name}: status`);
  const s = summarize(msg);
  assert.ok(s !== null, `${name}: summary`);
  assert.equal(s.callId, f.callId, `${name}: Call-ID`);
  assert.deepEqual(s.cseq, f.cseq, `${name}: CSeq`);
  assert.equal(s.fromTag, f.fromTag, `${name}: From tag`);
  assert.equal(s.toTag, f.toTag, `${name}: To tag`);
  assert.equal(s.viaCount, f.viaCount, `${name}: Via count`);
  assert.equal(s.topVia.branch, f.topViaBranch, `${name}: top Via branch`);
  assert.equal(s.topVia.host, f.topViaHost, `${name}: top Via host`);
  assert.equal(s.topVia.port, f.topViaPort, `${name}: top Via port`);
  const mf = getHeader(msg, "max-forwards");
  assert.equal(mf === undefined ? null : Number(mf), f.maxForwards, `${name}: Max-Forwards`);
  assert.equal(msg.body.length, f.contentLength, `${name}: body length`);
  for (const [key, want] of Object.entries(f.headers ?? {})) {
    const got = getHeaderFields(msg, key);
    assert.deepEqual(Array.isArray(want) ? got : got[0], want, `${name}: header ${key}`);
  }
}

for (const group of ["valid", "invalid"]) {
  for (const file of readdirSync(join(DIR, group)).filter((f) => f.endsWith(".sip")).sort()) {
    const name = file.slice(0, -4);
    const expect = JSON.parse(readFileSync(join(DIR, group, `${name}.expect.json`), "utf8")) as Expect;
    test(`${group}/${name} (RFC ${expect.rfc}, ${expect.title}) → ${expect.outcome}${expect.status ? ` ${expect.status}` : ""}`, () => {
      const bytes = new Uint8Array(readFileSync(join(DIR, group, file)));
      const got = classifyInbound(bytes, { stream: expect.transport === "stream" });
      if (expect.outcome === "accept") {
        assert.ok(got.type === "request" || got.type === "response", `${name}: expected accept, got ${JSON.stringify({ ...got, headers: undefined })}`);
        checkFields(got.type === "request" ? got.request : got.response, expect.fields!, name);
      } else if (expect.outcome === "reject") {
        assert.equal(got.type, "reject", `${name}: ${JSON.stringify({ ...got, headers: undefined, request: undefined })}`);
        assert.ok(got.type === "reject");
        assert.equal(got.status, expect.status, `${name}: status`);
        assert.equal(got.reason, expect.reason, `${name}: reason`);
      } else {
        assert.equal(got.type, "drop", `${name}: ${JSON.stringify({ ...got, headers: undefined })}`);
        assert.ok(got.type === "drop");
        assert.equal(got.reason, expect.reason, `${name}: drop reason`);
      }
    });
  }
}
