/**
 * What the ACD queue e2e files share: the hotline options for a queue test, SIPp agents that
 * register and log in, the operator's agent-status route, and SIPp failure evidence. Each
 * file keeps its own users, ports, queues and timeouts; only the mechanics live here.
 */
import assert from "node:assert/strict";
import { freePort, injectionFile, runSipp, startHotline, waitFor, type Hotline, type SippResult, type StartOptions, type TestUser } from "./harness.ts";

/** The password the SIPp-driven queue files give extension `u`. */
export const sippPassword = (u: string): string => `pw-${u}-secret`;

/** Test users for `names`, each with `password(name)`. */
export function queueUsers(names: readonly string[], password: (u: string) => string = sippPassword): TestUser[] {
  return names.map((u) => ({ username: u, password: password(u) }));
}

/** A SIPp injection file with `u`'s digest credentials (for `runSipp({ injection })`). */
export function creds(u: string, password: (u: string) => string = sippPassword): string {
  return injectionFile([[u, password(u)]]);
}

/** SIPp's exit code, the end of its stderr and of its message log: the evidence for a failed assertion. */
export function show(r: SippResult, messagesTail = 5000): string {
  return `exit ${r.code}\n${r.stderr.slice(-1500)}\n${r.messages.slice(-messagesTail)}`;
}

export interface QueueHotlineConfig {
  users: TestUser[];
  /** hotline's RTP port range (`calls.media`): each file has its own, so files can run side by side. */
  media: { portMin: number; portMax: number };
  /** false lets SIPp callers dial without answering a digest challenge (`calls.authenticateInvites`). */
  authenticateInvites?: false;
  /** Entries under `queues:`, one YAML line each (`'  "7000": { … }'`). */
  queues: readonly string[];
  /** Further top-level YAML lines (e.g. `priorityCallers`). */
  extraYaml?: readonly string[];
}

/**
 * startHotline options for a queue test. The SIP and HTTP ports are chosen here (not by
 * startHotline) so that a restart with the same options (restartHotline) keeps them.
 */
export async function queueHotlineOptions(c: QueueHotlineConfig): Promise<StartOptions> {
  const media = `media: { portMin: ${c.media.portMin}, portMax: ${c.media.portMax} }`;
  const calls = c.authenticateInvites === false ? `calls: { authenticateInvites: false, ${media} }` : `calls: { ${media} }`;
  return {
    users: c.users,
    sipPort: await freePort(),
    httpPort: await freePort(),
    extraYaml: [calls, ...(c.extraYaml ?? []), "queues:", ...c.queues].join("\n"),
  };
}

/** Stops `h` and starts hotline again with `opts` on the same data folder. */
export async function restartHotline(h: Hotline, opts: StartOptions): Promise<Hotline> {
  await h.stop();
  return startHotline({ ...opts, dataDir: h.dataDir });
}

/** Registers `agent` from a SIPp UAC on `localPort` (a free one when omitted) and returns that port. */
export async function registerAgent(h: Hotline, agent: string, localPort?: number, password: (u: string) => string = sippPassword): Promise<number> {
  const port = localPort ?? (await freePort());
  const reg = await runSipp({ scenario: "uac-register-digest-expect-200.xml", port: h.sipPort, localPort: port, injection: creds(agent, password), keys: { hexp: "300" } });
  assert.equal(reg.code, 0, show(reg));
  return port;
}

/** `agent` dials a feature code (*60 log in, *61 log out, *62 break): hotline answers, plays a tone and hangs up. */
export async function dialFeatureCode(h: Hotline, agent: string, code: string): Promise<void> {
  const r = await runSipp({ scenario: "uac-call-expect-200-then-bye-from-hotline.xml", port: h.sipPort, injection: creds(agent), extra: ["-s", code], timeoutSeconds: 15 });
  assert.equal(r.code, 0, show(r));
}

/** PUT /api/agents/:agent/status with `body` (the operator's route); the response as it came. */
export function putAgentStatus(h: Hotline, agent: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`http://127.0.0.1:${h.httpPort}/api/agents/${agent}/status`, { method: "PUT", body: JSON.stringify(body), headers: { "content-type": "application/json", ...headers } });
}

/** Sets `agent`'s status through the operator's route; fails the test unless hotline answers 200. */
export async function setAgentStatus(h: Hotline, agent: string, status: string): Promise<void> {
  const r = await putAgentStatus(h, agent, { status });
  assert.equal(r.status, 200, `${agent} → ${status}: ${await r.text()}`);
}

/** Waits until GET /api/queues lists `count` agents, every one registered and available. */
export async function waitAgentsAvailable(h: Hotline, count: number, timeoutMs = 8000): Promise<void> {
  await waitFor(async () => {
    const q = await h.api<{ agents: { registered: boolean; status: { kind: string } }[] }>("/api/queues");
    return q.agents.length === count && q.agents.every((x) => x.registered && x.status.kind === "available");
  }, timeoutMs, () => "agents not ready");
}

/**
 * Registers each of `agents` from a SIPp UAC on a free port (recorded in `ports`, where its
 * UAS scenarios listen later), logs it in through the API and waits until all are available.
 */
export async function loginSippAgents(h: Hotline, agents: readonly string[], ports: Map<string, number>): Promise<void> {
  for (const a of agents) {
    ports.set(a, await registerAgent(h, a));
    await setAgentStatus(h, a, "logged-in");
  }
  await waitAgentsAvailable(h, agents.length);
}
