// Mapping keys that YAML reads as numbers. An unquoted 6000 is harmless (the key becomes
// "6000"), but 0101234 becomes 101234 and 0x1F becomes 31: a DID or extension that silently
// changed. Such keys must be quoted.
import { isMap, isScalar, type Document } from "yaml";
import type { ConfigIssue } from "./issues.js";

/** Top-level mappings whose keys are numbers or names. */
const KEYED_SECTIONS = ["extensions", "ringGroups", "queues", "numbers", "schedules", "trunks"] as const;

function keyIssues(map: unknown, path: readonly (string | number)[]): ConfigIssue[] {
  if (!isMap(map)) return [];
  const issues: ConfigIssue[] = [];
  for (const pair of map.items) {
    const key = pair.key;
    if (!isScalar(key) || typeof key.value === "string" || key.source === undefined) continue;
    const read = String(key.value);
    if (read !== key.source) {
      issues.push({ path: [...path, read], atKey: true, message: `YAML reads the key ${key.source} as the number ${read}; write it in quotes ("${key.source}")` });
    }
  }
  return issues;
}

export function numericKeyIssues(doc: Document): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const section of KEYED_SECTIONS) issues.push(...keyIssues(doc.get(section, true), [section]));
  // Queue members are extensions: mapping keys too.
  const queues = doc.get("queues", true);
  if (isMap(queues)) {
    for (const pair of queues.items) {
      if (!isScalar(pair.key) || !isMap(pair.value)) continue;
      issues.push(...keyIssues(pair.value.get("members", true), ["queues", String(pair.key.value), "members"]));
    }
  }
  return issues;
}
