import { test } from "node:test";
import assert from "node:assert/strict";
import { parseMessage, type SipRequest } from "@hotline/sip";
import { createMemoryStore } from "../testing/memory-store.js";
import { Registrar, type RegistrarSettings } from "./registrar.js";

const SETTINGS: RegistrarSettings = { domain: "hotline.local", minExpires: 60, maxExpires: 3600, defaultExpires: 1800, maxContactsPerAor: 3 };
const SRC = { transport: "udp" as const, address: "127.0.0.1", port: 5070 };
const T0 = 1_700_000_000_000;

function register(opts: { user?: string; contacts?: string[]; expires?: number; callId?: string; cseq?: number }): SipRequest {
  const user = opts.user ?? "1001";
  const lines = [
    "REGISTER sip:hotline.local SIP/2.0",
    "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-r",
    `From: <sip:${user}@hotline.local>;tag=f1`,
    `To: <sip:${user}@127.0.0.1>`,
    `Call-ID: ${opts.callId ?? "call-1"}`,
    `CSeq: ${opts.cseq ?? 1} REGISTER`,
    ...(opts.contacts ?? []).map((c) => `Contact: ${c}`),
    ...(opts.expires === undefined ? [] : [`Expires: ${opts.expires}`]),
    "Content-Length: 0",
  ];
  const r = parseMessage(new Uint8Array(Buffer.from(lines.join("\r\n") + "\r\n\r\n")));
  assert.ok(r.ok && r.message.kind === "request");
  return r.message;
}

async function setup(): Promise<{ reg: Registrar; store: ReturnType<typeof createMemoryStore> }> {
  const store = createMemoryStore();
  const reg = new Registrar(SETTINGS, store);
  await reg.load(T0);
  return { reg, store };
}

test("register, fetch, and expiry with the AOR canonicalised to the domain", async () => {
  const { reg, store } = await setup();
  const out = await reg.register(register({ contacts: ["<sip:1001@127.0.0.1:5070>"], expires: 120 }), "1001", SRC, T0);
  assert.equal(out.status, 200);
  assert.ok(out.status === 200 && out.aor === "sip:1001@hotline.local");
  assert.equal((await store.bindings.listAll()).length, 1, "written through before the answer");
  const fetch = await reg.register(register({ cseq: 2 }), "1001", SRC, T0 + 1000);
  assert.ok(fetch.status === 200 && fetch.bindings.length === 1);
  assert.equal(reg.lookup("sip:1001@hotline.local", T0 + 119_000).length, 1);
  assert.equal(reg.lookup("sip:1001@hotline.local", T0 + 120_000).length, 0, "expired at exactly expiresAt");
  const gone = await reg.expire(T0 + 121_000);
  assert.equal(gone.length, 1);
  assert.equal((await store.bindings.listAll()).length, 0);
});

test("expires: contact parameter beats header; too brief → 423; capped at max", async () => {
  const { reg } = await setup();
  const brief = await reg.register(register({ contacts: ["<sip:1001@h:1>"], expires: 30 }), "1001", SRC, T0);
  assert.deepEqual(brief, { status: 423, minExpires: 60 });
  const param = await reg.register(register({ contacts: ["<sip:1001@h:1>;expires=90"], expires: 30 }), "1001", SRC, T0);
  assert.ok(param.status === 200);
  assert.equal(param.bindings[0]!.expiresAt, T0 + 90_000);
  const capped = await reg.register(register({ contacts: ["<sip:1001@h:1>;expires=99999"], cseq: 2 }), "1001", SRC, T0);
  assert.ok(capped.status === 200);
  assert.equal(capped.bindings[0]!.expiresAt, T0 + 3600_000);
});

test("only the AOR's own user may change it (403)", async () => {
  const { reg } = await setup();
  const out = await reg.register(register({ user: "1002", contacts: ["<sip:x@h>"] }), "1001", SRC, T0);
  assert.equal(out.status, 403);
});

