// bench/acd-calls: what a step's records say. Pure functions over the agents' SIPp <log>
// lines (bench/sipp/acd-agent.xml) and hotline's journal (GET /api/journal), so they can be
// unit-tested without running anything.

/** One journal event as GET /api/journal returns it. */
export interface JournalEvent {
  seq: number;
  at: number;
  type: string;
  callId: string | null;
  data: Record<string, unknown>;
}

/** One line of the agents' SIPp log: "offer <ext> <ms>" or "free <ext> <ms>" (SIPp's clock). */
export interface AgentLogLine {
  kind: "offer" | "free";
  agent: string;
  ms: number;
}

export function parseAgentLog(text: string): AgentLogLine[] {
  const out: AgentLogLine[] = [];
  for (const line of text.split("\n")) {
    const m = /^(offer|free) (\S+) (\d+)\s*$/.exec(line.trim());
    if (m === null) continue;
    out.push({ kind: m[1] === "offer" ? "offer" : "free", agent: m[2] ?? "", ms: Number(m[3]) });
  }
  return out;
}

/** An offer made to an agent while a caller was already waiting (the call joined before the agent became idle). */
interface BacklogOffer {
  agent: string;
  /** The agent's ordinal among its offers in the journal (0 = its first offer in this window). */
  ordinal: number;
  /** hotline's clock: agent idle → offer, ms (0 when both happen in the same millisecond). */
  idleToOfferMs: number;
}

/**
 * The offers hotline made to an agent that had just become idle while a caller was waiting:
 * for each `queue.offer` to one agent, the agent's last `agent.state` idle event before it;
 * the offer counts when the offered call joined (offer time − waitedMs) before that idle
 * event. An offer to an agent that was already idle when the call came is not a backlog offer:
 * it measures the caller's arrival, not the agent's release.
 */
export function backlogOffers(events: readonly JournalEvent[]): BacklogOffer[] {
  const idleAt = new Map<string, number>();
  const count = new Map<string, number>();
  const out: BacklogOffer[] = [];
  for (const e of events) {
    if (e.type === "agent.state" && e.callId === null) {
      const agent = e.data["agent"];
      if (typeof agent === "string" && e.data["state"] === "idle") idleAt.set(agent, e.at);
      continue;
    }
    if (e.type !== "queue.offer") continue;
    const agents = e.data["agents"];
    const waited = e.data["waitedMs"];
    if (!Array.isArray(agents) || agents.length !== 1 || typeof agents[0] !== "string" || typeof waited !== "number") continue;
    const agent = agents[0];
    const ordinal = count.get(agent) ?? 0;
    count.set(agent, ordinal + 1);
    const idle = idleAt.get(agent);
    idleAt.delete(agent);
    if (idle !== undefined && e.at - waited < idle) out.push({ agent, ordinal, idleToOfferMs: e.at - idle });
  }
  return out;
}

export interface FreeToOffer {
  /** hotline's clock (journal, 1 ms resolution): agent idle → queue.offer. */
  journalMs: number[];
  /** The agent's side (SIPp clock, 1 ms): BYE about to be sent → the next INVITE received. */
  wireMs: number[];
}

/**
 * Agent-free → next offer for every backlog offer. The k-th INVITE an agent received in the
 * step is hotline's k-th offer to it (one SIPp run per step, every offer answered: a step
 * with a lost call is not used), so the agent log's matching "offer" line and the "free" line
 * just before it give the wire time.
 */
export function freeToOffer(events: readonly JournalEvent[], log: readonly AgentLogLine[]): FreeToOffer {
  const byAgent = new Map<string, AgentLogLine[]>();
  for (const l of log) {
    const list = byAgent.get(l.agent) ?? [];
    list.push(l);
    byAgent.set(l.agent, list);
  }
  const journalMs: number[] = [];
  const wireMs: number[] = [];
  for (const o of backlogOffers(events)) {
    journalMs.push(o.idleToOfferMs);
    const lines = byAgent.get(o.agent) ?? [];
    let seen = -1;
    let lastFree: number | undefined;
    for (const l of lines) {
      if (l.kind === "free") {
        lastFree = l.ms;
        continue;
      }
      seen++;
      if (seen === o.ordinal) {
        if (lastFree !== undefined) wireMs.push(l.ms - lastFree);
        break;
      }
      lastFree = undefined;
    }
  }
  return { journalMs, wireMs };
}

/** Calls answered per second over the step: (answers − 1) / (last answer − first answer). */
export function answeredRate(events: readonly JournalEvent[]): { answered: number; perSecond: number } {
  const at = events.filter((e) => e.type === "call.answered").map((e) => e.at);
  const first = at[0];
  const last = at[at.length - 1];
  if (first === undefined || last === undefined || last <= first) return { answered: at.length, perSecond: NaN };
  return { answered: at.length, perSecond: ((at.length - 1) * 1000) / (last - first) };
}

/** The `q` quantile (nearest rank) of `values`; NaN without values. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN;
}
