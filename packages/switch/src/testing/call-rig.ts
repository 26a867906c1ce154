// In-process fakes for call-manager unit tests (real peers are in tests/e2e).
import assert from "node:assert/strict";
import {
  createResponse,
  decodeUtf8,
  encodeUtf8,
  getHeader,
  headerField,
  parseMessage,
  type FlowEndpoint,
  type HeaderField,
  type SipMessage,
  type SipRequest,
  type SipResponse,
} from "@hotline/sip";
import { BruteForceGuard, DigestAuthenticator, ha1Md5, ha1Sha256 } from "../auth/index.js";
import { Metrics } from "../metrics.js";
import { Registrar } from "../registrar/registrar.js";
import { effectiveSettings, Router, TrunkMatcher, normalizeInbound, type DialPlan, type ExtensionSettingsOverride } from "../routing/index.js";
import { examplePlan, EXAMPLE_EXTENSIONS } from "../routing/example-plan.js";
import { createMemoryStore } from "./memory-store.js";
import type { Call } from "../calls/call.js";
import type { RoutingPort, ExtensionCallSettings, ExtensionSettingsPatch, TrunkInfo } from "../calls/call-context.js";
import { CallManager } from "../calls/call-manager.js";
import type { CallRecorder } from "../calls/call-recorder.js";
import type { CancelTimer, ClientTransactionHandler, MediaEndpoint, MediaEndpointConfig, MediaEvent, MediaPort, MediaStats, MixOptions, PlaySource, Scheduler, SipPort } from "../calls/ports.js";

export const T0 = 1_800_000_000_000;

export class FakeScheduler implements Scheduler {
  t = T0;
  private timers: { at: number; fn: () => void; live: boolean }[] = [];
  now(): number {
    return this.t;
  }
  after(ms: number, fn: () => void): CancelTimer {
    const entry = { at: this.t + ms, fn, live: true };
    this.timers.push(entry);
    return () => {
      entry.live = false;
    };
  }
  /** Moves the clock, firing due timers in order. */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      const due = this.timers.filter((x) => x.live && x.at <= end).sort((a, b) => a.at - b.at)[0];
      if (due === undefined) break;
      due.live = false;
      this.t = due.at;
      due.fn();
    }
    this.t = end;
    this.timers = this.timers.filter((x) => x.live);
  }
}

export interface SentRequest {
  request: SipRequest;
  destination: FlowEndpoint;
  handler: ClientTransactionHandler;
}

export class FakeSip implements SipPort {
  readonly responses: { txId: string; response: SipResponse }[] = [];
  readonly requests: SentRequest[] = [];
  readonly stateless: { message: SipMessage; destination: FlowEndpoint }[] = [];
  private n = 0;
  respond(txId: string, response: SipResponse): void {
    this.responses.push({ txId, response });
  }
  sendRequest(request: SipRequest, destination: FlowEndpoint, handler: ClientTransactionHandler): void {
    this.requests.push({ request, destination, handler });
  }
  sendStateless(message: SipMessage, destination: FlowEndpoint): void {
    this.stateless.push({ message, destination });
  }
  cancelTargets = new Map<string, string>();
  inviteTransactionFor(cancel: SipRequest): string | null {
    return this.cancelTargets.get(getHeader(cancel, "call-id") ?? "") ?? null;
  }
  sentBy(): string {
    return "127.0.0.1:5060";
  }
  newBranch(): string {
    return `z9hG4bKtest${++this.n}`;
  }
  newToken(): string {
    return `tok${++this.n}`;
  }
  statuses(txId: string): number[] {
    return this.responses.filter((r) => r.txId === txId).map((r) => r.response.status);
  }
  lastRequest(method: string): SentRequest {
    const r = [...this.requests].reverse().find((x) => x.request.method === method);
    assert.ok(r !== undefined, `no ${method} was sent`);
    return r;
  }
}