test("several contacts, q ordering, and the per-AOR limit evicts the oldest", async () => {
  const { reg } = await setup();
  await reg.register(register({ contacts: ["<sip:1001@h:1>;q=0.5"], callId: "a" }), "1001", SRC, T0);
  await reg.register(register({ contacts: ["<sip:1001@h:2>;q=1.0"], callId: "b" }), "1001", SRC, T0 + 1);
  await reg.register(register({ contacts: ["<sip:1001@h:3>;q=0.1"], callId: "c" }), "1001", SRC, T0 + 2);
  assert.deepEqual(reg.lookup("sip:1001@hotline.local", T0 + 3).map((b) => b.contact), ["sip:1001@h:2", "sip:1001@h:1", "sip:1001@h:3"]);
  await reg.register(register({ contacts: ["<sip:1001@h:4>"], callId: "d" }), "1001", SRC, T0 + 3);
  const left = reg.lookup("sip:1001@hotline.local", T0 + 4).map((b) => b.contact).sort();
  assert.deepEqual(left, ["sip:1001@h:2", "sip:1001@h:3", "sip:1001@h:4"]);
});

test("refresh with a higher CSeq updates; same Call-ID with an old CSeq is out of order", async () => {
  const { reg } = await setup();
  await reg.register(register({ contacts: ["<sip:1001@h:1>"], cseq: 5, expires: 60 }), "1001", SRC, T0);
  const refresh = await reg.register(register({ contacts: ["<sip:1001@h:1>"], cseq: 6, expires: 120 }), "1001", SRC, T0 + 30_000);
  assert.ok(refresh.status === 200);
  assert.equal(refresh.bindings[0]!.expiresAt, T0 + 150_000);
  const stale = await reg.register(register({ contacts: ["<sip:1001@h:1>"], cseq: 4 }), "1001", SRC, T0 + 31_000);
  assert.equal(stale.status, 400);
  // A retransmission (same Call-ID and CSeq) is answered again and changes nothing.
  const again = await reg.register(register({ contacts: ["<sip:1001@h:1>"], cseq: 6, expires: 120 }), "1001", SRC, T0 + 40_000);
  assert.ok(again.status === 200);
  assert.equal(again.bindings[0]!.expiresAt, T0 + 150_000);
});

test("unregister one contact with expires=0, and all with '*' + Expires: 0", async () => {
  const { reg, store } = await setup();
  await reg.register(register({ contacts: ["<sip:1001@h:1>", "<sip:1001@h:2>"], cseq: 1 }), "1001", SRC, T0);
  await reg.register(register({ contacts: ["<sip:1001@h:1>;expires=0"], cseq: 2 }), "1001", SRC, T0);
  assert.equal(reg.lookup("sip:1001@hotline.local", T0).length, 1);
  const badStar = await reg.register(register({ contacts: ["*"], cseq: 3 }), "1001", SRC, T0);
  assert.equal(badStar.status, 400, "* needs Expires: 0");
  const star = await reg.register(register({ contacts: ["*"], expires: 0, cseq: 4 }), "1001", SRC, T0);
  assert.ok(star.status === 200 && star.bindings.length === 0);
  assert.equal((await store.bindings.listAll()).length, 0);
});

test("RFC 5626 instance-id replaces the old flow of the same device", async () => {
  const { reg } = await setup();
  const inst = ';+sip.instance="<urn:uuid:0000-1>";reg-id=1';
  await reg.register(register({ contacts: [`<sip:1001@10.0.0.1:5060>${inst}`], callId: "x1" }), "1001", SRC, T0);
  await reg.register(register({ contacts: [`<sip:1001@10.0.0.2:6060>${inst}`], callId: "x2" }), "1001", SRC, T0 + 1);
  assert.deepEqual(reg.lookup("sip:1001@hotline.local", T0 + 2).map((b) => b.contact), ["sip:1001@10.0.0.2:6060"]);
});

test("bindings survive a restart (reload from the store); unreachable ones are skipped in lookup", async () => {
  const { reg, store } = await setup();
  await reg.register(register({ contacts: ["<sip:1001@h:1>"] }), "1001", SRC, T0);
  const again = new Registrar(SETTINGS, store);
  assert.equal(await again.load(T0 + 1000), 1);
  assert.equal(again.lookup("sip:1001@hotline.local", T0 + 1000)[0]?.source.port, 5070);
  again.markProbe("sip:1001@hotline.local", "sip:1001@h:1", false, 2);
  assert.equal(again.lookup("sip:1001@hotline.local", T0 + 1000).length, 1);
  again.markProbe("sip:1001@hotline.local", "sip:1001@h:1", false, 2);
  assert.equal(again.lookup("sip:1001@hotline.local", T0 + 1000).length, 0);
  again.markProbe("sip:1001@hotline.local", "sip:1001@h:1", true, 2);
  assert.equal(again.lookup("sip:1001@hotline.local", T0 + 1000).length, 1);
});
