// The UI's number, time, duration and size formatting (src/server/ui/assets/format.js).
import assert from "node:assert/strict";
import { test } from "node:test";

import { formatDuration, formatNumber, formatSize, formatTime, timeAgo } from "../../src/server/ui/assets/format.js";

test("numbers keep 5 significant digits, integers stay whole", () => {
  assert.equal(formatNumber(0.5), "0.5");
  assert.equal(formatNumber(0.123456789), "0.12346");
  assert.equal(formatNumber(3.14159265), "3.1416");
  assert.equal(formatNumber(42), "42");
  assert.equal(formatNumber(-7), "-7");
  assert.equal(formatNumber(0), "0");
  assert.equal(formatNumber(123456.789), "123460");
});

test("very large and very small magnitudes use exponents", () => {
  assert.equal(formatNumber(1234567.5), "1.235e+6");
  assert.equal(formatNumber(0.00001234), "1.234e-5");
  assert.equal(formatNumber(-0.00005), "-5.000e-5");
  assert.equal(formatNumber(1e15), "1.000e+15", "integers from 1e15 on are not written out");
});

test("missing values are blank and strings (NaN, Infinity) are shown as stored", () => {
  assert.equal(formatNumber(null), "");
  assert.equal(formatNumber(undefined), "");
  assert.equal(formatNumber("NaN"), "NaN");
  assert.equal(formatNumber("-Infinity"), "-Infinity");
  assert.equal(formatNumber("ridge"), "ridge");
});

test("times are local YYYY-MM-DD hh:mm:ss, and a missing time is blank", () => {
  const ms = new Date(2024, 2, 5, 7, 8, 9, 450).getTime();
  assert.equal(formatTime(ms), "2024-03-05 07:08:09");
  assert.equal(formatTime(new Date(1999, 11, 31, 23, 59, 0).getTime()), "1999-12-31 23:59:00");
  assert.equal(formatTime(0), "");
  assert.equal(formatTime(undefined), "");
  assert.equal(formatTime(null), "");
});

test("durations use their two largest units", () => {
  const start = 1_700_000_000_000;
  assert.equal(formatDuration(start, start + 1234), "1.23s");
  assert.equal(formatDuration(start, start + 12_345), "12.3s");
  assert.equal(formatDuration(start, start + 61_000), "1m 1s");
  assert.equal(formatDuration(start, start + 59 * 60_000 + 59_600), "59m 60s", "seconds are rounded, minutes are not");
  assert.equal(formatDuration(start, start + 3 * 3_600_000 + 5 * 60_000), "3h 5m");
  assert.equal(formatDuration(start, start + 47 * 3_600_000), "47h 0m");
  assert.equal(formatDuration(start, start + 50 * 3_600_000), "2d 2h");
});

test("a run without an end (or start) has no duration", () => {
  assert.equal(formatDuration(1_700_000_000_000, null), "");
  assert.equal(formatDuration(0, 1_700_000_000_000), "");
});

test("sizes are bytes, KiB or MiB", () => {
  assert.equal(formatSize(0), "0 B");
  assert.equal(formatSize(1023), "1023 B");
  assert.equal(formatSize(1024), "1.0 KiB");
  assert.equal(formatSize(1536), "1.5 KiB");
  assert.equal(formatSize(5 << 20), "5.0 MiB");
  assert.equal(formatSize(3 * 1024 ** 3), "3072.0 MiB");
});

test("time ago counts down from now in minutes, hours and days", () => {
  const now = 1_700_000_000_000;
  assert.equal(timeAgo(now - 59_000, now), "just now");
  assert.equal(timeAgo(now - 60_000, now), "1 min ago");
  assert.equal(timeAgo(now - 3_599_000, now), "59 min ago");
  assert.equal(timeAgo(now - 3_600_000, now), "1 h ago");
  assert.equal(timeAgo(now - 86_400_000 * 3 - 1, now), "3 d ago");
  assert.equal(timeAgo(0, now), "");
  assert.equal(timeAgo(Date.now() - 120_000), "2 min ago", "now defaults to the current time");
});