export class FakeMedia implements MediaPort {
  private port = 20000;
  readonly configured = new Map<string, MediaEndpointConfig>();
  readonly bridges: [string, string][] = [];
  readonly plays: { id: string; source: PlaySource | null }[] = [];
  readonly dtmf: { id: string; digit: string }[] = [];
  readonly released: string[] = [];
  readonly allocated: string[] = [];
  private listener: (e: MediaEvent) => void = () => undefined;
  async allocate(group: string): Promise<MediaEndpoint> {
    const p = (this.port += 2);
    this.allocated.push(`${group}/${p}`);
    return { id: `${group}/${p}`, address: "127.0.0.1", rtpPort: p, rtcpPort: p + 1 };
  }
  configure(id: string, cfg: MediaEndpointConfig): void {
    this.configured.set(id, cfg);
  }
  bridge(a: string, b: string): void {
    this.bridges.push([a, b]);
  }
  unbridge(): void {}
  /** Current room and options of each mixed endpoint. */
  readonly mixes = new Map<string, { room: string; options: MixOptions }>();
  mix(id: string, room: string, options: MixOptions): void {
    this.mixes.set(id, { room, options });
  }
  unmix(id: string): void {
    this.mixes.delete(id);
  }
  play(id: string, source: PlaySource | null): void {
    this.plays.push({ id, source });
  }
  sendDtmf(id: string, digit: string): void {
    this.dtmf.push({ id, digit });
  }
  onEvent(l: (e: MediaEvent) => void): void {
    this.listener = l;
  }
  emit(e: MediaEvent): void {
    this.listener(e);
  }
  async stats(): Promise<MediaStats> {
    return { packetsIn: 5, packetsOut: 5, bytesIn: 0, bytesOut: 0, lost: 0, jitterMs: 0, dtmfIn: 0, dtmfOut: 0, latchedTo: null, remoteLoss: null, remoteJitterMs: null };
  }
  async release(id: string): Promise<void> {
    this.released.push(id);
  }
}

export class FakeRecorder implements CallRecorder {
  readonly events: { callId: string; type: string; data: Record<string, unknown> }[] = [];
  readonly endedCalls: Call[] = [];
  started(call: Call): void {
    this.event(call, "call.started", {});
  }
  readonly notes: { type: string; data: Record<string, unknown> }[] = [];
  note(type: string, data: Record<string, unknown>): void {
    this.notes.push({ type, data });
  }
  event(call: Call, type: string, data: Record<string, unknown>): void {
    this.events.push({ callId: call.id, type, data });
  }
  answered(call: Call): void {
    this.event(call, "call.answered", {});
  }
  async ended(call: Call): Promise<void> {
    this.endedCalls.push(call);
  }
}

export class TestRouting implements RoutingPort {
  readonly router: Router;
  readonly overrides = new Map<string, ExtensionSettingsOverride>();
  readonly park = { code: "700", slots: ["701", "702"], timeoutSeconds: 60 };
  get queues(): DialPlan["queues"] {
    return this.plan.queues;
  }
  get agents(): DialPlan["agents"] {
    return this.plan.agents;
  }
  private readonly matcher: TrunkMatcher;
  constructor(readonly plan: DialPlan = examplePlan()) {
    this.router = new Router(plan, (e) => EXAMPLE_EXTENSIONS.has(e));
    this.matcher = new TrunkMatcher(plan.trunks);
  }
  route: RoutingPort["route"] = (i, now) => this.router.route(i, now);
  resolve: RoutingPort["resolve"] = (d, i, now) => this.router.resolve(d, i, now);
  async settings(ext: string): Promise<ExtensionCallSettings> {
    return effectiveSettings(this.plan, ext, this.overrides.get(ext) ?? null);
  }
  async updateSettings(ext: string, patch: ExtensionSettingsPatch): Promise<void> {
    const cur = this.overrides.get(ext) ?? { dnd: null, callWaiting: null, forwardAlways: null, forwardBusy: null, forwardNoAnswer: null };
    this.overrides.set(ext, { ...cur, ...Object.fromEntries(Object.entries(patch).map(([k, v]) => [k, v === null ? "" : v])) });
  }
  trunk(name: string): TrunkInfo | undefined {
    const t = this.plan.trunks[name];
    return t === undefined ? undefined : { name, flow: { transport: t.transport, address: t.host, port: t.port }, hostPort: `${t.host}:${t.port}`, credentials: t.auth, callerId: t.callerId };
  }
  trunkFor(s: FlowEndpoint): string | null {
    return this.matcher.trunkFor(s.address, s.port);
  }
  normalize(trunk: string, n: string): string {
    return normalizeInbound(this.plan.trunks[trunk] ?? null, n);
  }
}

