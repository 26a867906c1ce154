// The shape of hotline.yaml. Every key is optional with a default, so an empty or absent file
// is a working single-node setup; every object is strict, so a misspelt key is an error
// instead of a silently ignored setting. Messages are written for the person editing the file.
import { isIP } from "node:net";
import { z } from "zod";
import { dialPlanShape } from "./dial-plan-schema.js";
import { hasControlChars, passwordProblem, usernameProblem } from "./schema-rules.js";

export const LISTEN_TRANSPORTS = ["udp", "tcp", "tls", "ws", "wss"] as const;
export type ListenTransport = (typeof LISTEN_TRANSPORTS)[number];

/** Port used when a listen entry gives none (RFC 3261 §19.1.2 for udp/tcp/tls; 8088/8089 as Asterisk uses for ws/wss). */
export const DEFAULT_PORTS: Record<ListenTransport, number> = { udp: 5060, tcp: 5060, tls: 5061, ws: 8088, wss: 8089 };

export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error"] as const;
export const DIGEST_ALGORITHMS = ["SHA-256", "MD5"] as const;
export const KEEPALIVE_METHODS = ["options", "crlf", "none"] as const;

function intIn(min: number, max: number) {
  const error = `must be an integer ${min}..${max}`;
  return z.int({ error }).min(min, { error }).max(max, { error });
}

export { hasControlChars, USERNAME_RULE, PASSWORD_MIN_LENGTH, usernameProblem, passwordProblem } from "./schema-rules.js";

const username = z.string().superRefine((s, ctx) => {
  const problem = usernameProblem(s);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

const password = z.string().superRefine((s, ctx) => {
  const problem = passwordProblem(s);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

const displayName = z
  .string()
  .min(1, { error: "must not be empty" })
  .max(128, { error: "must be at most 128 characters" })
  .refine((s) => !hasControlChars(s), { error: "must not contain control characters" });

const ipAddress = z.string().refine((s) => isIP(s) !== 0, { error: "must be an IPv4 or IPv6 address" });

const HOSTNAME_RE = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const domain = z.string().regex(HOSTNAME_RE, { error: "must be a host name or IPv4 address" });

const nonEmptyPath = z.string().min(1, { error: "must not be empty" });

const listenEntry = z
  .strictObject({
    transport: z.enum(LISTEN_TRANSPORTS),
    host: ipAddress.default("0.0.0.0"),
    port: intIn(1, 65535).optional(),
    cert: nonEmptyPath.optional(),
    key: nonEmptyPath.optional(),
  })
  .transform((e) => ({ ...e, port: e.port ?? DEFAULT_PORTS[e.transport] }));

const DEFAULT_LISTEN = [
  { transport: "udp", host: "0.0.0.0", port: 5060 },
  { transport: "tcp", host: "0.0.0.0", port: 5060 },
] as const;

const sip = z.strictObject({
  domain: domain.default("hotline.local"),
  listen: z.array(listenEntry).min(1, { error: "must list at least one transport" }).prefault(() => DEFAULT_LISTEN.map((e) => ({ ...e }))),
  limits: z
    .strictObject({
      maxMessageBytes: intIn(1024, 1_048_576).default(65535),
      udpReceiveBufferBytes: intIn(65_536, 67_108_864).default(262_144),
      maxConnectionsPerIp: intIn(1, 100_000).default(64),
      idleConnectionSeconds: intIn(1, 86_400).default(600),
      maxServerTransactions: intIn(100, 1_000_000).default(100_000),
    })
    .prefault({}),
});

const auth = z.strictObject({
  algorithms: z.array(z.enum(DIGEST_ALGORITHMS)).min(1, { error: "must list at least one algorithm" }).default(["MD5"]),
  nonceTtlSeconds: intIn(10, 86_400).default(300),
  bruteForce: z
    .strictObject({
      // 30, not 10: one phone with a mistyped password answers every 401 again (baresip: ~16
      // tries in 3 s) and must not silence a whole office behind one NAT address; 30 guesses
      // per block still stop svcrack (tests/e2e/sipvicious.test.ts).
      maxFailures: intIn(1, 1_000_000).default(30),
      windowSeconds: intIn(1, 86_400).default(60),
      blockSeconds: intIn(0, 604_800).default(600),
    })
    .prefault({}),
});

const registrar = z.strictObject({
  minExpires: intIn(1, 604_800).default(60),
  maxExpires: intIn(1, 604_800).default(7200),
  defaultExpires: intIn(1, 604_800).default(3600),
  maxContactsPerAor: intIn(1, 1000).default(10),
  keepalive: z
    .strictObject({
      method: z.enum(KEEPALIVE_METHODS).default("options"),
      scope: z.enum(["nat", "all"]).default("nat"),
      intervalSeconds: intIn(1, 3600).default(30),
      failuresBeforeUnreachable: intIn(1, 100).default(3),
    })
    .prefault({}),
});

const user = z.strictObject({
  username,
  password,
  displayName: displayName.optional(),
});

export const configSchema = z.strictObject({
  node: z.strictObject({ id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, { error: 'must be 1-64 characters of letters, digits, ".", "_", "-"' }).default("node1") }).prefault({}),
  dataDir: nonEmptyPath.default("./data"),
  log: z.strictObject({ level: z.enum(LOG_LEVELS).default("info") }).prefault({}),
  sip: sip.prefault({}),
  auth: auth.prefault({}),
  registrar: registrar.prefault({}),
  http: z.strictObject({ host: ipAddress.default("127.0.0.1"), port: intIn(1, 65535).default(8080) }).prefault({}),
  demo: z.strictObject({ extensions: z.array(username).default(["1001", "1002", "1003", "1004", "1005"]) }).prefault({}),
  users: z.array(user).default([]),
  ...dialPlanShape,
});

/** The validated configuration; file paths (dataDir, cert, key) are absolute. */
export type HotlineConfig = z.output<typeof configSchema>;
export type ListenConfig = HotlineConfig["sip"]["listen"][number];
