// Inputs, actions and configuration of the ACD engine (sans-IO: the switch feeds inputs and
// carries out actions; STYLE.md §1).
import type { OfferMode, StrategyId } from "./strategies/index.js";

/** Operator-set status (STYLE.md §2): what the agent (or a supervisor) chose. */
export type AgentStatus = { readonly kind: "logged-out" } | { readonly kind: "available" } | { readonly kind: "on-break"; readonly reason: string };
export const AGENT_STATUS_KINDS = ["logged-out", "available", "on-break"] as const;

/** System-derived state (STYLE.md §2): what the agent is doing. "offered" = reserved for a call, not yet ringing. */
export const AGENT_STATES = ["idle", "offered", "ringing", "in-call", "wrap-up"] as const;
export type AgentState = (typeof AGENT_STATES)[number];

/**
 * Why an offer to one agent failed; each has its own break policy. "unreachable": the switch
 * could not ring the agent at all (no registered contact left, no media port): not a miss, never a break.
 */
export const OFFER_FAILURES = ["no-answer", "busy", "rejected", "unreachable"] as const;
export type OfferFailure = (typeof OFFER_FAILURES)[number];

export const DESTINATION_KINDS = ["queue", "voicemail", "ivr", "number"] as const;
export interface Destination {
  readonly kind: (typeof DESTINATION_KINDS)[number];
  readonly target: string;
}

/**
 * Why a call is not (or no longer) kept: "no-agents" at join (joinWhenNoAgents false, no
 * overflow); "no-agents-left" for a waiting caller when the last member agent logged out
 * (leaveWhenNoAgents, no overflow).
 */
export const REFUSAL_REASONS = ["queue-full", "no-agents", "no-agents-left", "unknown-queue", "duplicate-call"] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

export interface QueueConfig {
  readonly id: string;
  readonly strategy: StrategyId;
  /** What sticky hands over to after its hold; default longest-idle. */
  readonly fallbackStrategy?: StrategyId;
  /** Default 0 (no wrap-up); an agent's own wrapUpMs wins. */
  readonly wrapUpMs?: number;
  /** Default 15 000 ms: after it the offer counts as "no-answer". */
  readonly ringTimeoutMs?: number;
  /** Calls waiting or being offered; a join past it is refused. Default unlimited. */
  readonly maxLength?: number;
  /** With `overflow`: a call not answered after this long is sent there. */
  readonly maxWaitMs?: number;
  /** Where callers go after maxWaitMs, or when no agent is logged in (joinWhenNoAgents false, leaveWhenNoAgents true). */
  readonly overflow?: Destination;
  /**
   * Default true: callers may join while no member agent is logged in. False: such a caller
   * is sent to `overflow`, or refused ("no-agents") without one.
   */
  readonly joinWhenNoAgents?: boolean;
  /**
   * Default false. True: when the last logged-in member agent logs out (agent-logout only;
   * a break is not leaving), the waiting callers go to `overflow`, or are refused
   * ("no-agents-left") without one. Callback entries stay: they were promised a call.
   */
  readonly leaveWhenNoAgents?: boolean;
  /**
   * Priority added (to the join priority) when an offer fails and the caller goes back to the
   * head. Default 1; 0 = back at the head of its own class only. A raise of 1 puts a requeued
   * priority-0 caller level with priority-1 callers, ahead of those who joined after it.
   */
  readonly requeuePriorityRaise?: number;
  /**
   * Break policy for busy and rejected offers in this queue: after this many consecutive
   * failures of the kind the agent is put on break with that reason; null = never. Absent =
   * the engine's failurePolicy. (No-answer is the agent's own `maxMisses`.)
   */
  readonly breakAfter?: Readonly<Partial<Record<"busy" | "rejected", number | null>>>;
  readonly skillWaitMs?: number;
  readonly stickyWindowMs?: number;
  readonly stickyHoldMs?: number;
  /**
   * Default false: an agent who is in another (non-queue) call — see the `agent-in-use`
   * input — is not offered this queue's calls (Asterisk's `ringinuse=no`).
   */
  readonly ringInUse?: boolean;
}

export interface Membership {
  readonly queue: string;
  /** 1 = best (default). */
  readonly skillLevel?: number;
  /** Position in the queue's fixed order (linear, round-robin). Default 0 (then by id). */
  readonly order?: number;
  /** weighted-random share in this queue; default the agent's `weight`, else 1. */
  readonly weight?: number;
}

export interface AgentConfig {
  readonly id: string;
  readonly memberships: readonly Membership[];
  /** weighted-random share; default 1. */
  readonly weight?: number;
  /** Overrides the queue's wrap-up time. */
  readonly wrapUpMs?: number;
  /** Overrides the queue's ring timeout for offers to this agent alone (ring-all: the longest of the ringing agents'). */
  readonly ringTimeoutMs?: number;
  /** Overrides the failure policy's no-answer `breakAfter` for this agent; null = never put on break. */
  readonly maxMisses?: number | null;
}

