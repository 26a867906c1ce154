// The dial-plan keys of hotline.yaml (calls, extensions, ring groups, queues, schedules,
// numbers, blacklist, trunks, routes, feature codes, park). Shapes and single-field formats are checked
// here, with the switch's own rules (patterns, times, destinations); checks across keys are
// @hotline/switch's checkDialPlan, run from checks.ts.
import { isIP } from "node:net";
import { z } from "zod";
import { STRATEGY_IDS } from "@hotline/acd";
import {
  CLASSES_OF_SERVICE, DAYS, DEFAULT_EXTENSION_DEFAULTS, DEFAULT_FEATURE_CODES, DEFAULT_FOLLOW_ME_RING_SECONDS, DEFAULT_PARK, DEFAULT_QUEUE, QUEUE_ANNOUNCE_DEFAULTS, QUEUE_CALLBACK_DEFAULTS, DEFAULT_AGENT_MAX_MISSES,
  RING_STRATEGIES, TONE_PLAN_IDS, TRUNK_NAME_RE, TRUNK_NAME_RULE, TRUNK_SOURCE_RULE, TRUNK_TRANSPORTS,
  dateProblem, defaultCallSettings, destinationProblem, parseSlotRange, parseTrunkSource, patternProblem, timeProblem, timezoneProblem,
  type FeatureCodeName,
} from "@hotline/switch";
import { hasControlChars, USERNAME_RULE, usernameProblem } from "./schema-rules.js";

function intIn(min: number, max: number) {
  const error = `must be an integer ${min}..${max}`;
  return z.int({ error }).min(min, { error }).max(max, { error });
}

/** A string checked by one of the switch's `…Problem` functions (null = fine). */
function checked(problem: (s: string) => string | null, prefix = "") {
  return z.string().superRefine((s, ctx) => {
    const why = problem(s);
    if (why) ctx.addIssue({ code: "custom", message: `${prefix}${why}` });
  });
}

