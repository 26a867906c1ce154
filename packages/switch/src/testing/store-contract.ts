// Behaviour every Store implementation must share. Run against the in-memory fake and the
// SQLite store so that a unit test passing on the fake means the same thing in production.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { BindingRecord, Store, UserRecord } from "../store.js";
import { assertCallRecordsClosed, callRecordsContract } from "./store-contract-call-records.js";

export function sampleUser(username: string, overrides: Partial<UserRecord> = {}): UserRecord {
  return {
    username,
    displayName: `User ${username}`,
    realm: "hotline.local",
    ha1Md5: "0".repeat(32),
    ha1Sha256: "1".repeat(64),
    createdAt: 1_700_000_000_000,
    ...overrides,
  };
}

export function sampleBinding(user: string, contactPort: number, overrides: Partial<BindingRecord> = {}): BindingRecord {
  return {
    aor: `sip:${user}@hotline.local`,
    contact: `sip:${user}@192.0.2.10:${contactPort};transport=udp`,
    callId: `call-${user}-${contactPort}`,
    cseq: 1,
    expiresAt: 1_700_000_600_000,
    q: null,
    source: { transport: "udp", address: "192.0.2.10", port: contactPort },
    userAgent: "test-phone/1.0",
    instanceId: null,
    regId: null,
    updatedAt: 1_700_000_000_000,
    ...overrides,
  };
}

/** Registers node:test cases checking `open()`'s store against the Store contract. */
export function storeContract(name: string, open: () => Promise<Store>): void {
  const withStore = (title: string, body: (store: Store) => Promise<void>) =>
    test(`${name}: ${title}`, async () => {
      const store = await open();
      try {
        await body(store);
      } finally {
        await store.close();
      }
    });

  withStore("users: put, get, list, replace, remove", async (store) => {
    assert.equal(await store.users.get("1001"), null);
    await store.users.put(sampleUser("1002"));
    await store.users.put(sampleUser("1001", { displayName: null }));
    assert.deepEqual(await store.users.get("1001"), sampleUser("1001", { displayName: null }));
    assert.deepEqual((await store.users.list()).map((u) => u.username), ["1001", "1002"]);
    await store.users.put(sampleUser("1001", { ha1Md5: "f".repeat(32) }));
    assert.equal((await store.users.get("1001"))?.ha1Md5, "f".repeat(32));
    assert.equal(await store.users.remove("1001"), true);
    assert.equal(await store.users.remove("1001"), false);
    assert.equal(await store.users.get("1001"), null);
  });

  withStore("users: putMany stores every record", async (store) => {
    const many = Array.from({ length: 50 }, (_, i) => sampleUser(String(3000 + i)));
    await store.users.putMany(many);
    assert.equal((await store.users.list()).length, 50);
    assert.deepEqual(await store.users.get("3049"), many[49]);
  });

  withStore("users: a pending write is visible to a read in the same turn", async (store) => {
    const written = store.users.put(sampleUser("1005"));
    assert.equal((await store.users.get("1005"))?.username, "1005");
    const removed = store.users.remove("1005");
    assert.equal(await store.users.get("1005"), null);
    await written;
    assert.equal(await removed, true);
  });

  withStore("bindings: upsert replaces by (aor, contact), remove, removeAor", async (store) => {
    await store.bindings.upsert(sampleBinding("1001", 5060));
    await store.bindings.upsert(sampleBinding("1001", 5062, { q: 0.5, instanceId: "<urn:uuid:1>", regId: 1 }));
    await store.bindings.upsert(sampleBinding("1002", 5060, { source: { transport: "wss", address: "::1", port: 443 } }));
    await store.bindings.upsert(sampleBinding("1001", 5060, { cseq: 2 }));
    const all = await store.bindings.listAll();
    assert.equal(all.length, 3);
    assert.equal(all.find((b) => b.contact === sampleBinding("1001", 5060).contact)?.cseq, 2);
    assert.deepEqual(
      all.find((b) => b.aor === "sip:1002@hotline.local"),
      sampleBinding("1002", 5060, { source: { transport: "wss", address: "::1", port: 443 } }),
    );
    assert.deepEqual(all.find((b) => b.regId === 1), sampleBinding("1001", 5062, { q: 0.5, instanceId: "<urn:uuid:1>", regId: 1 }));
    await store.bindings.remove("sip:1001@hotline.local", sampleBinding("1001", 5062).contact);
    assert.equal((await store.bindings.listAll()).length, 2);
    await store.bindings.removeAor("sip:1001@hotline.local");
    assert.deepEqual((await store.bindings.listAll()).map((b) => b.aor), ["sip:1002@hotline.local"]);
  });

  withStore("bindings: removeExpired removes expiresAt <= now and counts them", async (store) => {
    await store.bindings.upsert(sampleBinding("1001", 1, { expiresAt: 100 }));
    await store.bindings.upsert(sampleBinding("1001", 2, { expiresAt: 200 }));
    await store.bindings.upsert(sampleBinding("1001", 3, { expiresAt: 201 }));
    assert.equal(await store.bindings.removeExpired(200), 2);
    assert.deepEqual((await store.bindings.listAll()).map((b) => b.expiresAt), [201]);
    assert.equal(await store.bindings.removeExpired(200), 0);
  });

  withStore("records handed in or out are copies", async (store) => {
    const u = sampleUser("1001");
    await store.users.put(u);
    u.displayName = "changed";
    const got = await store.users.get("1001");
    assert.equal(got?.displayName, "User 1001");
    const b = sampleBinding("1001", 5060);
    await store.bindings.upsert(b);
    b.source.port = 1;
    assert.equal((await store.bindings.listAll())[0]?.source.port, 5060);
  });

  callRecordsContract(withStore);

  test(`${name}: closed store rejects calls`, async () => {
    const store = await open();
    await store.close();
    await assert.rejects(store.users.get("1001"));
    await assert.rejects(store.bindings.upsert(sampleBinding("1001", 5060)));
    await assertCallRecordsClosed(store);
  });
}
