// Checks that involve more than one key, or the file system, after the schema accepted the
// shape. Each finding carries the path of the key to fix, so it gets a line:col too.
import { accessSync, constants, statSync } from "node:fs";
import { resolve } from "node:path";
import { checkDialPlanKeys } from "./dial-plan-checks.js";
import type { ConfigIssue } from "./issues.js";
import { checkPrompts } from "./prompt-checks.js";
import type { HotlineConfig, ListenTransport } from "./schema.js";

const WILDCARDS = new Set(["0.0.0.0", "::"]);
const STREAM: ReadonlySet<ListenTransport> = new Set(["tcp", "tls", "ws", "wss"]);
const NEEDS_CERT: ReadonlySet<ListenTransport> = new Set(["tls", "wss"]);

interface Socket {
  path: (string | number)[];
  label: string;
  stream: boolean;
  host: string;
  port: number;
}

function overlaps(a: Socket, b: Socket): boolean {
  // A wildcard bind takes the port on every address, and :: is dual-stack on Linux.
  const sameHost = a.host === b.host || WILDCARDS.has(a.host) || WILDCARDS.has(b.host);
  return a.stream === b.stream && a.port === b.port && sameHost;
}

function checkSockets(config: HotlineConfig): ConfigIssue[] {
  // http first: it is often left at its default, so the listen entry is the line to point at.
  const sockets: Socket[] = [
    { path: ["http", "port"], label: `http (${config.http.host}:${config.http.port})`, stream: true, host: config.http.host, port: config.http.port },
    ...config.sip.listen.map((l, i) => ({
      path: ["sip", "listen", i],
      label: `sip.listen[${i}] (${l.transport} ${l.host}:${l.port})`,
      stream: STREAM.has(l.transport),
      host: l.host,
      port: l.port,
    })),
  ];
  const issues: ConfigIssue[] = [];
  sockets.forEach((s, i) => {
    const earlier = sockets.slice(0, i).find((e) => overlaps(e, s));
    if (earlier) issues.push({ path: s.path, message: `uses the same port as ${earlier.label}`, showValue: false });
  });
  // One socket per transport kind: the transport for a destination is chosen by its kind
  // (RFC 3261 §18.1.1), so a second udp entry could never be picked.
  config.sip.listen.forEach((l, i) => {
    const earlier = config.sip.listen.findIndex((e) => e.transport === l.transport);
    if (earlier < i) issues.push({ path: ["sip", "listen", i, "transport"], message: `only one ${l.transport} entry is supported (already at sip.listen[${earlier}])`, showValue: false });
  });
  return issues;
}

function fileProblem(file: string): string | null {
  try {
    if (!statSync(file).isFile()) return `not a file: ${file}`;
    accessSync(file, constants.R_OK);
    return null;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === "ENOENT" ? `file not found: ${file}` : `cannot read ${file} (${code ?? String(error)})`;
  }
}

function checkCertificates(config: HotlineConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  config.sip.listen.forEach((l, i) => {
    const at = ["sip", "listen", i];
    for (const key of ["cert", "key"] as const) {
      const file = l[key];
      if (!NEEDS_CERT.has(l.transport)) {
        if (file !== undefined) issues.push({ path: [...at, key], message: `is only used by tls and wss, not ${l.transport}`, showValue: false });
      } else if (file === undefined) {
        issues.push({ path: at, message: `${l.transport} needs ${key} (a PEM file)`, showValue: false });
      } else {
        const problem = fileProblem(file);
        if (problem) issues.push({ path: [...at, key], message: problem, showValue: false });
      }
    }
  });
  return issues;
}

function checkMusicOnHold(config: HotlineConfig): ConfigIssue[] {
  const file = config.calls.media.musicOnHold;
  const problem = file === null ? null : fileProblem(file);
  return problem ? [{ path: ["calls", "media", "musicOnHold"], message: problem, showValue: false }] : [];
}

function checkExpires(r: HotlineConfig["registrar"]): ConfigIssue[] {
  if (r.minExpires > r.maxExpires) {
    return [{ path: ["registrar", "minExpires"], message: `must not be greater than maxExpires (${r.maxExpires})`, value: r.minExpires }];
  }
  if (r.defaultExpires < r.minExpires || r.defaultExpires > r.maxExpires) {
    return [{ path: ["registrar", "defaultExpires"], message: `must be between minExpires (${r.minExpires}) and maxExpires (${r.maxExpires})`, value: r.defaultExpires }];
  }
  return [];
}

function checkDuplicates(values: readonly string[], path: (i: number) => (string | number)[], what: string): ConfigIssue[] {
  const first = new Map<string, number>();
  const issues: ConfigIssue[] = [];
  values.forEach((v, i) => {
    const earlier = first.get(v);
    if (earlier === undefined) first.set(v, i);
    else issues.push({ path: path(i), message: `duplicate ${what}, already at index ${earlier}` });
  });
  return issues;
}

/** Makes relative paths (dataDir, cert, key, musicOnHold, promptsDir, periodicFile) absolute against `baseDir` (the config file's directory). */
export function resolvePaths(config: HotlineConfig, baseDir: string): HotlineConfig {
  return {
    ...config,
    dataDir: resolve(baseDir, config.dataDir),
    calls: {
      ...config.calls,
      media: { ...config.calls.media, musicOnHold: config.calls.media.musicOnHold === null ? null : resolve(baseDir, config.calls.media.musicOnHold) },
      promptsDir: config.calls.promptsDir === null ? null : resolve(baseDir, config.calls.promptsDir),
    },
    queues: Object.fromEntries(
      Object.entries(config.queues).map(([n, q]) => [n, { ...q, announce: { ...q.announce, periodicFile: q.announce.periodicFile === null ? null : resolve(baseDir, q.announce.periodicFile) } }]),
    ),
    sip: {
      ...config.sip,
      listen: config.sip.listen.map((l) => ({
        ...l,
        ...(l.cert !== undefined && { cert: resolve(baseDir, l.cert) }),
        ...(l.key !== undefined && { key: resolve(baseDir, l.key) }),
      })),
    },
  };
}

/** Cross-field and file-system checks on a config whose paths are already resolved. */
export function crossChecks(config: HotlineConfig): ConfigIssue[] {
  return [
    ...checkSockets(config),
    ...checkCertificates(config),
    ...checkExpires(config.registrar),
    ...checkDuplicates(config.auth.algorithms, (i) => ["auth", "algorithms", i], "algorithm"),
    ...checkDuplicates(config.users.map((u) => u.username), (i) => ["users", i, "username"], "username"),
    ...checkDuplicates(config.demo.extensions, (i) => ["demo", "extensions", i], "extension"),
    ...checkMusicOnHold(config),
    ...checkPrompts(config, fileProblem),
    ...checkDialPlanKeys(config),
  ];
}
