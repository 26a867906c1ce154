/**
 * The UAC side of digest authentication (RFC 3261 §22.2, RFC 7616 §3.4): answering a
 * carrier's 401/407 on a trunk INVITE or REGISTER. qop=auth when offered; the first
 * challenge whose algorithm we support is answered (SHA-256 preferred by the order the
 * server lists them, RFC 8760 §2.4).
 */
import { getHeaderFields, headerField, parseAuth, serializeCredentials, type HeaderField, type SipResponse } from "@hotline/sip";
import { computeDigestResponse, digestHex, hashOf, parseDigestAlgorithm } from "../auth/digest.js";

export interface DigestCredentials {
  username: string;
  password: string;
}

/** The Authorization/Proxy-Authorization header answering `challenge`, or null if we can't. */
export function digestAuthorization(challenge: SipResponse, creds: DigestCredentials, method: string, uri: string, cnonce: string): HeaderField | null {
  const proxy = challenge.status === 407;
  for (const value of getHeaderFields(challenge, proxy ? "proxy-authenticate" : "www-authenticate")) {
    const parsed = parseAuth(value);
    if (!parsed.ok || parsed.value.scheme !== "Digest") continue;
    const p = parsed.value.params;
    const algorithm = parseDigestAlgorithm(p.get("algorithm"));
    const realm = p.get("realm");
    const nonce = p.get("nonce");
    if (algorithm === null || realm === undefined || nonce === undefined) continue;
    const qops = (p.get("qop") ?? "").split(",").map((q) => q.trim().toLowerCase());
    const qop = qops.includes("auth") ? { qop: "auth", nc: "00000001", cnonce } : null;
    if (qop === null && qops.some((q) => q !== "")) continue; // auth-int only: not supported
    const ha1 = digestHex(hashOf(algorithm), `${creds.username}:${realm}:${creds.password}`);
    const response = computeDigestResponse({ algorithm, ha1, method, uri, nonce, qop });
    if (response === null) continue;
    const params = new Map<string, string>([
      ["username", creds.username],
      ["realm", realm],
      ["nonce", nonce],
      ["uri", uri],
      ["response", response],
      ["algorithm", algorithm],
    ]);
    if (qop !== null) {
      params.set("qop", "auth");
      params.set("nc", qop.nc);
      params.set("cnonce", cnonce);
    }
    const opaque = p.get("opaque");
    if (opaque !== undefined) params.set("opaque", opaque);
    return headerField(proxy ? "Proxy-Authorization" : "Authorization", serializeCredentials({ scheme: "Digest", params }));
  }
  return null;
}
