import { test } from "node:test";
import assert from "node:assert/strict";
import type { Schedule } from "./dial-plan.js";
import { dateProblem, isOpen, localTime, parseTime, scheduleState, timeProblem, timezoneProblem } from "./schedule.js";

const utc = (iso: string): number => Date.parse(`${iso}Z`);

// The contract's example: Asia/Shanghai is UTC+8 all year.
const OFFICE: Schedule = {
  timezone: "Asia/Shanghai",
  open: [
    { days: ["mon", "tue", "wed", "thu", "fri"], from: "08:30", to: "12:00" },
    { days: ["mon", "tue", "wed", "thu", "fri"], from: "13:30", to: "17:30" },
  ],
  holidays: ["2026-10-01", "2026-10-02"],
  workdays: ["2026-10-10"],
};

test("Asia/Shanghai office hours: open, lunch, evening, weekend", () => {
  const cases: [utcTime: string, open: boolean, reason: string][] = [
    ["2026-10-08T00:29", false, "thu 2026-10-08 08:29 outside hours"],
    ["2026-10-08T00:30", true, "thu 2026-10-08 08:30 in 08:30-12:00"],
    ["2026-10-08T03:59", true, "thu 2026-10-08 11:59 in 08:30-12:00"],
    ["2026-10-08T04:00", false, "thu 2026-10-08 12:00 outside hours"],
    ["2026-10-08T05:30", true, "thu 2026-10-08 13:30 in 13:30-17:30"],
    ["2026-10-08T09:30", false, "thu 2026-10-08 17:30 outside hours"],
    // 2026-10-08 20:00 UTC is already Friday 04:00 in Shanghai.
    ["2026-10-08T20:00", false, "fri 2026-10-09 04:00 outside hours"],
    ["2026-10-09T01:00", true, "fri 2026-10-09 09:00 in 08:30-12:00"],
    ["2026-10-11T02:00", false, "sun 2026-10-11 10:00 outside hours"],
  ];
  for (const [t, open, reason] of cases) {
    assert.deepEqual(scheduleState(OFFICE, utc(t)), { open, reason }, t);
    assert.equal(isOpen(OFFICE, utc(t)), open, t);
  }
});

test("holidays are closed all day; make-up workdays open with Monday's hours", () => {
  // Thursday 2026-10-01 10:00 in Shanghai would be open on an ordinary Thursday.
  assert.deepEqual(scheduleState(OFFICE, utc("2026-10-01T02:00")), { open: false, reason: "holiday 2026-10-01" });
  assert.deepEqual(scheduleState(OFFICE, utc("2026-10-02T15:59")), { open: false, reason: "holiday 2026-10-02" });
  // 2026-10-02 16:00 UTC is Saturday 2026-10-03 00:00 local: no longer the holiday, a weekend.
  assert.deepEqual(scheduleState(OFFICE, utc("2026-10-02T16:00")), { open: false, reason: "sat 2026-10-03 00:00 outside hours" });
  // Saturday 2026-10-10 is a make-up working day.
  assert.deepEqual(scheduleState(OFFICE, utc("2026-10-10T01:00")), { open: true, reason: "workday 2026-10-10 (mon hours) 09:00 in 08:30-12:00" });
  assert.deepEqual(scheduleState(OFFICE, utc("2026-10-10T04:30")), { open: false, reason: "workday 2026-10-10 (mon hours) 12:30 outside hours" });
  assert.deepEqual(scheduleState(OFFICE, utc("2026-10-10T06:00")), { open: true, reason: "workday 2026-10-10 (mon hours) 14:00 in 13:30-17:30" });
  // The Saturday before is an ordinary weekend day.
  assert.deepEqual(scheduleState(OFFICE, utc("2026-10-03T01:00")), { open: false, reason: "sat 2026-10-03 09:00 outside hours" });
});

const NEW_YORK: Schedule = {
  timezone: "America/New_York",
  open: [
    { days: ["mon", "tue", "wed", "thu", "fri"], from: "09:00", to: "17:00" },
    { days: ["sun"], from: "01:00", to: "03:00" },
  ],
  holidays: [],
  workdays: [],
};

test("America/New_York across the spring change: 09:00 local is 14:00 UTC before, 13:00 UTC after", () => {
  // Friday 2026-03-06 is EST (UTC-5).
  assert.deepEqual(scheduleState(NEW_YORK, utc("2026-03-06T13:59")), { open: false, reason: "fri 2026-03-06 08:59 outside hours" });
  assert.deepEqual(scheduleState(NEW_YORK, utc("2026-03-06T14:00")), { open: true, reason: "fri 2026-03-06 09:00 in 09:00-17:00" });
  assert.deepEqual(scheduleState(NEW_YORK, utc("2026-03-06T21:59")), { open: true, reason: "fri 2026-03-06 16:59 in 09:00-17:00" });
  // Monday 2026-03-09 is EDT (UTC-4): the same UTC times are an hour later locally.
  assert.deepEqual(scheduleState(NEW_YORK, utc("2026-03-09T12:59")), { open: false, reason: "mon 2026-03-09 08:59 outside hours" });
  assert.deepEqual(scheduleState(NEW_YORK, utc("2026-03-09T13:00")), { open: true, reason: "mon 2026-03-09 09:00 in 09:00-17:00" });
  assert.deepEqual(scheduleState(NEW_YORK, utc("2026-03-09T21:00")), { open: false, reason: "mon 2026-03-09 17:00 outside hours" });
});

