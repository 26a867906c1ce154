// An in-memory Store for unit tests. Records are copied in and out so a test cannot pass
// by mutating an object it handed to the store (a real backend would not see that change).
import type { BindingRecord, Store, UserRecord } from "../store.js";
import { createMemoryCallRecords } from "./memory-call-records.js";

function copyUser(u: UserRecord): UserRecord {
  return { ...u };
}

function copyBinding(b: BindingRecord): BindingRecord {
  return { ...b, source: { ...b.source } };
}

const bindingKey = (aor: string, contact: string) => `${aor}\n${contact}`;

export interface MemoryStore extends Store {
  /** How many write calls were made; lets tests assert that nothing was written. */
  readonly writes: number;
}

export function createMemoryStore(initial?: { users?: UserRecord[]; bindings?: BindingRecord[] }): MemoryStore {
  const users = new Map<string, UserRecord>();
  const bindings = new Map<string, BindingRecord>();
  for (const u of initial?.users ?? []) users.set(u.username, copyUser(u));
  for (const b of initial?.bindings ?? []) bindings.set(bindingKey(b.aor, b.contact), copyBinding(b));
  let closed = false;
  let writes = 0;
  const open = (): void => {
    if (closed) throw new Error("store is closed");
  };
  const write = (): void => {
    open();
    writes++;
  };

  const callRecords = createMemoryCallRecords({ open, write });

  return {
    ...callRecords,
    get writes() {
      return writes;
    },
    users: {
      async get(username) {
        open();
        const u = users.get(username);
        return u ? copyUser(u) : null;
      },
      async list() {
        open();
        return [...users.values()].sort((a, b) => (a.username < b.username ? -1 : 1)).map(copyUser);
      },
      async put(u) {
        write();
        users.set(u.username, copyUser(u));
      },
      async putMany(list) {
        write();
        for (const u of list) users.set(u.username, copyUser(u));
      },
      async remove(username) {
        write();
        return users.delete(username);
      },
    },
    bindings: {
      async listAll() {
        open();
        return [...bindings.values()].map(copyBinding);
      },
      async upsert(b) {
        write();
        bindings.set(bindingKey(b.aor, b.contact), copyBinding(b));
      },
      async remove(aor, contact) {
        write();
        bindings.delete(bindingKey(aor, contact));
      },
      async removeAor(aor) {
        write();
        for (const [k, b] of bindings) if (b.aor === aor) bindings.delete(k);
      },
      async removeExpired(now) {
        write();
        let n = 0;
        for (const [k, b] of bindings) {
          if (b.expiresAt <= now) {
            bindings.delete(k);
            n++;
          }
        }
        return n;
      },
    },
    async close() {
      closed = true;
    },
  };
}
