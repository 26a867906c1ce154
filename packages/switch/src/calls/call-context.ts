/**
 * The narrow view of configuration and state call control needs, so calls/ does not
 * depend on how the dial plan is stored. The server builds it from the dial plan (router,
 * trunks, settings merged from config and the store).
 */
import type { FlowEndpoint } from "@hotline/sip";
import type { AgentEntry, EffectiveSettings, QueueEntry, RouteDecision, RouteInput } from "../routing/index.js";
import type { DigestCredentials } from "./digest-client.js";

export interface TrunkInfo {
  name: string;
  flow: FlowEndpoint;
  /** host[:port] for Request-URIs towards the trunk. */
  hostPort: string;
  credentials: DigestCredentials | null;
  /** Presented caller number on outbound calls, or null to pass the caller's number. */
  callerId: string | null;
}

/** An extension's settings as they apply now (dial plan defaults, its entry, runtime overrides). */
export type ExtensionCallSettings = EffectiveSettings;

export type ExtensionSettingsPatch = Partial<Pick<ExtensionCallSettings, "dnd" | "callWaiting" | "forwardAlways" | "forwardBusy" | "forwardNoAnswer">>;

export interface RoutingPort {
  route(input: RouteInput, now: number): RouteDecision;
  /** A configured destination (forward, no-answer target): like route(), but `trunk:NAME[/N]` is allowed. */
  resolve(destination: string, input: RouteInput, now: number): RouteDecision;
  /** Effective settings (config defaults, the extension's entry, runtime overrides). */
  settings(extension: string): Promise<ExtensionCallSettings>;
  /** Persists a runtime change (feature code or API). */
  updateSettings(extension: string, patch: ExtensionSettingsPatch, now: number): Promise<void>;
  trunk(name: string): TrunkInfo | undefined;
  /** The trunk whose `match` list holds this source, if any (IP authentication). */
  trunkFor(source: FlowEndpoint): string | null;
  /** Carrier number formats to ours (+8610… → 010…). */
  normalize(trunk: string, number: string): string;
  park: { code: string; slots: readonly string[]; timeoutSeconds: number };
  /** ACD queues by number (dial plan `queues`). */
  queues: Readonly<Record<string, QueueEntry>>;
  /** Per-agent ACD settings by extension (dial plan `agents`); absent = none. */
  agents?: Readonly<Record<string, AgentEntry>> | undefined;
}

export interface CallOptions {
  /** Queue prompts directory (`<dir>/en`, `<dir>/zh`; absolute). Absent: "assets/prompts" (tests). */
  promptsDir?: string;
  domain: string;
  nodeId: string;
  authenticateInvites: boolean;
  ringSeconds: number;
  maxCallSeconds: number;
  /** RFC 4028: what we ask for and the least we accept (Min-SE), in seconds. */
  sessionExpires: number;
  minSE: number;
}
