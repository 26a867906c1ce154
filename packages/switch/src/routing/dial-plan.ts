// The validated dial plan: what a configuration file (or, later, the admin console) says about
// where calls go. Plain data close to the YAML keys, so a config path like
// "ringGroups.6000.members[1]" is also the path into this object. The server's zod schema
// produces it; the switch never sees zod. Router compiles it once.

export const DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] as const;
/** Weekday names as in the YAML; the index is JavaScript's getUTCDay(). */
export type Day = (typeof DAYS)[number];

/** Each class includes the ones before it: "national" may also call local and internal numbers. */
export const CLASSES_OF_SERVICE = ["internal", "local", "national", "international"] as const;
export type ClassOfService = (typeof CLASSES_OF_SERVICE)[number];

/** Classes a dialled external number can fall in (internal numbers never go out). */
export const NUMBER_CLASSES = ["local", "national", "international"] as const;
export type NumberClass = (typeof NUMBER_CLASSES)[number];

export const RING_STRATEGIES = ["simultaneous", "sequential", "round-robin"] as const;
export type RingStrategy = (typeof RING_STRATEGIES)[number];

/** Same ids as @hotline/media's TONE_PLANS. */
export const TONE_PLAN_IDS = ["cn", "us", "eu"] as const;
export type TonePlanName = (typeof TONE_PLAN_IDS)[number];

export const TRUNK_TRANSPORTS = ["udp", "tcp", "tls"] as const;
export type TrunkTransport = (typeof TRUNK_TRANSPORTS)[number];

export interface MediaSettings {
  /** First RTP port (even, RFC 3550 §11). */
  portMin: number;
  /** Last port of the range, the RTCP port of the last pair (odd). */
  portMax: number;
  /** Media worker threads; 0 = relay on the main thread. */
  workers: number;
  tonePlan: TonePlanName;
  /** Path to an 8 kHz WAV file, or null for the built-in music on hold. */
  musicOnHold: string | null;
  /**
   * The address written into SDP (where phones send RTP): null = the SIP UDP listen address,
   * or the first external IPv4 when SIP listens on a wildcard. Set it behind 1:1 NAT.
   */
  address: string | null;
  /** A released RTP port pair is not reused for this long (late packets of the old call). */
  portReuseSeconds: number;
}

export interface CallSettings {
  media: MediaSettings;
  /** Extensions must answer a 407 digest challenge on INVITE. */
  authenticateInvites: boolean;
  /** How long a call rings when nothing more specific is set (ring groups' default). */
  ringSeconds: number;
  /** Calls are ended after this long; 0 = no limit. */
  maxCallSeconds: number;
  /** Queue prompts: `<promptsDir>/<en|zh>/<name>.wav`; null = the bundled assets/prompts. */
  promptsDir?: string | null;
  /** RFC 4028 session timers. */
  sessionTimers: { sessionExpires: number; minSE: number };
}

export interface ExtensionDefaults {
  callWaiting: boolean;
  dnd: boolean;
  classOfService: ClassOfService;
  noAnswerSeconds: number;
}

/** Forward targets: destinations (see Destination), null = no forward. */
export interface Forwards {
  always: string | null;
  busy: string | null;
  noAnswer: string | null;
}

export interface FollowMe {
  /** Tried in turn after the desk phone. */
  numbers: string[];
  /** Ring time of each number. */
  ringSeconds: number;
}

/** Per-extension call settings; an absent value falls back to extensionDefaults. */
export interface ExtensionEntry {
  callWaiting?: boolean | undefined;
  dnd?: boolean | undefined;
  forward: Forwards;
  noAnswerSeconds?: number | undefined;
  followMe: FollowMe | null;
  classOfService?: ClassOfService | undefined;
  pickupGroup: string | null;
  callerIdName: string | null;
}

export interface RingGroup {
  strategy: RingStrategy;
  /** Extensions, in order (sequential and round-robin start from the first). */
  members: string[];
  /** Total ring time before noAnswer. */
  ringSeconds: number;
  /** Ring time of each member (sequential, round-robin). */
  memberRingSeconds: number;
  /** Destination when nobody answers; null = the call fails (480). */
  noAnswer: string | null;
}

/**
 * An ACD queue (numbers → queue in DialPlan.queues). Which agent gets a waiting call, and when,
 * is @hotline/acd's decision; this is only its configuration.
 */
