// `hotline user add|list|remove|passwd|import`: manage SIP users directly in the store.
// Works whether or not the switch is running (SQLite serializes the writers; busy_timeout
// makes the CLI wait for the server's lock instead of failing).
import { readFileSync } from "node:fs";
import type { UserRecord } from "@hotline/switch";
import { passwordProblem, usernameProblem } from "../config/index.js";
import type { SqliteStore } from "../store/sqlite-store.js";
import { generatePassword, userRecord } from "../users/user-records.js";
import { CliError, EXIT, withStore as withConfiguredStore, type DataOptions } from "./context.js";
import { parseUserCsv } from "./csv-import.js";
import { formatTime, renderTable } from "./table.js";

function withStore<T>(options: DataOptions, body: (store: SqliteStore, realm: string) => Promise<T>): Promise<T> {
  return withConfiguredStore(options, (store, config) => body(store, config.sip.domain));
}

function checkUsername(username: string): void {
  const problem = usernameProblem(username);
  if (problem) throw new CliError(`username ${JSON.stringify(username)}: ${problem}`, EXIT.badInput);
}

/** The given password (checked) or a generated one, and whether it must be shown. */
function choosePassword(given: string | undefined): { password: string; generated: boolean } {
  if (given === undefined) return { password: generatePassword(), generated: true };
  const problem = passwordProblem(given);
  if (problem) throw new CliError(`password: ${problem}`, EXIT.badInput);
  return { password: given, generated: false };
}

export interface AddOptions extends DataOptions {
  password?: string;
  displayName?: string;
}

export async function userAdd(username: string, options: AddOptions): Promise<void> {
  checkUsername(username);
  const { password, generated } = choosePassword(options.password);
  await withStore(options, async (store, realm) => {
    if (await store.users.get(username)) throw new CliError(`user ${username} already exists (use "hotline user passwd ${username}" to change its password)`);
    await store.users.put(userRecord({ username, password, displayName: options.displayName }, realm, Date.now()));
    console.log(`added user ${username} (realm ${realm})`);
    if (generated) console.log(`password: ${password}\n(shown once; it is stored only as a hash)`);
  });
}

export async function userList(options: DataOptions & { json?: boolean }): Promise<void> {
  await withStore(options, async (store, realm) => {
    const users = await store.users.list();
    if (options.json) {
      // HA1 digests are password-equivalent for digest auth: never print them.
      const safe = users.map((u) => ({ username: u.username, displayName: u.displayName, realm: u.realm, createdAt: u.createdAt }));
      console.log(JSON.stringify(safe, null, 2));
      return;
    }
    if (users.length === 0) return void console.log("no users");
    const stale = (u: UserRecord) => u.realm !== realm;
    const rows = users.map((u) => [u.username, u.displayName ?? "", stale(u) ? `${u.realm} *` : u.realm, formatTime(u.createdAt)]);
    console.log(renderTable(["USERNAME", "DISPLAY NAME", "REALM", "CREATED"], rows));
    if (users.some(stale)) {
      console.log(`\n* realm differs from sip.domain (${realm}): these users cannot log in until "hotline user passwd" sets a new password`);
    }
  });
}

export async function userRemove(username: string, options: DataOptions): Promise<void> {
  await withStore(options, async (store, realm) => {
    if (!(await store.users.remove(username))) throw new CliError(`no such user: ${username}`);
    // A removed user's stored registrations would otherwise be restored on the next start.
    await store.bindings.removeAor(`sip:${username}@${realm}`);
    console.log(`removed user ${username}`);
  });
}

export async function userPasswd(username: string, options: DataOptions & { password?: string }): Promise<void> {
  const { password, generated } = choosePassword(options.password);
  await withStore(options, async (store, realm) => {
    const existing = await store.users.get(username);
    if (!existing) throw new CliError(`no such user: ${username}`);
    await store.users.put(userRecord({ username, password, displayName: existing.displayName }, realm, existing.createdAt));
    console.log(`changed the password of ${username} (realm ${realm})`);
    if (generated) console.log(`password: ${password}\n(shown once; it is stored only as a hash)`);
  });
}

export async function userImport(file: string, options: DataOptions): Promise<void> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new CliError(`${file}: cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})`, EXIT.badInput);
  }
  const parsed = parseUserCsv(text, file);
  if (!parsed.ok) throw new CliError(`${parsed.errors.join("\n")}\nnothing imported`, EXIT.badInput);
  await withStore(options, async (store, realm) => {
    const started = performance.now();
    const existing = new Map((await store.users.list()).map((u) => [u.username, u]));
    const now = Date.now();
    const records = parsed.users.map((u) => userRecord(u, realm, existing.get(u.username)?.createdAt ?? now));
    // One transaction: the import is all-or-nothing, and 10,000 users take one commit.
    await store.users.putMany(records);
    const updated = parsed.users.filter((u) => existing.has(u.username)).length;
    const ms = Math.round(performance.now() - started);
    console.log(`imported ${records.length} users (${records.length - updated} new, ${updated} updated) in ${ms} ms`);
  });
}
