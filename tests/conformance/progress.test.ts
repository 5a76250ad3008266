/** The console progress printer: a line per node at least every interval, with done of planned and the time left. */
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createProgressPrinter, PROGRESS_INTERVAL_MS, timeLeft } from '../../src/conformance/report/console.js';

afterEach(() => vi.useRealTimers());

function capture(): { stream: PassThrough; lines: () => string[] } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (d: Buffer) => (text += d.toString()));
  return { stream, lines: () => text.split('\n').filter(Boolean) };
}

describe('progress lines', () => {
  it('the default interval is at most 10 s', () => {
    expect(PROGRESS_INTERVAL_MS).toBeLessThanOrEqual(10_000);
  });

  it('estimates the time left from the pace so far', () => {
    expect(timeLeft(4000, 2, 10)).toBe('about 16 s left');
    expect(timeLeft(60_000, 10, 30)).toBe('about 2 min left');
    expect(timeLeft(10_000, 10, 85)).toBe('about 1 min 15 s left');
    expect(timeLeft(1000, 0, 10)).toBe('time left unknown');
  });

  it('prints a line per node with planned requests left on every interval, also when not a TTY, and stops for a finished node', () => {
    vi.useFakeTimers();
    let now = 0;
    const { stream, lines } = capture();
    const printer = createProgressPrinter(stream, false, { intervalMs: 1000, now: () => now });
    printer.onProgress({ node: 'sps1', phase: 'writes', requests: 3, completed: 2, planned: 10, failed: 0 });
    printer.onProgress({ node: 'sps2', phase: 'reads', requests: 5, completed: 5, planned: 5, failed: 0 });
    now = 4000;
    vi.advanceTimersByTime(1000);
    now = 5000;
    vi.advanceTimersByTime(1000);
    printer.done();
    vi.advanceTimersByTime(5000);
    expect(lines()).toEqual([
      '[sps1] writes...',
      '[sps2] reads...',
      '[sps1] writes: 2 of 10 requests done, about 16 s left, 0 failed checks so far',
      '[sps1] writes: 2 of 10 requests done, about 20 s left, 0 failed checks so far',
    ]);
  });

  it('prints no time estimate for the mock (no plan)', () => {
    vi.useFakeTimers();
    const { stream, lines } = capture();
    const printer = createProgressPrinter(stream, false, { intervalMs: 1000 });
    printer.onProgress({ node: 'mock', phase: 'documented statuses', requests: 3, failed: 0 });
    vi.advanceTimersByTime(3000);
    printer.done();
    expect(lines()).toEqual(['[mock] documented statuses...']);
  });
});
