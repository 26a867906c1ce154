// The registrar's side of SIP digest authentication (RFC 3261 §22.4 as updated by RFC 8760,
// with the algorithms and rules of RFC 7616): builds challenges and verifies credentials.
//
// From outside, an unknown user and a wrong password look the same: same 401 challenge,
// same hashing work (an unknown user is checked against a dummy HA1 derived from the
// secret). Only `reason`, meant for logs and metrics, tells them apart. The lookup's own
// timing (a store hit vs. a miss) is the store's business.
import { createHmac } from "node:crypto";
import { isSipUri, parseAuth, parseUri, serializeChallenge } from "@hotline/sip";
import {
  computeDigestResponse, constantTimeEqual, hashOf, isDigestHex, parseDigestAlgorithm,
  type DigestAlgorithm,
} from "./digest.js";
import { NonceCountTracker, NonceIssuer, nonceIssuedAt } from "./nonce.js";
import { ownString } from "../own-string.js";

/** The algorithms a server offers. RFC 8760 §2.4 / RFC 7616 §3.7: most preferred first. */
export const OFFERED_ALGORITHMS = ["SHA-256", "MD5"] as const;
export type OfferedAlgorithm = (typeof OFFERED_ALGORITHMS)[number];

export type AuthChallengeReason =
  | "missing" // no Digest credentials at all: every first REGISTER
  | "stale" // right password, but the nonce expired or is not ours (e.g. a new secret)
  | "bad-credentials" // wrong password (or no HA1 stored for that algorithm)
  | "unknown-user"
  | "malformed" // unparsable, missing parameters, unsupported algorithm/qop
  | "realm-mismatch" // Digest credentials, but none for our realm
  | "replay" // right password, nonce count not increasing (RFC 7616 §3.4 nc)
  | "uri-mismatch"; // digest uri names another resource than the Request-URI (RFC 7616 §3.4.6)

export type AuthResult =
  | { outcome: "ok"; username: string }
  | { outcome: "challenge"; stale: boolean; reason: AuthChallengeReason; username?: string };

export interface StoredHa1 {
  ha1Md5: string;
  ha1Sha256: string;
}

export type Ha1Lookup = (username: string) => Promise<StoredHa1 | null>;

export interface VerifyInput {
  method: string;
  /** The Request-URI as received. */
  requestUri: string;
  /** Every Authorization (or, for a proxy challenge, Proxy-Authorization) header value. */
  authorization: readonly string[];
}

export interface DigestAuthenticatorOptions {
  realm: string;
  /** Which algorithms to offer; order does not matter, SHA-256 is always offered first. */
  algorithms: readonly OfferedAlgorithm[];
  nonceTtlMs: number;
  secret: Uint8Array;
  randomBytes: (n: number) => Uint8Array;
  /** Bound of the nonce-count table (default 100,000 nonces). */
  maxTrackedNonces?: number;
}

interface Credentials {
  username: string;
  nonce: string;
  uri: string;
  response: string;
  algorithm: DigestAlgorithm;
  qop: { qop: string; nc: string; cnonce: string } | null;
}

const NC_SYNTAX = /^[0-9a-fA-F]{8}$/;

export class DigestAuthenticator {
  readonly realm: string;
  readonly algorithms: readonly OfferedAlgorithm[];
  readonly #nonces: NonceIssuer;
  readonly #counts: NonceCountTracker;
  /** Secret-derived HA1 values checked for unknown users, per hash (MD5 hex is 32 chars). */
  readonly #dummy: { MD5: string; "SHA-256": string };

