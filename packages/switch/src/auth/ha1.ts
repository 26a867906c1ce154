// HA1 = H(username ":" realm ":" password), RFC 7616 §3.4.2 (non "-sess" algorithms).
// Stored instead of passwords: a leaked store does not reveal passwords, and it is still
// all the UAS needs to verify a digest response. Both hashes are kept because RFC 8760
// lets a server offer SHA-256 and MD5 and many SIP phones only know MD5.
import { createHash } from "node:crypto";

function a1(username: string, realm: string, password: string): string {
  return `${username}:${realm}:${password}`;
}

/** hex(MD5("username:realm:password")). */
export function ha1Md5(username: string, realm: string, password: string): string {
  return createHash("md5").update(a1(username, realm, password), "utf8").digest("hex");
}

/** hex(SHA-256("username:realm:password")). */
export function ha1Sha256(username: string, realm: string, password: string): string {
  return createHash("sha256").update(a1(username, realm, password), "utf8").digest("hex");
}