/** After this many consecutive failures of a kind the agent is put on break with that reason; null = never. */
export type FailurePolicy = Readonly<Record<OfferFailure, { readonly breakAfter: number | null }>>;
export const DEFAULT_FAILURE_POLICY: FailurePolicy = { "no-answer": { breakAfter: 1 }, busy: { breakAfter: 1 }, rejected: { breakAfter: 1 }, unreachable: { breakAfter: null } };

export interface AcdConfig {
  readonly queues: readonly QueueConfig[];
  readonly agents: readonly AgentConfig[];
  readonly failurePolicy?: Partial<FailurePolicy>;
}

export interface JoiningCall {
  readonly id: string;
  readonly caller: string;
  /** Higher is served first (e.g. emergency handsets); default 0. */
  readonly priority?: number;
  /**
   * When the call first joined, if earlier than now: a callback re-joined after a restart or
   * after a failed attempt keeps its place (FIFO within its class is by join time). Such a
   * join is not counted again in `joined`.
   */
  readonly joinedAt?: number;
  /** A callback entry (nobody on the line): the number to dial once an agent answers. */
  readonly callback?: CallbackRequest;
}

/** The caller asked to be called back (issue 4): the entry keeps its join time and priority. */
export interface CallbackRequest {
  readonly number: string;
  /** Not offered before this time (retry after a failed attempt); default: at once. */
  readonly notBefore?: number;
}

export type AcdInput =
  | { readonly type: "agent-login"; readonly agent: string }
  | { readonly type: "agent-logout"; readonly agent: string }
  | { readonly type: "agent-break"; readonly agent: string; readonly reason: string }
  | { readonly type: "agent-available"; readonly agent: string }
  | { readonly type: "agent-registered"; readonly agent: string; readonly registered: boolean }
  /** The agent's phone is (or no longer is) in a call the queue did not offer (e.g. a direct call): see QueueConfig.ringInUse. */
  | { readonly type: "agent-in-use"; readonly agent: string; readonly inUse: boolean }
  | { readonly type: "call-joined"; readonly queue: string; readonly call: JoiningCall }
  /** The caller hung up (abandoned) or was taken out of the queue. */
  | { readonly type: "call-left"; readonly callId: string }
  /**
   * The waiting caller asked to be called back on `number` (pressed the callback digit): the
   * entry becomes a callback entry in the same place (join time, priority); an offer of it
   * in progress is cancelled without penalty for the agent.
   */
  | { readonly type: "call-to-callback"; readonly callId: string; readonly number: string }
  /** The agent's phone is ringing (180): offered → ringing. */
  | { readonly type: "offer-ringing"; readonly agent: string }
  | { readonly type: "offer-answered"; readonly agent: string }
  | { readonly type: "offer-failed"; readonly agent: string; readonly reason: OfferFailure }
  /** The agent's call (with the caller) ended: wrap-up starts. */
  | { readonly type: "call-ended"; readonly agent: string }
  | { readonly type: "tick" };
export type AcdInputType = AcdInput["type"];

export interface QueueStats {
  readonly queue: string;
  readonly waiting: number;
  readonly offering: number;
  readonly oldestJoinedAt: number | null;
  readonly loggedIn: number;
  readonly available: number;
  readonly joined: number;
  readonly answered: number;
  readonly abandoned: number;
  readonly overflowed: number;
  readonly refused: number;
}

export type AcdAction =
  /** `callback` is set for a callback entry: ring the agent first, dial `callback.number` once the agent answers. */
  | {
      readonly type: "offer";
      readonly callId: string;
      readonly queue: string;
      readonly caller: string;
      readonly agents: readonly string[];
      readonly mode: OfferMode;
      readonly waitedMs: number;
      readonly callback?: { readonly number: string };
    }
  /** A waiting call became a callback entry (call-to-callback): the switch stores it and releases the caller's line. */
  | { readonly type: "callback-queued"; readonly callId: string; readonly queue: string; readonly number: string; readonly joinedAt: number; readonly priority: number }
  /** Stop ringing these agents for this call (answered elsewhere, caller left, timeout, agent withdrew). */
  | { readonly type: "cancel-offer"; readonly callId: string; readonly agents: readonly string[] }
  | { readonly type: "agent-state-changed"; readonly agent: string; readonly status: AgentStatus; readonly state: AgentState }
  | { readonly type: "call-overflow"; readonly callId: string; readonly queue: string; readonly destination: Destination }
  | { readonly type: "call-refused"; readonly callId: string; readonly queue: string; readonly reason: RefusalReason }
  | { readonly type: "queue-stats"; readonly stats: QueueStats };
export type AcdActionType = AcdAction["type"];