  constructor(opts: DigestAuthenticatorOptions) {
    if (opts.realm === "" || /[\r\n]/.test(opts.realm)) throw new RangeError(`realm ${JSON.stringify(opts.realm)} cannot be carried in a header`);
    const algorithms = OFFERED_ALGORITHMS.filter((a) => opts.algorithms.includes(a));
    if (algorithms.length === 0) throw new RangeError("at least one digest algorithm (SHA-256, MD5) must be enabled");
    this.realm = opts.realm;
    this.algorithms = algorithms;
    this.#nonces = new NonceIssuer({ secret: opts.secret, realm: opts.realm, ttlMs: opts.nonceTtlMs, randomBytes: opts.randomBytes });
    this.#counts = new NonceCountTracker({ ttlMs: opts.nonceTtlMs, ...(opts.maxTrackedNonces !== undefined && { maxEntries: opts.maxTrackedNonces }) });
    // One secret-derived dummy HA1 per hash, computed once: an unknown user costs the same
    // response computation as a known one, and nobody can know the dummy's value.
    const dummy = createHmac("sha256", opts.secret).update("hotline dummy HA1").digest("hex");
    this.#dummy = { MD5: dummy.slice(0, 32), "SHA-256": dummy };
  }

  /**
   * One WWW-Authenticate (or Proxy-Authenticate) value per enabled algorithm, most preferred
   * first (RFC 8760 §2.4). qop="auth" only: auth-int is never offered. No opaque: the
   * nonce already carries everything the server needs back.
   */
  challenge(now: number, stale: boolean): string[] {
    return this.algorithms.map((algorithm) => {
      const params = new Map([["realm", this.realm], ["nonce", this.#nonces.issue(now)], ["algorithm", algorithm], ["qop", "auth"]]);
      if (stale) params.set("stale", "true");
      return serializeChallenge({ scheme: "Digest", params });
    });
  }

  /** Lookup failures (rejections) propagate: a store outage is not an authentication result. */
  async verify(input: VerifyInput, lookup: Ha1Lookup, now: number): Promise<AuthResult> {
    const selected = this.#select(input.authorization);
    if (!(selected instanceof Map)) return challenge(selected);
    const username = selected.get("username");
    const creds = this.#credentials(selected);
    if (creds === null) return challenge("malformed", username);
    if (!sameResource(creds.uri, input.requestUri)) return challenge("uri-mismatch", creds.username);

    const nonceStatus = this.#nonces.verifyNonce(creds.nonce, now);
    const record = await lookup(creds.username);
    const hash = hashOf(creds.algorithm);
    const dummy = this.#dummy[hash];
    const stored = record === null ? undefined : hash === "MD5" ? record.ha1Md5 : record.ha1Sha256;
    const usable = stored !== undefined && isDigestHex(hash, stored);
    const expected = computeDigestResponse({ ...creds, method: input.method, ha1: usable ? stored : dummy }) ?? "";
    const match = constantTimeEqual(expected, creds.response.toLowerCase());

    if (record === null) return challenge("unknown-user", creds.username);
    if (!usable || !match) return challenge("bad-credentials", creds.username);
    // RFC 7616 §3.3 stale: "the nonce is invalid but with a valid digest for that nonce
    // (indicating that the client knows the correct username/password)". An unknown
    // nonce (e.g. issued under an older secret) with a correct digest is stale too.
    if (nonceStatus !== "valid") return challenge("stale", creds.username);
    const nc = creds.qop === null ? null : parseInt(creds.qop.nc, 16);
    const issuedAt = nonceIssuedAt(creds.nonce) ?? now;
    // Counted per (username, nonce): credentials are a user's, and keying by nonce alone
    // would let one account advance the count of a nonce another user is answering.
    // Flattened copy: the parts are slices of the received Authorization header, and a
    // table entry that lives for the nonce TTL must not keep the whole request alive.
    const key = ownString(`${creds.username}\n${creds.nonce}`);
    if (this.#counts.use(key, issuedAt, nc, now) === "replay") return challenge("replay", creds.username);
    return { outcome: "ok", username: creds.username };
  }

  /**
   * Picks the Digest credentials for our realm (RFC 3261 §22.4: a request may carry
   * credentials for several realms, e.g. for proxies on the path). Among several for our
   * realm, the first with an enabled algorithm wins.
   */
  #select(values: readonly string[]): Map<string, string> | "missing" | "malformed" | "realm-mismatch" {
    let sawMalformed = false;
    let sawDigest = false;
    let fallback: Map<string, string> | undefined;
    for (const value of values) {
      const parsed = parseAuth(value);
      if (!parsed.ok) {
        sawMalformed = true;
        continue;
      }
      if (parsed.value.scheme !== "Digest") continue;
      sawDigest = true;
      const params = parsed.value.params;
      if (params.get("realm") !== this.realm) continue;
      const algorithm = parseDigestAlgorithm(params.get("algorithm"));
      if (algorithm !== null && this.#offers(algorithm)) return params;
      fallback ??= params;
    }
    if (fallback !== undefined) return fallback;
    if (sawMalformed) return "malformed";
    return sawDigest ? "realm-mismatch" : "missing";
  }

  #offers(algorithm: DigestAlgorithm): boolean {
    return (this.algorithms as readonly string[]).includes(algorithm);
  }

  /** Validates the parameters RFC 7616 §3.4 requires; null when they do not add up. */
  #credentials(p: Map<string, string>): Credentials | null {
    const username = p.get("username");
    const nonce = p.get("nonce");
    const uri = p.get("uri");
    const response = p.get("response");
    // username* and userhash=true (RFC 7616 §3.4.4) are never offered, so never accepted.
    if (username === undefined || username === "" || nonce === undefined || uri === undefined || response === undefined) return null;
    if ((p.get("userhash") ?? "false").toLowerCase() !== "false") return null;
    const algorithm = parseDigestAlgorithm(p.get("algorithm"));
    // Only what we offered: the -sess variants are computable (digest.ts) but never offered.
    if (algorithm === null || !this.#offers(algorithm)) return null;
    if (!isDigestHex(hashOf(algorithm), response)) return null;
    const qop = p.get("qop");
    if (qop === undefined) {
      // RFC 2069 compatibility (RFC 2617 §3.2.2.1) for MD5 only: RFC 7616 §3.4 makes qop
      // mandatory, and any client that knows SHA-256 implements RFC 7616.
      return algorithm === "MD5" ? { username, nonce, uri, response, algorithm, qop: null } : null;
    }
    // qop=auth-int is never offered (we do not hash bodies): credentials claiming it fail.
    if (qop.toLowerCase() !== "auth") return null;
    const nc = p.get("nc");
    const cnonce = p.get("cnonce");
    if (nc === undefined || !NC_SYNTAX.test(nc) || cnonce === undefined || cnonce === "") return null;
    return { username, nonce, uri, response, algorithm, qop: { qop, nc, cnonce } };
  }

}

function challenge(reason: AuthChallengeReason, username?: string): AuthResult {
  const stale = reason === "stale" || reason === "replay";
  return username === undefined ? { outcome: "challenge", stale, reason } : { outcome: "challenge", stale, reason, username };
}

/**
 * RFC 7616 §3.4.6: the digest `uri` must designate the same resource as the Request-URI.
 * Most clients copy the Request-URI, but some put the server's address there instead
 * (SIPp 3.6.1 sends `uri="sip:<server ip>:<port>"` for a REGISTER to `sip:domain`), and
 * Kamailio does not compare them by default. We accept the same text (any letter case)
 * or a SIP URI with the same scheme and user part, and refuse a different user or scheme.
 * Hosts may differ because a captured credential cannot be replayed anyway: the nonce is
 * ours and the nonce count only moves forward.
 */
export function sameResource(digestUri: string, requestUri: string): boolean {
  if (digestUri === requestUri || digestUri.toLowerCase() === requestUri.toLowerCase()) return true;
  const a = parseUri(digestUri);
  const b = parseUri(requestUri);
  if (!a.ok || !b.ok || !isSipUri(a.uri) || !isSipUri(b.uri)) return false;
  return a.uri.scheme === b.uri.scheme && a.uri.user === b.uri.user;
}
