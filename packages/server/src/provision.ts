// First-start provisioning: the nonce secret, users from the config, and the demo
// extensions with generated passwords (never a fixed one: an open PBX on a LAN is a
// toll-fraud target). Everything written here lives in the data folder.
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Store } from "@hotline/switch";
import type { HotlineConfig } from "./config/index.js";
import { generatePassword, userRecord } from "./users/user-records.js";

export const SECRET_FILE = "secret.key";
export const DEMO_CREDENTIALS_FILE = "demo-credentials.txt";

/**
 * The HMAC key for nonces. Kept across restarts so phones' nonces stay valid (otherwise
 * every phone takes an extra 401 after each restart).
 */
export function loadOrCreateSecret(dataDir: string): Uint8Array {
  const path = join(dataDir, SECRET_FILE);
  if (existsSync(path)) {
    const hex = readFileSync(path, "utf8").trim();
    if (/^[0-9a-f]{64}$/.test(hex)) return Buffer.from(hex, "hex");
    throw new Error(`${path}: not a 64-hex-digit secret; delete it to generate a new one`);
  }
  const secret = randomBytes(32);
  writeFileSync(path, secret.toString("hex") + "\n", { mode: 0o600 });
  return secret;
}

export interface DemoCredential {
  username: string;
  password: string;
}

/** Users listed in the config are (re)written on every start: the file is authoritative for them. */
export async function provisionConfigUsers(store: Store, config: HotlineConfig, now: number): Promise<number> {
  if (config.users.length === 0) return 0;
  const records = await Promise.all(
    config.users.map(async (u) => userRecord(u, config.sip.domain, (await store.users.get(u.username))?.createdAt ?? now)),
  );
  await store.users.putMany(records);
  return records.length;
}

/**
 * Demo extensions are created once, when the store has no users at all; their passwords
 * go to data/demo-credentials.txt (mode 600) and are printed at every start while that
 * file exists.
 */
export async function provisionDemo(store: Store, config: HotlineConfig, now: number): Promise<DemoCredential[]> {
  const path = join(config.dataDir, DEMO_CREDENTIALS_FILE);
  const names = config.demo.extensions;
  if (names.length > 0 && (await store.users.list()).length === 0) {
    const creds = names.map((username) => ({ username, password: generatePassword() }));
    await store.users.putMany(creds.map((c) => userRecord({ ...c, displayName: `Demo ${c.username}` }, config.sip.domain, now)));
    const body = creds.map((c) => `${c.username} ${c.password}`).join("\n");
    writeFileSync(path, `# hotline demo extensions (realm ${config.sip.domain}): username password\n${body}\n`, { mode: 0o600 });
    return creds;
  }
  if (!existsSync(path)) return [];
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l !== "" && !l.startsWith("#"))
    .map((l) => {
      const [username = "", password = ""] = l.split(" ");
      return { username, password };
    });
}
