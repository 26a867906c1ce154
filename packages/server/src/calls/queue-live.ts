// Wiring of the ACD's live figures (issue 4): the hotline's day (time zone), today's figures
// recomputed from the journal at start, the queue gauges of /metrics, and the source the SSE
// hub (http/events-routes.ts) reads.
import { localDayStart, type CallManager, type DialPlan, type JournalStore, type Metrics, type StoredJournalEvent } from "@hotline/switch";
import type { LiveFigures } from "../http/events-routes.js";

/**
 * The hotline's time zone for "today": the schedules' zone when every schedule names the same
 * one (the site's), otherwise the process's own (TZ). There is no separate key for it.
 */
export function hotlineTimeZone(plan: DialPlan): string | undefined {
  const zones = new Set(Object.values(plan.schedules).map((s) => s.timezone));
  return zones.size === 1 ? [...zones][0] : undefined;
}

/** Rebuilds today's queue figures from the journal; call before agents are restored. */
export async function loadQueueDay(manager: CallManager, journal: JournalStore, plan: DialPlan, now: number): Promise<{ events: number; since: number }> {
  const dayStart = localDayStart(hotlineTimeZone(plan));
  const since = dayStart(now);
  const events = await journalSince(journal, since);
  manager.queues.loadDay(events, dayStart);
  return { events: events.length, since };
}

const PAGE = 1000;

/**
 * The journal's events with `at >= since`, oldest first. The journal is ordered by seq and a
 * node stamps `at` as it appends, so `at` grows with seq: the first seq of the day is found by
 * a galloping then binary search over seq (a few indexed reads, not a scan of past days).
 */
export async function journalSince(journal: JournalStore, since: number): Promise<StoredJournalEvent[]> {
  const first = async (afterSeq: number): Promise<StoredJournalEvent | undefined> => (await journal.list({ afterSeq, limit: 1 }))[0];
  // lo: a seq whose successors include every event of the day; hi: past them or at one of them.
  let lo = 0;
  let hi: number | null = null;
  for (let step = 1; hi === null && step < 2 ** 53; step *= 2) {
    const e = await first(lo + step - 1);
    if (e === undefined || e.at >= since) hi = lo + step - 1;
    else lo = e.seq;
  }
  let high = hi ?? lo;
  while (high - lo > 1) {
    const mid = Math.floor((lo + high) / 2);
    const e = await first(mid);
    if (e === undefined || e.at >= since) high = mid;
    else lo = e.seq >= high ? high - 1 : e.seq;
  }
  const out: StoredJournalEvent[] = [];
  let after = lo;
  for (let page = 0; page < 1_000_000; page++) {
    const batch = await journal.list({ afterSeq: after, limit: PAGE });
    for (const e of batch) if (e.at >= since) out.push(e);
    const last = batch.at(-1);
    if (last === undefined || batch.length < PAGE) break;
    after = last.seq;
  }
  return out;
}

/** The queue gauges of /metrics, read from the live figures at each scrape. */
export function registerQueueGauges(metrics: Metrics, manager: CallManager, now: () => number): void {
  metrics.describe("sse_clients_dropped_total", "counter", "Server-Sent Events clients dropped, by reason (slow: too many unsent bytes)");
  metrics.onCollect(() => {
    const t = now();
    for (const q of manager.queues.engine.counters.keys()) {
      const r = manager.queues.queueReport(q, t);
      if (r === undefined) continue;
      metrics.set("hotline_queue_waiting", r.waiting, { queue: q }, "Calls in the queue not yet connected to an agent");
      metrics.set("hotline_queue_agents_available", r.available, { queue: q }, "Member agents available, idle and registered");
      // Counters that restart at the hotline's midnight (the day's figures), as the JSON does.
      metrics.set("hotline_queue_answered_total", r.answered, { queue: q }, "Queue calls answered today");
      metrics.set("hotline_queue_abandoned_total", r.abandoned, { queue: q }, "Queue calls abandoned (caller hung up while waiting) today");
    }
  });
}

/** The EventHub's view of the queue service. */
export function liveFigures(manager: CallManager): LiveFigures {
  const qs = manager.queues;
  return {
    queueIds: () => [...qs.engine.counters.keys()],
    agentIds: () => [...qs.engine.agents.keys()],
    queue: (q, now) => qs.queueReport(q, now),
    agent: (a, now) => qs.agentReport(a, now),
    queuesOf: (a) => qs.queuesOf(a),
  };
}
