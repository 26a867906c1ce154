// calls.promptsDir and queues.<n>.announce.periodicFile are checked at load (issue 4): a
// missing prompt would only end the caller's playlist early, in silence.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { NUMBER_PROMPTS, PHRASE_PROMPTS } from "@hotline/ivr";
import { configFixture } from "../testing/config-fixture.js";

const { dir, configOf, errorsOf } = configFixture("hotline-prompts-");
const accepted = (yaml: string): void => void configOf(yaml);

/** A prompts directory under `dir` with every prompt of `languages`, minus `leaveOut` (`<lang>/<name>`). */
function promptsDir(name: string, languages: readonly ("en" | "zh")[], leaveOut: readonly string[] = []): string {
  for (const lang of languages) {
    mkdirSync(join(dir, name, lang), { recursive: true });
    for (const prompt of [...PHRASE_PROMPTS, ...NUMBER_PROMPTS[lang]]) {
      if (!leaveOut.includes(`${lang}/${prompt}`)) writeFileSync(join(dir, name, lang, `${prompt}.wav`), "RIFF");
    }
  }
  return name;
}

const queue = (language: string, extra = "") => `queues:\n  "7000": { strategy: linear, members: { "1001": 1 }, announce: { language: ${language}${extra} } }\n`;

test("calls.promptsDir: a directory that does not exist is an error naming the key and the path", () => {
  assert.deepEqual(errorsOf("calls: { promptsDir: /nonexistent-hotline-prompts }\n"), ["hotline.yaml:1:22: calls.promptsDir: directory not found: /nonexistent-hotline-prompts"]);
  // Relative to the configuration file's directory, and a file is not a directory.
  writeFileSync(join(dir, "plain.txt"), "x");
  assert.deepEqual(errorsOf("calls: { promptsDir: plain.txt }\n"), [`hotline.yaml:1:22: calls.promptsDir: directory not found: ${join(dir, "plain.txt")}`]);
});

test("calls.promptsDir: holds every prompt of the languages the queues announce in; the first few missing are named", () => {
  const both = promptsDir("both", ["en", "zh"]);
  accepted(`calls: { promptsDir: ${both} }\n${queue("zh+en")}`);
  // Mandarin only: English files are not needed.
  const zh = promptsDir("zh-only", ["zh"]);
  accepted(`calls: { promptsDir: ${zh} }\n${queue("zh")}`);
  assert.deepEqual(errorsOf(`calls: { promptsDir: ${zh} }\n${queue("en")}`), [
    `hotline.yaml:1:22: calls.promptsDir: is missing ${PHRASE_PROMPTS.length + NUMBER_PROMPTS.en.length} prompt file(s) the queue announcements need: ` +
      `${PHRASE_PROMPTS.slice(0, 5).map((p) => join(dir, zh, "en", `${p}.wav`)).join(", ")} and ${PHRASE_PROMPTS.length + NUMBER_PROMPTS.en.length - 5} more`,
  ]);
  const gaps = promptsDir("gaps", ["en", "zh"], ["zh/liang", "en/all-busy"]);
  assert.deepEqual(errorsOf(`calls: { promptsDir: ${gaps} }\n${queue("zh+en")}`), [
    `hotline.yaml:1:22: calls.promptsDir: is missing 2 prompt file(s) the queue announcements need: ${join(dir, gaps, "en", "all-busy.wav")}, ${join(dir, gaps, "zh", "liang.wav")}`,
  ]);
  // No queue: no language is needed, an existing directory is enough.
  accepted(`calls: { promptsDir: ${zh} }\n`);
});

test("queues.<n>.announce.periodicFile: must exist (relative to the configuration file)", () => {
  writeFileSync(join(dir, "periodic.wav"), "RIFF");
  accepted(queue("zh", ", periodicFile: periodic.wav, periodicEverySeconds: 60"));
  assert.deepEqual(errorsOf(queue("zh", ", periodicFile: missing.wav, periodicEverySeconds: 60")), [
    `hotline.yaml:2:95: queues.7000.announce.periodicFile: file not found: ${join(dir, "missing.wav")}`,
  ]);
  mkdirSync(join(dir, "a-directory.wav"));
  assert.deepEqual(errorsOf(queue("zh", ", periodicFile: a-directory.wav")), [`hotline.yaml:2:95: queues.7000.announce.periodicFile: not a file: ${join(dir, "a-directory.wav")}`]);
});
