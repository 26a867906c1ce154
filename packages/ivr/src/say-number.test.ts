import { test } from "node:test";
import assert from "node:assert/strict";
import { NUMBER_PROMPTS, sayNumber } from "./say-number.js";
import { positionAnnouncement } from "./queue-prompts.js";

test("Mandarin: 十 for a leading ten, one 零 per zero run inside, none at the end", () => {
  const zh = (n: number, use: "count" | "ordinal" = "ordinal") => sayNumber(n, "zh", use).join(" ");
  assert.equal(zh(0), "0");
  assert.equal(zh(7), "7");
  assert.equal(zh(10), "shi");
  assert.equal(zh(12), "shi 2");
  assert.equal(zh(20), "2 shi");
  assert.equal(zh(105), "1 bai 0 5");
  assert.equal(zh(110), "1 bai 1 shi");
  assert.equal(zh(112), "1 bai 1 shi 2");
  assert.equal(zh(1005), "1 qian 0 5");
  assert.equal(zh(1050), "1 qian 0 5 shi");
  assert.equal(zh(1200), "1 qian 2 bai");
  assert.equal(zh(9999), "9 qian 9 bai 9 shi 9");
});

test("Mandarin counts say 两 for a leading 2 (两分钟, 两百, 两千) but 二十 and ordinals keep 二", () => {
  const count = (n: number) => sayNumber(n, "zh", "count").join(" ");
  assert.equal(count(2), "liang");
  assert.equal(count(200), "liang bai");
  assert.equal(count(2000), "liang qian");
  assert.equal(count(2222), "liang qian 2 bai 2 shi 2");
  assert.equal(count(22), "2 shi 2");
  assert.equal(count(12), "shi 2");
  assert.equal(sayNumber(2, "zh", "ordinal").join(" "), "2");
});

test("English: teens, tens, hundred, thousand", () => {
  const en = (n: number) => sayNumber(n, "en").join(" ");
  assert.equal(en(0), "0");
  assert.equal(en(13), "13");
  assert.equal(en(40), "40");
  assert.equal(en(45), "40 5");
  assert.equal(en(105), "1 hundred 5");
  assert.equal(en(1234), "1 thousand 2 hundred 30 4");
  assert.equal(en(7000), "7 thousand");
});

test("every name for 0..9999 is a generated prompt; past 9999 digit by digit", () => {
  for (const lang of ["en", "zh"] as const) {
    const known = new Set(NUMBER_PROMPTS[lang]);
    for (let n = 0; n <= 9999; n++) for (const name of sayNumber(n, lang)) assert.ok(known.has(name), `${lang} ${n}: ${name}`);
  }
  assert.deepEqual(sayNumber(12345, "en"), ["1", "2", "3", "4", "5"]);
  assert.deepEqual(sayNumber(-3, "zh"), ["0"]);
});

test("position announcement: Mandarin first, ordinal place, wait rounded up to minutes", () => {
  const names = (refs: { language: string; name: string }[]) => refs.map((r) => `${r.language}/${r.name}`).join(" ");
  assert.equal(names(positionAnnouncement("zh+en", 2, 61)), "zh/caller-number zh/2 zh/in-queue zh/estimated-wait zh/liang zh/minutes en/caller-number en/2 en/in-queue en/estimated-wait en/2 en/minutes");
  assert.equal(names(positionAnnouncement("en", 1, 59)), "en/caller-number en/1 en/in-queue en/estimated-wait en/less-than-minute");
  assert.equal(names(positionAnnouncement("en", 3, 60)), "en/caller-number en/3 en/in-queue en/estimated-wait en/1 en/minute");
  assert.equal(names(positionAnnouncement("zh", 1, null)), "zh/caller-number zh/1 zh/in-queue");
});
