// Building UserRecords from passwords. Shared by the CLI, the config's `users:` provisioning
// and the demo extensions, so every path stores the same thing: HA1 digests, never a password.
import { randomInt } from "node:crypto";
import { ha1Md5, ha1Sha256, type UserRecord } from "@hotline/switch";

// No 0/O, 1/l/I: these passwords get read off a screen and typed into desk phones.
const ALPHABET = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/** A random password of `length` characters from a 57-symbol alphabet (16 → ~93 bits). */
export function generatePassword(length = 16): string {
  let out = "";
  for (let i = 0; i < length; i++) out += ALPHABET[randomInt(ALPHABET.length)];
  return out;
}

export interface NewUser {
  username: string;
  password: string;
  displayName?: string | null | undefined;
}

/** The record to store for `user` in `realm`; `createdAt` is kept when replacing a user. */
export function userRecord(user: NewUser, realm: string, createdAt: number): UserRecord {
  return {
    username: user.username,
    displayName: user.displayName ?? null,
    realm,
    ha1Md5: ha1Md5(user.username, realm, user.password),
    ha1Sha256: ha1Sha256(user.username, realm, user.password),
    createdAt,
  };
}