test("America/New_York on the change days: the skipped and the repeated hour", () => {
  // Sunday 2026-03-08: 01:59 EST is followed by 03:00 EDT; 02:xx never happens.
  assert.deepEqual(scheduleState(NEW_YORK, utc("2026-03-08T06:59")), { open: true, reason: "sun 2026-03-08 01:59 in 01:00-03:00" });
  assert.deepEqual(scheduleState(NEW_YORK, utc("2026-03-08T07:00")), { open: false, reason: "sun 2026-03-08 03:00 outside hours" });
  // Sunday 2026-11-01: 01:30 happens twice (EDT, then EST); both are open.
  assert.deepEqual(scheduleState(NEW_YORK, utc("2026-11-01T05:30")), { open: true, reason: "sun 2026-11-01 01:30 in 01:00-03:00" });
  assert.deepEqual(scheduleState(NEW_YORK, utc("2026-11-01T06:30")), { open: true, reason: "sun 2026-11-01 01:30 in 01:00-03:00" });
  // 03:00 EST on 2026-11-01 is 08:00 UTC (it would be 07:00 UTC in EDT).
  assert.deepEqual(scheduleState(NEW_YORK, utc("2026-11-01T07:59")), { open: true, reason: "sun 2026-11-01 02:59 in 01:00-03:00" });
  assert.deepEqual(scheduleState(NEW_YORK, utc("2026-11-01T08:00")), { open: false, reason: "sun 2026-11-01 03:00 outside hours" });
});

test("localTime: midnight is 00:00, and the date follows the zone", () => {
  assert.deepEqual(localTime("Asia/Shanghai", utc("2026-12-31T16:00")), { date: "2027-01-01", day: "fri", minutes: 0 });
  assert.deepEqual(localTime("America/New_York", utc("2027-01-01T04:59")), { date: "2026-12-31", day: "thu", minutes: 23 * 60 + 59 });
  assert.deepEqual(localTime("UTC", utc("2026-02-28T23:59")), { date: "2026-02-28", day: "sat", minutes: 1439 });
});

test("a range may end at 24:00", () => {
  const night: Schedule = { timezone: "UTC", open: [{ days: ["sat"], from: "20:00", to: "24:00" }], holidays: [], workdays: [] };
  assert.equal(isOpen(night, utc("2026-02-28T23:59")), true);
  assert.equal(isOpen(night, utc("2026-03-01T00:00")), false);
});

test("a schedule with no hours is always closed", () => {
  const never: Schedule = { timezone: "Europe/Berlin", open: [], holidays: [], workdays: [] };
  assert.deepEqual(scheduleState(never, utc("2026-06-01T10:00")), { open: false, reason: "mon 2026-06-01 12:00 outside hours" });
});

test("times, dates and time zones are validated", () => {
  assert.equal(parseTime("00:00"), 0);
  assert.equal(parseTime("08:30"), 510);
  assert.equal(parseTime("23:59"), 1439);
  assert.equal(parseTime("24:00"), 1440);
  for (const bad of ["8:30", "24:01", "12:60", "1230", "12:3", " 12:30", "12:30:00"]) {
    assert.equal(parseTime(bad), null, bad);
    assert.equal(timeProblem(bad), "must be a time HH:MM, 00:00 to 24:00", bad);
  }
  assert.equal(dateProblem("2026-10-01"), null);
  assert.equal(dateProblem("2028-02-29"), null);
  assert.equal(dateProblem("2026-02-29"), "is not a calendar date");
  assert.equal(dateProblem("2026-13-01"), "is not a calendar date");
  assert.equal(dateProblem("2026-04-31"), "is not a calendar date");
  assert.equal(dateProblem("2026-4-1"), "must be a date YYYY-MM-DD");
  assert.equal(dateProblem("01.10.2026"), "must be a date YYYY-MM-DD");
  assert.equal(timezoneProblem("Asia/Shanghai"), null);
  assert.equal(timezoneProblem("America/New_York"), null);
  assert.equal(timezoneProblem("UTC"), null);
  assert.equal(timezoneProblem("Asia/Shangai"), "unknown timezone");
  assert.equal(timezoneProblem("Mars/Olympus"), "unknown timezone");
});