export interface QueueEntry {
  name: string | null;
  /** One of @hotline/acd's STRATEGY_IDS (validated by the schema). */
  strategy: string;
  /** Member extensions → skill level (1 = best). */
  members: Record<string, number>;
  /** Ring time of each offer to an agent. */
  ringSeconds: number;
  /** After a queue call an agent gets no offer for this long. */
  wrapUpSeconds: number;
  /** With overflow: a caller still waiting after this long is sent there; null = waits on. */
  maxWaitSeconds: number | null;
  /** A destination (same rules as numbers' destinations), or null. */
  overflow: string | null;
  /** Calls waiting or being offered; a caller past it is refused. null = unlimited. */
  maxLength: number | null;
  /** Answered within this many seconds counts towards the service level (absent = 20; queue-figures.ts). */
  serviceLevelSeconds?: number | undefined;
  /** weighted-random: member extension → share (members not listed: 1). Absent = all 1. */
  weights?: Record<string, number> | undefined;
  /** linear/round-robin: member extension → position, lower first (members not listed: 0; ties by extension). */
  orders?: Record<string, number> | undefined;
  /** Priority added when an offer fails and the caller goes back to the head (0 = head of its own class). Absent = 1. */
  requeuePriorityRaise?: number | undefined;
  /** Consecutive busy / rejected offers before an agent is put on break; null = never. Absent = 1 each. */
  breakAfter?: QueueBreakAfter | undefined;
  /** skill-level: each further level joins after this much waiting. Absent = DEFAULT_QUEUE's. */
  skillWaitSeconds?: number | undefined;
  /** sticky: how long after serving a caller an agent still counts as theirs. */
  stickyWindowSeconds?: number | undefined;
  /** sticky: how long a returning caller waits for that agent before fallbackStrategy ranks. */
  stickyHoldSeconds?: number | undefined;
  /** sticky's fallback (one of @hotline/acd's STRATEGY_IDS, not sticky). Absent = longest-idle. */
  fallbackStrategy?: string | undefined;
  /** Offer calls to agents who are in another call (e.g. a direct call). Absent = false. */
  ringInUse?: boolean | undefined;
  /** False: a caller arriving while no member agent is logged in goes to overflow (or gets 480). Absent = true. */
  joinWhenNoAgents?: boolean | undefined;
  /** True: when the last member agent logs out, the waiting callers go to overflow (or are hung up). Absent = false. */
  leaveWhenNoAgents?: boolean | undefined;
  /**
   * Extensions that may listen to, whisper to, barge in on, take over, hang up and force the
   * status of this queue's members (absent = none; the schema fills in []).
   */
  supervisors?: string[] | undefined;
  /** What a waiting caller hears besides music on hold (absent = QUEUE_ANNOUNCE_DEFAULTS). */
  announce?: QueueAnnounce | undefined;
  /** "Press 1 to be called back" (absent = off). */
  callback?: QueueCallback | undefined;
}

/** A queue's break policy for busy and rejected offers (no-answer is AgentEntry.maxMisses). */
export interface QueueBreakAfter {
  busy: number | null;
  rejected: number | null;
}

/** Queue announcements (issue 4); seconds count from the caller's join. */
export interface QueueAnnounce {
  /** Prompt language(s): "zh+en" plays Mandarin, then English. */
  language: "zh" | "en" | "zh+en";
  /** Position and estimated wait every this many seconds; null = never. */
  positionEverySeconds: number | null;
  /** The first position announcement (and callback offer) after this long. */
  firstAfterSeconds: number;
  /** A recorded periodic announcement (absolute path after config loading), or null for the bundled "all our agents are busy". */
  periodicFile: string | null;
  /** The periodic announcement every this many seconds; null = never. */
  periodicEverySeconds: number | null;
}

/** "Press <digit> to be called back" keeping the caller's place (issue 4). */
export interface QueueCallback {
  enabled: boolean;
  digit: string;
  /** Dialling attempts before the request is dropped. */
  maxAttempts: number;
  /** Wait between attempts (the entry keeps its place meanwhile). */
  retrySeconds: number;
  /** How long the caller's phone rings on each attempt. */
  ringSeconds: number;
}

export const QUEUE_ANNOUNCE_DEFAULTS: Readonly<QueueAnnounce> = { language: "zh+en", positionEverySeconds: 60, firstAfterSeconds: 15, periodicFile: null, periodicEverySeconds: null };
export const QUEUE_CALLBACK_DEFAULTS: Readonly<QueueCallback> = { enabled: false, digit: "1", maxAttempts: 3, retrySeconds: 120, ringSeconds: 30 };

