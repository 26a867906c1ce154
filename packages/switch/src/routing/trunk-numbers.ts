// What a trunk's numbers look like here: carriers send "+86 10 1234 5678", "+1-212-…",
// "tel"-style punctuation; the dial plan (blacklist, DIDs, patterns) is written in the
// dialling form "01012345678", "0012125550100".
import type { Trunk } from "./dial-plan.js";

/**
 * The dialling form of a number received on `trunk` (its From or To user): punctuation removed,
 * a leading "+" kept; with `normalize` set, "+<countryCode>…" (or internationalPrefix +
 * countryCode) becomes nationalPrefix + the rest and any other "+…" internationalPrefix + the
 * rest. A string without any digit ("anonymous") is returned unchanged.
 */
export function normalizeInbound(trunk: Pick<Trunk, "normalize"> | null, number: string): string {
  const digits = number.replace(/[^0-9]/g, "");
  if (digits.length === 0) return number;
  const plus = number.trimStart().startsWith("+");
  const n = trunk?.normalize;
  if (!n) return plus ? `+${digits}` : digits;
  let international: string;
  if (plus) international = digits;
  else if (n.internationalPrefix !== "" && digits.startsWith(n.internationalPrefix)) international = digits.slice(n.internationalPrefix.length);
  else return digits;
  if (international.startsWith(n.countryCode)) return n.nationalPrefix + international.slice(n.countryCode.length);
  return n.internationalPrefix + international;
}

/** A trunk's `match` entry: an address, with or without a port. */
export interface TrunkSource {
  address: string;
  port: number | null;
}

const IPV4_RE = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const IPV6_RE = /^[0-9a-f:.]+$/;

/** Loose on purpose (the server checks addresses with node:net's isIP): hex, colons, dots, two colons at least. */
function looksLikeIpv6(s: string): boolean {
  return IPV6_RE.test(s) && s.indexOf(":") !== s.lastIndexOf(":");
}

function portOf(s: string): number | null {
  if (!/^\d{1,5}$/.test(s)) return null;
  const port = Number(s);
  return port >= 1 && port <= 65535 ? port : null;
}

/** "1.2.3.4", "1.2.3.4:5070", "::1", "[::1]:5070" → address and port; null when malformed. */
export function parseTrunkSource(s: string): TrunkSource | null {
  const text = s.toLowerCase();
  if (text.startsWith("[")) {
    const close = text.indexOf("]");
    const address = text.slice(1, close);
    if (close < 0 || !looksLikeIpv6(address)) return null;
    const rest = text.slice(close + 1);
    if (rest === "") return { address, port: null };
    const port = rest.startsWith(":") ? portOf(rest.slice(1)) : null;
    return port === null ? null : { address, port };
  }
  if (IPV4_RE.test(text)) return { address: text, port: null };
  const colon = text.lastIndexOf(":");
  if (colon > 0 && IPV4_RE.test(text.slice(0, colon))) {
    const port = portOf(text.slice(colon + 1));
    return port === null ? null : { address: text.slice(0, colon), port };
  }
  return looksLikeIpv6(text) ? { address: text, port: null } : null;
}

export const TRUNK_SOURCE_RULE = 'must be an IP address, "ip:port" or "[ipv6]:port"';

/** "::ffff:192.0.2.1" (an IPv4 peer on a dual-stack socket) → "192.0.2.1". */
export function canonicalAddress(address: string): string {
  const a = address.toLowerCase();
  return a.startsWith("::ffff:") && IPV4_RE.test(a.slice(7)) ? a.slice(7) : a;
}

/** Finds the trunk an inbound request belongs to by its source; an ip:port entry beats an ip entry. */
export class TrunkMatcher {
  private readonly exact = new Map<string, string>();
  private readonly anyPort = new Map<string, string>();

  constructor(trunks: Readonly<Record<string, Pick<Trunk, "match">>>) {
    for (const [name, trunk] of Object.entries(trunks)) {
      for (const entry of trunk.match) {
        const source = parseTrunkSource(entry);
        if (!source) continue;
        const address = canonicalAddress(source.address);
        if (source.port === null) {
          if (!this.anyPort.has(address)) this.anyPort.set(address, name);
        } else {
          const key = `${address}|${source.port}`;
          if (!this.exact.has(key)) this.exact.set(key, name);
        }
      }
    }
  }

  trunkFor(address: string, port: number): string | null {
    const a = canonicalAddress(address);
    return this.exact.get(`${a}|${port}`) ?? this.anyPort.get(a) ?? null;
  }
}