const pattern = checked(patternProblem, "invalid pattern: ");
const destination = checked(destinationProblem);
const dialString = z.string().regex(/^[0-9*#]{1,32}$/, { error: 'must be 1-32 of the characters 0-9, "*", "#"' });
const digits = (max: number) => z.string().regex(new RegExp(`^[0-9]{0,${max}}$`), { error: `must be at most ${max} digits` });
const phoneNumber = z.string().regex(/^\+?[0-9*#]{1,32}$/, { error: 'must be a number: 1-32 of 0-9, "*", "#", optionally after a "+"' });
const time = checked(timeProblem);
const date = checked(dateProblem);
const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, { error: 'must be 1-64 characters of letters, digits, ".", "_", "-"' });
const text = z
  .string()
  .min(1, { error: "must not be empty" })
  .max(128, { error: "must be at most 128 characters" })
  .refine((s) => !hasControlChars(s), { error: "must not contain control characters" });
// Carrier credentials are whatever the carrier issued (often short): no length rule beyond 1..128.
const secret = text;

/** Keys of numbers and ring groups: what a phone dials. */
const internalNumberKey = z.string().regex(/^[0-9*#+]{1,32}$/, { error: 'must be 1-32 of the characters 0-9, "*", "#", "+"' });
const extensionKey = z.string().superRefine((s, ctx) => {
  if (usernameProblem(s)) ctx.addIssue({ code: "custom", message: USERNAME_RULE });
});

const HOSTNAME_RE = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const host = z.string().refine((s) => isIP(s) !== 0 || HOSTNAME_RE.test(s), { error: "must be a host name or IP address" });

const trunkSource = z.string().refine(
  (s) => {
    const source = parseTrunkSource(s);
    return source !== null && isIP(source.address) !== 0;
  },
  { error: TRUNK_SOURCE_RULE },
);

const defaults = defaultCallSettings();

const calls = z.strictObject({
  media: z
    .strictObject({
      portMin: intIn(1024, 65535).default(defaults.media.portMin),
      portMax: intIn(1024, 65535).default(defaults.media.portMax),
      workers: intIn(0, 64).default(defaults.media.workers),
      tonePlan: z.enum(TONE_PLAN_IDS).default(defaults.media.tonePlan),
      musicOnHold: z.string().min(1, { error: "must not be empty" }).nullable().default(null),
      address: z.union([z.ipv4(), z.ipv6()], { error: "must be an IPv4 or IPv6 address" }).nullable().default(null),
      portReuseSeconds: intIn(0, 300).default(defaults.media.portReuseSeconds),
    })
    .prefault({}),
  authenticateInvites: z.boolean().default(defaults.authenticateInvites),
  ringSeconds: intIn(1, 600).default(defaults.ringSeconds),
  maxCallSeconds: intIn(0, 604_800).default(defaults.maxCallSeconds),
  // Queue prompts (<dir>/en, <dir>/zh); relative to the configuration file; null = bundled.
  promptsDir: z.string().min(1, { error: "must not be empty" }).nullable().default(null),
  sessionTimers: z
    .strictObject({
      // RFC 4028 §4: Min-SE must not be below 90 seconds.
      sessionExpires: intIn(90, 86_400).default(defaults.sessionTimers.sessionExpires),
      minSE: intIn(90, 86_400).default(defaults.sessionTimers.minSE),
    })
    .prefault({}),
});

const classOfService = z.enum(CLASSES_OF_SERVICE);

const extensionDefaults = z.strictObject({
  callWaiting: z.boolean().default(DEFAULT_EXTENSION_DEFAULTS.callWaiting),
  dnd: z.boolean().default(DEFAULT_EXTENSION_DEFAULTS.dnd),
  classOfService: classOfService.default(DEFAULT_EXTENSION_DEFAULTS.classOfService),
  noAnswerSeconds: intIn(1, 600).default(DEFAULT_EXTENSION_DEFAULTS.noAnswerSeconds),
});

const extension = z.strictObject({
  callWaiting: z.boolean().optional(),
  dnd: z.boolean().optional(),
  forward: z
    .strictObject({
      always: destination.nullable().default(null),
      busy: destination.nullable().default(null),
      noAnswer: destination.nullable().default(null),
    })
    .prefault({}),
  noAnswerSeconds: intIn(1, 600).optional(),
  followMe: z
    .strictObject({
      numbers: z.array(destination).min(1, { error: "must list at least one number" }),
      ringSeconds: intIn(1, 600).default(DEFAULT_FOLLOW_ME_RING_SECONDS),
    })
    .nullable()
    .default(null),
  classOfService: classOfService.optional(),
  pickupGroup: name.nullable().default(null),
  callerIdName: text.nullable().default(null),
});

const ringGroup = z.strictObject({
  strategy: z.enum(RING_STRATEGIES).default("simultaneous"),
  members: z.array(extensionKey).min(1, { error: "must list at least one member" }),
  // Defaults depend on calls.ringSeconds: filled in by dialPlanOf.
  ringSeconds: intIn(1, 600).optional(),
  memberRingSeconds: intIn(1, 600).optional(),
  noAnswer: destination.nullable().default(null),
});

const skillLevel = intIn(1, 100);
const memberSettings = z.strictObject({
  skill: skillLevel.default(1),
  // weighted-random share; 0 = only when no member with a share is free.
  weight: intIn(0, 1000).default(1),
  // linear/round-robin position: lower first; equal orders (default 0) go by extension.
  order: intIn(0, 10_000).default(0),
});
/**
 * A queue member: a skill level (1 is best, @hotline/acd's Membership.skillLevel), or
 * `{ skill, weight, order }`. Not a z.union: its "Invalid input" would hide which form was meant, so
 * a mapping is checked as the long form and anything else as a level.
 */
const member = z.unknown().transform((v, ctx): { skill: number; weight: number; order: number } => {
  const long = v !== null && typeof v === "object" && !Array.isArray(v);
  const r = long ? memberSettings.safeParse(v) : skillLevel.safeParse(v);
  if (r.success) return typeof r.data === "number" ? { skill: r.data, weight: 1, order: 0 } : r.data;
  for (const i of r.error.issues) {
    if (i.code === "unrecognized_keys") for (const k of i.keys) ctx.addIssue({ code: "custom", path: [...i.path, k], message: "unknown key (expected skill, weight, order)" });
    else ctx.addIssue({ code: "custom", path: i.path, message: i.message });
  }
  return z.NEVER;
});

const seconds = (min: number, max: number) => intIn(min, max);
const queueAnnounce = z.strictObject({
  language: z.enum(["zh", "en", "zh+en"]).default(QUEUE_ANNOUNCE_DEFAULTS.language),
  // 0 and null both mean "never".
  positionEverySeconds: seconds(0, 3600).nullable().default(QUEUE_ANNOUNCE_DEFAULTS.positionEverySeconds).transform((v) => (v === 0 ? null : v)),
  firstAfterSeconds: seconds(0, 3600).default(QUEUE_ANNOUNCE_DEFAULTS.firstAfterSeconds),
  periodicFile: z.string().min(1, { error: "must not be empty" }).nullable().default(QUEUE_ANNOUNCE_DEFAULTS.periodicFile),
  periodicEverySeconds: seconds(0, 3600).nullable().default(QUEUE_ANNOUNCE_DEFAULTS.periodicEverySeconds).transform((v) => (v === 0 ? null : v)),
});
const queueCallback = z.strictObject({
  enabled: z.boolean().default(QUEUE_CALLBACK_DEFAULTS.enabled),
  digit: z.string().regex(/^[0-9*#]$/, { error: 'must be one of 0-9, "*", "#"' }).default(QUEUE_CALLBACK_DEFAULTS.digit),
  maxAttempts: intIn(1, 20).default(QUEUE_CALLBACK_DEFAULTS.maxAttempts),
  retrySeconds: seconds(10, 86_400).default(QUEUE_CALLBACK_DEFAULTS.retrySeconds),
  ringSeconds: seconds(5, 300).default(QUEUE_CALLBACK_DEFAULTS.ringSeconds),
});

const queue = z.strictObject({
  name: text.nullable().default(DEFAULT_QUEUE.name),
  strategy: z.enum(STRATEGY_IDS),
  members: z.record(extensionKey, member).refine((m) => Object.keys(m).length > 0, { error: "must list at least one member", params: { wholeMapping: true } }),
  ringSeconds: intIn(1, 600).default(DEFAULT_QUEUE.ringSeconds),
  wrapUpSeconds: intIn(0, 3600).default(DEFAULT_QUEUE.wrapUpSeconds),
  maxWaitSeconds: intIn(1, 86_400).nullable().default(DEFAULT_QUEUE.maxWaitSeconds),
  overflow: destination.nullable().default(DEFAULT_QUEUE.overflow),
  maxLength: intIn(1, 100_000).nullable().default(DEFAULT_QUEUE.maxLength),
  skillWaitSeconds: intIn(0, 3600).default(DEFAULT_QUEUE.skillWaitSeconds),
  stickyWindowSeconds: intIn(0, 30 * 86_400).default(DEFAULT_QUEUE.stickyWindowSeconds),
  stickyHoldSeconds: intIn(0, 3600).default(DEFAULT_QUEUE.stickyHoldSeconds),
  // sticky falling back to sticky would only wait again: not offered.
  fallbackStrategy: z.enum(STRATEGY_IDS.filter((s) => s !== "sticky")).default(DEFAULT_QUEUE.fallbackStrategy),
  ringInUse: z.boolean().default(DEFAULT_QUEUE.ringInUse),
  // No member agent logged in: refuse new callers (to overflow, else 480), send waiting ones away when the last logs out.
  joinWhenNoAgents: z.boolean().default(DEFAULT_QUEUE.joinWhenNoAgents),
  leaveWhenNoAgents: z.boolean().default(DEFAULT_QUEUE.leaveWhenNoAgents),
  // A caller whose offer failed goes back to the head with this much more priority (0 = head of its own class).
  requeuePriorityRaise: intIn(0, 100).default(DEFAULT_QUEUE.requeuePriorityRaise),
  // Consecutive busy / rejected offers before the agent is put on break; null = never (no-answer: agents.<ext>.maxMisses).
  breakAfter: z
    .strictObject({
      busy: intIn(1, 100).nullable().default(DEFAULT_QUEUE.breakAfter.busy),
      rejected: intIn(1, 100).nullable().default(DEFAULT_QUEUE.breakAfter.rejected),
    })
    .prefault({}),
  // The service-level threshold: answered within this many seconds (the "20" of 80/20).
  serviceLevelSeconds: intIn(1, 3600).default(20),
  // Who may listen/whisper/barge/take over/hang up and force the members' status (checked: known extensions).
  supervisors: z.array(extensionKey).default([]),
  // Announcements while waiting and "press 1 to be called back" (issue 4; README "Queues").
  announce: queueAnnounce.prefault({}),
  callback: queueCallback.prefault({}),
});

// Per-agent ACD settings (agents.<ext>): wrap-up and ring time absent or null = the queue's.
// maxMisses has no queue value to keep, and null reads as "never" (as breakAfter's null), so
// null is refused rather than guessed: 0 says never.
const maxMissesRule = "must be an integer 0..100 (0 = never put on break; null is not allowed)";
const agent = z.strictObject({
  wrapUpSeconds: intIn(0, 3600).nullable().default(null),
  ringSeconds: intIn(1, 600).nullable().default(null),
  maxMisses: z.int({ error: maxMissesRule }).min(0, { error: maxMissesRule }).max(100, { error: maxMissesRule }).default(DEFAULT_AGENT_MAX_MISSES),
});

const schedule = z.strictObject({
  timezone: checked(timezoneProblem),
  open: z
    .array(
      z.strictObject({
        days: z.array(z.enum(DAYS)).min(1, { error: "must list at least one day" }),
        from: time,
        to: time,
      }),
    )
    .default([]),
  holidays: z.array(date).default([]),
  workdays: z.array(date).default([]),
});

const numberEntry = z
  .strictObject({
    destination: destination.optional(),
    schedule: name.optional(),
    open: destination.optional(),
    closed: destination.optional(),
  })
  .superRefine((e, ctx) => {
    const scheduled = e.schedule !== undefined || e.open !== undefined || e.closed !== undefined;
    if (e.destination !== undefined && scheduled) {
      ctx.addIssue({ code: "custom", message: "give either destination, or schedule with open and closed, not both", params: { wholeMapping: true } });
    } else if (e.destination === undefined && !scheduled) {
      ctx.addIssue({ code: "custom", message: "needs destination, or schedule with open and closed", params: { wholeMapping: true } });
    } else if (scheduled) {
      for (const key of ["schedule", "open", "closed"] as const) {
        if (e[key] === undefined) ctx.addIssue({ code: "custom", path: [key], message: "is required with schedule, open and closed" });
      }
    }
  });

const priorityCaller = z.strictObject({
  pattern,
  priority: intIn(1, 100),
  label: name.optional(),
});

const numberClasses = z.strictObject({
  local: z.array(pattern).default([]),
  national: z.array(pattern).default([]),
  international: z.array(pattern).default([]),
});

const trunk = z.strictObject({
  host,
  port: intIn(1, 65535).default(5060),
  transport: z.enum(TRUNK_TRANSPORTS).default("udp"),
  // Default: the host, when it is an IP address (filled in by dialPlanOf).
  match: z.array(trunkSource).optional(),
  register: z
    .strictObject({ username: text, password: secret, expires: intIn(60, 86_400).default(300) })
    .nullable()
    .default(null),
  auth: z.strictObject({ username: text, password: secret }).nullable().default(null),
  callerId: phoneNumber.nullable().default(null),
  normalize: z
    .strictObject({
      countryCode: z.string().regex(/^[1-9][0-9]{0,2}$/, { error: "must be 1-3 digits, not starting with 0" }),
      nationalPrefix: digits(4).default("0"),
      internationalPrefix: digits(4).default("00"),
    })
    .nullable()
    .default(null),
});

const trunkName = z.string().regex(TRUNK_NAME_RE, { error: TRUNK_NAME_RULE });

const outboundRoute = z.strictObject({
  name,
  prefix: z.string().regex(/^[0-9*#+]{0,16}$/, { error: 'must be at most 16 of the characters 0-9, "*", "#", "+"' }),
  strip: intIn(0, 32).default(0),
  prepend: z.string().regex(/^[0-9*#+]{0,16}$/, { error: 'must be at most 16 of the characters 0-9, "*", "#", "+"' }).default(""),
  trunks: z.array(trunkName).min(1, { error: "must list at least one trunk" }),
});

const inboundRoute = z.strictObject({
  trunk: trunkName,
  did: z.string().superRefine((s, ctx) => {
    const why = s === "*" ? null : patternProblem(s);
    if (why) ctx.addIssue({ code: "custom", message: `must be "*" or a pattern: ${why}` });
  }),
  destination,
});

const featureCodes = z.strictObject(
  Object.fromEntries(Object.entries(DEFAULT_FEATURE_CODES).map(([k, v]) => [k, dialString.nullable().default(v)])) as Record<
    FeatureCodeName,
    z.ZodDefault<z.ZodNullable<typeof dialString>>
  >,
);

const park = z.strictObject({
  code: dialString.nullable().default(DEFAULT_PARK.code),
  slots: checked((s) => {
    const r = parseSlotRange(s);
    return typeof r === "string" ? r : null;
  }).default(DEFAULT_PARK.slots),
  timeoutSeconds: intIn(10, 3600).default(DEFAULT_PARK.timeoutSeconds),
});

/** The dial-plan keys, merged into the top-level configuration schema. */
export const dialPlanShape = {
  calls: calls.prefault({}),
  extensionDefaults: extensionDefaults.prefault({}),
  extensions: z.record(extensionKey, extension).default({}),
  ringGroups: z.record(internalNumberKey, ringGroup).default({}),
  queues: z.record(internalNumberKey, queue).default({}),
  agents: z.record(extensionKey, agent).default({}),
  schedules: z.record(name, schedule).default({}),
  numbers: z.record(internalNumberKey, numberEntry).default({}),
  blacklist: z.array(pattern).default([]),
  priorityCallers: z.array(priorityCaller).default([]),
  numberClasses: numberClasses.prefault({}),
  trunks: z.record(trunkName, trunk).default({}),
  outboundRoutes: z.array(outboundRoute).default([]),
  inboundRoutes: z.array(inboundRoute).default([]),
  featureCodes: featureCodes.prefault({}),
  park: park.prefault({}),
};

