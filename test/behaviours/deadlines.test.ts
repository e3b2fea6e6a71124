/**
 * The call-timeout wheel, on fake timers (time is simulated, so the bounds can be checked
 * exactly without timing assertions on a shared machine).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  armDeadline,
  unlinkDeadline,
  type Bucket,
  type Expirable,
} from '../../src/behaviours/core/deadlines';

function entry(log: string[], name: string): Expirable {
  return {
    bucket: null as Bucket | null,
    dprev: null,
    dnext: null,
    slot: 0,
    expire: () => void log.push(`${name}@${performance.now()}`),
  };
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'setTimeout', 'clearTimeout', 'Date'] });
  // The wheel reads performance.now(); tie it to the fake clock, whose jumps simulate stalls.
  vi.spyOn(performance, 'now').mockImplementation(() => Date.now());
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

describe('call timeout wheel', () => {
  it('expires a call no earlier than its timeout and at most a tick (ms/32) later', () => {
    const log: string[] = [];
    const start = performance.now();
    armDeadline(entry(log, 'a'), 3200);
    vi.advanceTimersByTime(3199);
    expect(log).toEqual([]);
    vi.advanceTimersByTime(101);
    expect(log).toHaveLength(1);
    const at = Number(log[0]!.split('@')[1]) - start;
    expect(at).toBeGreaterThanOrEqual(3200);
    expect(at).toBeLessThanOrEqual(3300);
  });

  it('an answered call never expires, and the timer stops when nothing is pending', () => {
    const log: string[] = [];
    const e = entry(log, 'b');
    armDeadline(e, 1000);
    unlinkDeadline(e);
    vi.advanceTimersByTime(5000);
    expect(log).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('catches up after a stalled event loop instead of stretching the timeout', () => {
    const log: string[] = [];
    // (Each test uses its own timeout value: buckets are per value and outlive a test.)
    armDeadline(entry(log, 'c'), 6400);
    // The loop is blocked for 10 s: the clock moves, no timer runs; then timers get their turn.
    vi.setSystemTime(Date.now() + 10_000);
    vi.advanceTimersByTime(0);
    expect(log).toEqual([]);
    // Without catching up, expiry would take 33 more ticks (6.6 s); it takes one or two.
    vi.advanceTimersByTime(400);
    expect(log).toHaveLength(1);
  });

  it('keeps calls with different timeouts apart, in order', () => {
    const log: string[] = [];
    armDeadline(entry(log, 'long'), 200);
    armDeadline(entry(log, 'short'), 50);
    vi.advanceTimersByTime(300);
    expect(log.map((l) => l.split('@')[0])).toEqual(['short', 'long']);
  });
});
