/**
 * Published digest examples for the auth tests, and independent (textbook) hash helpers
 * to check our results against.
 */
import { createHash } from "node:crypto";

/** RFC 7616 §3.9.1 (the SHA-256 and MD5 examples share every input but the algorithm). */
export const rfc7616 = {
  username: "Mufasa",
  realm: "http-auth@example.org",
  password: "Circle of Life",
  method: "GET",
  uri: "/dir/index.html",
  nonce: "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
  qop: { qop: "auth", nc: "00000001", cnonce: "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ" },
};

export const md5 = (s: string): string => createHash("md5").update(s).digest("hex");
export const sha256 = (s: string): string => createHash("sha256").update(s).digest("hex");

/**
 * The RFC 7616 §3.9.1 response for a given HA1, by the textbook formula
 * H(HA1:nonce:nc:cnonce:qop:H(method:uri)), not by our computeDigestResponse.
 */
export function rfc7616Response(algorithm: "md5" | "sha256", ha1: string): string {
  const h = algorithm === "md5" ? md5 : sha256;
  const { method, uri, nonce, qop } = rfc7616;
  return h([ha1, nonce, qop.nc, qop.cnonce, qop.qop, h(`${method}:${uri}`)].join(":"));
}
