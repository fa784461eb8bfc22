import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAX_SCROLL_HEIGHT, rowWindow, scrollTopFromVirtual, virtualTopFor, virtualTopFromScroll,
} from '../../../../renderer/src/lib/scaled-window';

const ROW = 22;
const VIEW = 440; // 20 rows
const geometry = (count: number) => ({ count, rowHeight: ROW, viewportHeight: VIEW });

describe('rowWindow', () => {
  it('is an ordinary virtual list while the rows fit', () => {
    const w = rowWindow({ ...geometry(1000), virtualTop: 10 * ROW + 5, overscan: 2 });
    expect(w.scale).toBe(1);
    expect(w.spacerHeight).toBe(1000 * ROW);
    expect(w.topRow).toBe(10);
    expect(w.first).toBe(8);
    expect(w.firstOffset).toBe(8 * ROW - (10 * ROW + 5));
    expect(w.last).toBe(10 + 21 + 2);
    expect(virtualTopFromScroll(geometry(1000), 1234)).toBe(1234);
    expect(scrollTopFromVirtual(geometry(1000), 1234)).toBe(1234);
  });

  it('renders nothing for an empty list', () => {
    const w = rowWindow({ ...geometry(0), virtualTop: 0 });
    expect(w.last).toBeLessThan(w.first);
    expect(w.spacerHeight).toBe(0);
  });

  it('keeps ten million rows under the browser height cap and reaches both ends with the scrollbar', () => {
    const g = geometry(10_000_000);
    const top = rowWindow({ ...g, virtualTop: virtualTopFromScroll(g, 0) });
    expect(top.spacerHeight).toBe(MAX_SCROLL_HEIGHT);
    expect(top.scale).toBeGreaterThan(20);
    expect(top.topRow).toBe(0);
    const bottom = rowWindow({ ...g, virtualTop: virtualTopFromScroll(g, MAX_SCROLL_HEIGHT - VIEW) });
    expect(bottom.last).toBe(g.count - 1);
    expect(bottom.bottomRow).toBe(g.count - 1);
    // The last row ends exactly at the bottom edge of the viewport.
    expect(bottom.firstOffset + (g.count - 1 - bottom.first) * ROW + ROW).toBe(VIEW);
  });

  it('shows exactly the row it was asked to, at any size', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 50_000_000 }), fc.double({ min: 0, max: 1, noNaN: true }), (count, at) => {
      const g = geometry(count);
      const index = Math.min(count - 1, Math.floor(at * count));
      const start = rowWindow({ ...g, virtualTop: virtualTopFor({ ...g, virtualTop: 0 }, index, 'start') });
      if (index <= count - VIEW / ROW) expect(start.topRow).toBe(index);
      expect(index).toBeLessThanOrEqual(start.bottomRow);
      const auto = rowWindow({ ...g, virtualTop: virtualTopFor({ ...g, virtualTop: 0 }, index, 'auto') });
      expect(index).toBeGreaterThanOrEqual(auto.topRow);
      expect(index).toBeLessThanOrEqual(auto.bottomRow);
    }), { numRuns: 500 });
  });

  it('maps the scrollbar back to the same rows within one scroll pixel’s worth, rows aligned', () => {
    fc.assert(fc.property(fc.integer({ min: 1000, max: 50_000_000 }), fc.double({ min: 0, max: 1, noNaN: true }), (count, at) => {
      const g = geometry(count);
      const v = virtualTopFor({ ...g, virtualTop: 0 }, Math.floor(at * (count - 1)), 'start');
      const back = virtualTopFromScroll(g, Math.round(scrollTopFromVirtual(g, v)));
      const w = rowWindow({ ...g, virtualTop: back });
      expect(Math.abs(back - v)).toBeLessThanOrEqual(w.scale + ROW);
      if (w.scale > 1 && back < (count * ROW - VIEW)) expect(back % ROW).toBe(0);
    }), { numRuns: 500 });
  });

  it('scrolls just enough to bring a row into view', () => {
    const g = { ...geometry(1000), virtualTop: 100 * ROW };
    expect(virtualTopFor(g, 105)).toBe(100 * ROW); // already visible
    expect(virtualTopFor(g, 99)).toBe(99 * ROW);
    expect(virtualTopFor(g, 130)).toBe(131 * ROW - VIEW);
    expect(virtualTopFor(g, 999, 'end')).toBe(1000 * ROW - VIEW);
  });
});