export interface Rig {
  manager: CallManager;
  metrics: Metrics;
  sip: FakeSip;
  media: FakeMedia;
  clock: FakeScheduler;
  recorder: FakeRecorder;
  routing: TestRouting;
  registrar: Registrar;
}

/** A call manager with example dial plan; `phones` are registered (ext → udp port). */
export async function rig(phones: Record<string, number[]>, plan?: DialPlan, auth: { passwords: Record<string, string> } | null = null): Promise<Rig> {
  const store = createMemoryStore();
  for (const [ext, ports] of Object.entries(phones)) {
    for (const port of ports) {
      await store.bindings.upsert({
        aor: `sip:${ext}@hotline.test`,
        contact: `sip:${ext}@127.0.0.1:${port}`,
        callId: `reg-${ext}-${port}`,
        cseq: 1,
        expiresAt: T0 + 3_600_000,
        q: null,
        source: { transport: "udp", address: "127.0.0.1", port },
        userAgent: null,
        instanceId: null,
        regId: null,
        updatedAt: T0,
      });
    }
  }
  const registrar = new Registrar({ domain: "hotline.test", minExpires: 60, maxExpires: 3600, defaultExpires: 600, maxContactsPerAor: 5 }, store);
  await registrar.load(T0);
  const sip = new FakeSip();
  const media = new FakeMedia();
  const clock = new FakeScheduler();
  const recorder = new FakeRecorder();
  const routing = new TestRouting(plan);
  const metrics = new Metrics();
  const manager = new CallManager({
    sip,
    media,
    scheduler: clock,
    registrar,
    authenticator: new DigestAuthenticator({ realm: "hotline.test", algorithms: ["MD5"], nonceTtlMs: 60_000, secret: new Uint8Array(32), randomBytes: (n) => new Uint8Array(n) }),
    guard: new BruteForceGuard({ maxFailures: 10, windowMs: 60_000, blockMs: 60_000 }),
    users: async (u) => {
      const pw = auth?.passwords[u];
      return pw === undefined ? null : { username: u, displayName: null, realm: "hotline.test", ha1Md5: ha1Md5(u, "hotline.test", pw), ha1Sha256: ha1Sha256(u, "hotline.test", pw), createdAt: T0 };
    },
    routing,
    recorder,
    metrics,
    options: { domain: "hotline.test", nodeId: "test", authenticateInvites: auth !== null, ringSeconds: 30, maxCallSeconds: 3600, sessionExpires: 1800, minSE: 90 },
    mediaAddress: "127.0.0.1",
    random: () => 0.5,
    log: { info: () => undefined, warn: () => undefined, error: () => undefined },
  });
  return { manager, metrics, sip, media, clock, recorder, routing, registrar };
}

export const OFFER = [
  "v=0",
  "o=phone 1 1 IN IP4 127.0.0.1",
  "s=-",
  "c=IN IP4 127.0.0.1",
  "t=0 0",
  "m=audio 40000 RTP/AVP 8 0 101",
  "a=rtpmap:8 PCMA/8000",
  "a=rtpmap:0 PCMU/8000",
  "a=rtpmap:101 telephone-event/8000",
  "a=sendrecv",
  "",
].join("\r\n");

