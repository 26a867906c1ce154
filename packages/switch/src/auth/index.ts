// Digest authentication for the registrar (RFC 7616, RFC 2617, RFC 8760) and the
// brute-force guard in front of it. Pure: time and randomness come in as arguments.
export { ha1Md5, ha1Sha256 } from "./ha1.js";
export {
  DIGEST_ALGORITHMS, computeDigestResponse, constantTimeEqual, parseDigestAlgorithm,
  type DigestAlgorithm, type DigestInput,
} from "./digest.js";
export { NonceIssuer, NonceCountTracker, type NonceStatus, type NonceIssuerOptions, type NonceCountTrackerOptions } from "./nonce.js";
export {
  DigestAuthenticator, OFFERED_ALGORITHMS, sameResource,
  type AuthChallengeReason, type AuthResult, type DigestAuthenticatorOptions, type Ha1Lookup, type OfferedAlgorithm,
  type StoredHa1, type VerifyInput,
} from "./digest-authenticator.js";
export { BruteForceGuard, countsAsFailure, type BlockedSource, type BruteForceGuardOptions } from "./brute-force-guard.js";
