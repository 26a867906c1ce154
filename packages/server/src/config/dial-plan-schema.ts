// The dial-plan keys of hotline.yaml (calls, extensions, ring groups, queues, schedules,
// numbers, blacklist, trunks, routes, feature codes, park). Shapes and single-field formats are checked
// here, with the switch's own rules (patterns, times, destinations); checks across keys are
// @hotline/switch's checkDialPlan, run from checks.ts.
import { isIP } from "node:net";
import { z } from "zod";
import { STRATEGY_IDS } from "@hotline/acd";
import {
  CLASSES_OF_SERVICE, DAYS, DEFAULT_EXTENSION_DEFAULTS, DEFAULT_FEATURE_CODES, DEFAULT_FOLLOW_ME_RING_SECONDS, DEFAULT_PARK, DEFAULT_QUEUE,
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

const queue = z.strictObject({
  name: text.nullable().default(DEFAULT_QUEUE.name),
  strategy: z.enum(STRATEGY_IDS),
  // Skill level 1 is best (@hotline/acd's Membership.skillLevel).
  members: z.record(extensionKey, intIn(1, 100)).refine((m) => Object.keys(m).length > 0, { error: "must list at least one member", params: { wholeMapping: true } }),
  ringSeconds: intIn(1, 600).default(DEFAULT_QUEUE.ringSeconds),
  wrapUpSeconds: intIn(0, 3600).default(DEFAULT_QUEUE.wrapUpSeconds),
  maxWaitSeconds: intIn(1, 86_400).nullable().default(DEFAULT_QUEUE.maxWaitSeconds),
  overflow: destination.nullable().default(DEFAULT_QUEUE.overflow),
  maxLength: intIn(1, 100_000).nullable().default(DEFAULT_QUEUE.maxLength),
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