export function answerSdp(port: number, codec: "PCMA" | "PCMU" = "PCMA", direction = "sendrecv"): string {
  const pt = codec === "PCMA" ? 8 : 0;
  return ["v=0", "o=callee 1 1 IN IP4 127.0.0.1", "s=-", "c=IN IP4 127.0.0.1", "t=0 0", `m=audio ${port} RTP/AVP ${pt} 101`, `a=rtpmap:${pt} ${codec}/8000`, "a=rtpmap:101 telephone-event/8000", `a=${direction}`, ""].join("\r\n");
}

let callSeq = 0;
/** An INVITE from `from` (an extension at 127.0.0.1:port) to `to`. */
export function invite(from: string, to: string, opts: { port?: number; sdp?: string | null; callId?: string; headers?: string[] } = {}): SipRequest {
  const body = opts.sdp === undefined ? OFFER : (opts.sdp ?? "");
  const callId = opts.callId ?? `call-${++callSeq}`;
  return parse(
    [
      `INVITE sip:${to}@hotline.test SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${opts.port ?? 5071};branch=z9hG4bK${callId}`,
      `From: <sip:${from}@hotline.test>;tag=ft-${callId}`,
      `To: <sip:${to}@hotline.test>`,
      `Call-ID: ${callId}`,
      "CSeq: 1 INVITE",
      `Contact: <sip:${from}@127.0.0.1:${opts.port ?? 5071}>`,
      "Max-Forwards: 70",
      ...(opts.headers ?? []),
      ...(body === "" ? [] : ["Content-Type: application/sdp"]),
      `Content-Length: ${Buffer.byteLength(body)}`,
      "",
      body,
    ].join("\r\n"),
  );
}

/** An in-dialog request from the caller, after hotline's 2xx (its To tag). */
export function inDialog(method: string, inv: SipRequest, toTag: string, cseq: number, opts: { body?: string; headers?: string[] } = {}): SipRequest {
  const body = opts.body ?? "";
  const h = (k: string): string => getHeader(inv, k) ?? "";
  return parse(
    [
      `${method} sip:hotline@127.0.0.1:5060 SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:5071;branch=z9hG4bK${method}${cseq}${h("call-id")}`,
      `From: ${h("from")}`,
      `To: ${h("to")};tag=${toTag}`,
      `Call-ID: ${h("call-id")}`,
      `CSeq: ${cseq} ${method}`,
      "Max-Forwards: 70",
      "Contact: <sip:caller@127.0.0.1:5071>",
      ...(opts.headers ?? []),
      ...(body === "" ? [] : ["Content-Type: application/sdp"]),
      `Content-Length: ${Buffer.byteLength(body)}`,
      "",
      body,
    ].join("\r\n"),
  );
}

/** The callee's response to an INVITE hotline sent. */
export function reply(req: SipRequest, status: number, opts: { toTag?: string; sdp?: string; headers?: HeaderField[] } = {}): SipResponse {
  const headers: HeaderField[] = [headerField("Contact", "<sip:callee@127.0.0.1:5080>"), ...(opts.headers ?? [])];
  if (opts.sdp !== undefined) headers.push(headerField("Content-Type", "application/sdp"));
  return createResponse(req, status, { toTag: opts.toTag ?? "callee-tag", headers, ...(opts.sdp !== undefined && { body: encodeUtf8(opts.sdp) }) });
}

export function parse(text: string): SipRequest {
  const r = parseMessage(encodeUtf8(text));
  assert.ok(r.ok && r.message.kind === "request", `unparsable test request: ${r.ok ? "" : r.error.reason}`);
  return r.message;
}

export function bodyText(m: SipMessage): string {
  return decodeUtf8(m.body);
}

export function toTagOf(res: SipResponse): string {
  return /tag=([^;>\s]+)/.exec(getHeader(res, "to") ?? "")?.[1] ?? "";
}

/** Lets queued promise work (store lookups, media allocation) finish. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
}