/** Per-agent ACD settings (dial plan `agents.<ext>`): null/absent = the queue's value. */
export interface AgentEntry {
  /** Replaces the queues' wrapUpSeconds after this agent's calls. */
  wrapUpSeconds: number | null;
  /** Replaces the queues' ringSeconds for offers to this agent. */
  ringSeconds: number | null;
  /** Consecutive unanswered offers before the agent is put on break "no-answer"; 0 = never. */
  maxMisses: number;
}

/** Open from `from` (inclusive) to `to` (exclusive) on each of `days`; "HH:MM", `to` may be "24:00". */
export interface OpenHours {
  days: Day[];
  from: string;
  to: string;
}

export interface Schedule {
  /** IANA time zone; hours are local wall-clock time there. */
  timezone: string;
  open: OpenHours[];
  /** "YYYY-MM-DD", closed all day. */
  holidays: string[];
  /** "YYYY-MM-DD", make-up working days: open with Monday's hours. */
  workdays: string[];
}

/** A routable number that is not an extension (an entry point, a DID). */
export type NumberEntry = { destination: string } | { schedule: string; open: string; closed: string };

export interface PriorityCaller {
  pattern: string;
  /** Higher is more urgent. */
  priority: number;
  label: string;
}

/** Patterns per class, tried in the order local, national, international. */
export type NumberClasses = Record<NumberClass, string[]>;

/** How a carrier's numbers are turned into the dialling form used here. */
export interface NumberNormalization {
  /** Our country code, without "+": "+86 10 …" becomes nationalPrefix + "10 …". */
  countryCode: string;
  nationalPrefix: string;
  /** "+1 …" becomes internationalPrefix + "1 …". */
  internationalPrefix: string;
}

export interface Trunk {
  host: string;
  port: number;
  transport: TrunkTransport;
  /** Inbound requests from these sources ("ip" or "ip:port", "[v6]:port") belong to this trunk. */
  match: string[];
  /** Register to the carrier as a client. */
  register: { username: string; password: string; expires: number } | null;
  /** Credentials for the carrier's 401/407 challenges. */
  auth: { username: string; password: string } | null;
  /** Number presented on outbound calls (From user); null = the caller's. */
  callerId: string | null;
  normalize: NumberNormalization | null;
}

export interface OutboundRoute {
  name: string;
  /** Dialled numbers starting with this (and longer than it) take this route. */
  prefix: string;
  /** Leading characters removed before `prepend`. */
  strip: number;
  prepend: string;
  /** In failover order. */
  trunks: string[];
}

export interface InboundRoute {
  trunk: string;
  /** The dialled number (after normalisation) as a pattern, or "*" for any. */
  did: string;
  destination: string;
}

export const FEATURE_CODE_NAMES = [
  "dndOn", "dndOff", "forwardAlways", "forwardBusy", "forwardNoAnswer", "forwardOff",
  "callWaitingOn", "callWaitingOff", "pickup", "directedPickup",
  "agentLogin", "agentLogout", "agentBreak", "agentAvailable",
  "supervisorListen", "supervisorWhisper", "supervisorBarge", "supervisorTakeOver", "supervisorHangup",
  "forceAvailable", "forceBreak", "forceLogout",
] as const;
export type FeatureCodeName = (typeof FEATURE_CODE_NAMES)[number];
/** null disables a code. */
export type FeatureCodes = Record<FeatureCodeName, string | null>;

/** Codes followed by an argument: a forward target, the extension to pick up from, or the agent a supervisor acts on. */
export const ARGUMENT_FEATURE_CODES: ReadonlySet<FeatureCodeName> = new Set([
  "forwardAlways", "forwardBusy", "forwardNoAnswer", "directedPickup",
  "supervisorListen", "supervisorWhisper", "supervisorBarge", "supervisorTakeOver", "supervisorHangup", "forceAvailable", "forceBreak", "forceLogout",
]);

export interface ParkSettings {
  /** Dialled to park in the first free slot; null disables. */
  code: string | null;
  /** "701-720": both ends included, same number of digits. */
  slots: string;
  /** A parked call not retrieved within this time rings back the extension that parked it. */
  timeoutSeconds: number;
}

