/**
 * What QueueService shares with the helpers that carry out the engine's decisions
 * (queue-offers.ts, queue-overflow.ts, queue-callback-entries.ts, queue-agent-sync.ts): its
 * bookkeeping of the calls it holds and its hooks back into the engine and the figures. The
 * service builds one QueueContext and owns every map in it; the helpers are plain functions of it,
 * so no helper imports the service (no import cycle).
 */
import type { AcdAction, AcdEngine, AcdInput } from "@hotline/acd";
import type { QueueEntry } from "../routing/index.js";
import type { Call } from "./call.js";
import type { CallManager } from "./call-manager.js";
import type { DialAttempt } from "./dial-attempt.js";
import type { CallbackEntry, QueueAnnouncer } from "./queue-callbacks.js";
import type { FigureEvent } from "./queue-figures.js";
import type { QueueRefresh } from "./queue-reports.js";

/** One dial attempt per offered agent: in ring-all, a cancel or a failure is that agent's alone. */
export interface Offer {
  attempts: Map<string, DialAttempt>;
}

/** When a queued call joined, and which queue; when and by whom answered (wait and handle times). */
export interface QueueJoin {
  queue: string;
  at: number;
  answeredAt: number | null;
  agent: string | null;
}

export interface QueueContext {
  readonly m: CallManager;
  readonly engine: AcdEngine;
  readonly queueEntries: Readonly<Record<string, QueueEntry>>;
  readonly announcer: QueueAnnouncer;
  /** Calls the engine knows, by call id (the engine's call id is hotline's). */
  readonly waiting: Map<string, Call>;
  readonly offers: Map<string, Offer>;
  /** The agent each connected queue call is with (for call-ended → wrap-up). */
  readonly agentOf: Map<Call, string>;
  readonly joined: Map<string, QueueJoin>;
  /**
   * The queues each unanswered call has joined, in order (overflow chains): an overflow back to
   * one of them would loop (A ↔ B with maxWaitSeconds bounces forever; with joinWhenNoAgents
   * false it would recurse at once), so the caller gets the final treatment instead.
   */
  readonly visited: Map<string, string[]>;
  /** Callback entries by call id (issue 4); the server stores them through onCallback. */
  readonly callbacks: Map<string, CallbackEntry>;
  /** Callback entries deferred because their number is in a call (journaled once per busy spell). */
  readonly deferred: Set<string>;
  /** Syncs the agents' in-use state, then hands the input to the engine and carries out its actions. */
  feed(input: AcdInput): void;
  /** Carries out the engine's actions. */
  run(actions: readonly AcdAction[]): void;
  /** Counts a figure event, journals it (with `extra` fields beside), tells onFigure. */
  fig(e: FigureEvent, call?: Call, extra?: Record<string, unknown>): void;
  /** A report changed without a counted event (onRefresh). */
  refresh(r: QueueRefresh): void;
  /** Estimated wait in seconds for `position` in `queue`. */
  estimate(queue: string, position: number): number;
  /** Stores (entry) or deletes (null) a callback through onCallback. */
  store(e: CallbackEntry | null, callId: string): void;
  /** No leg could be started for `agent`: counted unregistered until the next poll (queue-agent-sync.ts). */
  unreachable(agent: string): void;
  /** The next callback call's sequence number (its call id). */
  nextCallbackSeq(): number;
}

/** The trunk an outside caller's call came in on (none for an internal caller). */
export function trunkOf(call: Call): { trunk?: string } {
  return call.direction === "inbound" && call.trunk !== null ? { trunk: call.trunk } : {};
}