export interface DialPlan {
  calls: CallSettings;
  extensionDefaults: ExtensionDefaults;
  extensions: Record<string, ExtensionEntry>;
  ringGroups: Record<string, RingGroup>;
  /** Number → ACD queue. */
  queues: Record<string, QueueEntry>;
  /** Extension → per-agent ACD settings (absent = none). */
  agents?: Record<string, AgentEntry> | undefined;
  schedules: Record<string, Schedule>;
  numbers: Record<string, NumberEntry>;
  blacklist: string[];
  priorityCallers: PriorityCaller[];
  numberClasses: NumberClasses;
  trunks: Record<string, Trunk>;
  outboundRoutes: OutboundRoute[];
  inboundRoutes: InboundRoute[];
  featureCodes: FeatureCodes;
  park: ParkSettings;
}

export const DEFAULT_FEATURE_CODES: Readonly<FeatureCodes> = {
  dndOn: "*78", dndOff: "*79", forwardAlways: "*72", forwardBusy: "*90", forwardNoAnswer: "*92",
  forwardOff: "*73", callWaitingOn: "*70", callWaitingOff: "*71", pickup: "*8", directedPickup: "**",
  agentLogin: "*60", agentLogout: "*61", agentBreak: "*62", agentAvailable: "*63",
  supervisorListen: "*51", supervisorWhisper: "*52", supervisorBarge: "*53", supervisorTakeOver: "*54", supervisorHangup: "*55",
  forceAvailable: "*56", forceBreak: "*57", forceLogout: "*58",
};

export const DEFAULT_PARK: Readonly<ParkSettings> = { code: "700", slots: "701-720", timeoutSeconds: 60 };

export const DEFAULT_EXTENSION_DEFAULTS: Readonly<ExtensionDefaults> = { callWaiting: true, dnd: false, classOfService: "international", noAnswerSeconds: 20 };

/** Ring time of each follow-me number when the entry gives none. */
export const DEFAULT_FOLLOW_ME_RING_SECONDS = 20;

/** Ring time of each ring-group member when the entry gives none (capped at the group's ringSeconds). */
export const DEFAULT_MEMBER_RING_SECONDS = 10;

/** Defaults of a queue entry's optional keys. */
type QueueDefaultKey =
  | "name" | "ringSeconds" | "wrapUpSeconds" | "maxWaitSeconds" | "overflow" | "maxLength"
  | "skillWaitSeconds" | "stickyWindowSeconds" | "stickyHoldSeconds" | "fallbackStrategy" | "ringInUse"
  | "joinWhenNoAgents" | "leaveWhenNoAgents" | "requeuePriorityRaise" | "breakAfter";
export const DEFAULT_QUEUE = {
  name: null, ringSeconds: 15, wrapUpSeconds: 5, maxWaitSeconds: null, overflow: null, maxLength: null,
  skillWaitSeconds: 30, stickyWindowSeconds: 86_400, stickyHoldSeconds: 15, fallbackStrategy: "longest-idle", ringInUse: false,
  joinWhenNoAgents: true, leaveWhenNoAgents: false, requeuePriorityRaise: 1, breakAfter: { busy: 1, rejected: 1 },
} as const satisfies Readonly<Required<Pick<QueueEntry, QueueDefaultKey>>>;

/** One unanswered offer puts an agent on break "no-answer" unless `agents.<ext>.maxMisses` says otherwise. */
export const DEFAULT_AGENT_MAX_MISSES = 1;

export function defaultCallSettings(): CallSettings {
  return {
    media: { portMin: 16384, portMax: 32767, workers: 1, tonePlan: "cn", musicOnHold: null, address: null, portReuseSeconds: 30 },
    authenticateInvites: true,
    ringSeconds: 30,
    maxCallSeconds: 14400,
    sessionTimers: { sessionExpires: 1800, minSE: 90 },
  };
}

/** The dial plan of an empty configuration: every section at its default. */
export function emptyDialPlan(): DialPlan {
  return {
    calls: defaultCallSettings(),
    extensionDefaults: { ...DEFAULT_EXTENSION_DEFAULTS },
    extensions: {},
    ringGroups: {},
    queues: {},
    schedules: {},
    numbers: {},
    blacklist: [],
    priorityCallers: [],
    numberClasses: { local: [], national: [], international: [] },
    trunks: {},
    outboundRoutes: [],
    inboundRoutes: [],
    featureCodes: { ...DEFAULT_FEATURE_CODES },
    park: { ...DEFAULT_PARK },
  };
}
