/**
 * Which rows a fixed-row-height list shows, for any number of rows. Browsers cap an element's height (about
 * 33 million px in Chromium), so ten million 22 px rows cannot have a spacer of their true height: past
 * MAX_SCROLL_HEIGHT the scrollbar is scaled, one pixel of scrollTop standing for `scale` pixels of rows. A scroll
 * pixel may then span several rows, so the list keeps its own position in row space (`virtualTop`) as the truth
 * and derives scrollTop from it; only the user dragging the scrollbar goes the other way. Below the cap scale is 1
 * and this is an ordinary virtual list. (@tanstack/react-virtual, used for the other lists, has no such scaling.)
 */
export const MAX_SCROLL_HEIGHT = 10_000_000;

export interface ListGeometry {
  count: number;
  rowHeight: number;
  viewportHeight: number;
  maxScrollHeight?: number;
}

export interface RowWindow {
  /** Height of the scroll spacer. */
  spacerHeight: number;
  /** Row-space pixels per scrollTop pixel (1 when the list fits). */
  scale: number;
  /** First and last row index to render (last inclusive; last < first when there are no rows). */
  first: number;
  last: number;
  /** Where row `first` is drawn, relative to the top of the viewport (≤ 0). */
  firstOffset: number;
  /** The first row at least partly visible, and the last fully visible one. */
  topRow: number;
  bottomRow: number;
}

export function spacerHeight(g: ListGeometry): number {
  return Math.min(g.count * g.rowHeight, g.maxScrollHeight ?? MAX_SCROLL_HEIGHT);
}

export function scrollScale(g: ListGeometry): number {
  const full = g.count * g.rowHeight;
  const spacer = spacerHeight(g);
  if (full <= spacer) return 1;
  return Math.max(1, (full - g.viewportHeight) / Math.max(1, spacer - g.viewportHeight));
}

export function maxVirtualTop(g: ListGeometry): number {
  return Math.max(0, g.count * g.rowHeight - g.viewportHeight);
}

function clamp(g: ListGeometry, virtualTop: number): number {
  return Math.min(maxVirtualTop(g), Math.max(0, virtualTop));
}

/** Row-space position for a scrollTop the user produced (dragging the scrollbar). */
export function virtualTopFromScroll(g: ListGeometry, scrollTop: number): number {
  const scale = scrollScale(g);
  if (scale === 1) return clamp(g, scrollTop);
  // Scaled: the thumb at the very bottom means the last row, wherever rounding put it.
  const max = maxVirtualTop(g);
  const v = scrollTop * scale;
  return v >= max - scale ? max : clamp(g, Math.round(v / g.rowHeight) * g.rowHeight);
}

export function scrollTopFromVirtual(g: ListGeometry, virtualTop: number): number {
  return clamp(g, virtualTop) / scrollScale(g);
}

export function rowWindow(g: ListGeometry & { virtualTop: number; overscan?: number }): RowWindow {
  const { count, rowHeight, viewportHeight } = g;
  const overscan = g.overscan ?? 8;
  const virtualTop = clamp(g, g.virtualTop);
  const topRow = Math.min(Math.max(0, count - 1), Math.floor(virtualTop / rowHeight));
  const visible = Math.ceil(viewportHeight / rowHeight) + 1;
  const first = Math.max(0, topRow - overscan);
  const last = Math.min(count - 1, topRow + visible + overscan);
  const bottomRow = Math.min(count - 1, Math.floor((virtualTop + viewportHeight) / rowHeight) - 1);
  return {
    spacerHeight: spacerHeight(g), scale: scrollScale(g), first, last, firstOffset: first * rowHeight - virtualTop,
    topRow, bottomRow: Math.max(topRow, bottomRow),
  };
}

/** The position that puts row `index` at the top (`start`), at the bottom (`end`), or just in view (`auto`). */
export function virtualTopFor(g: ListGeometry & { virtualTop: number }, index: number, align: 'start' | 'end' | 'auto' = 'auto'): number {
  const rowTop = index * g.rowHeight;
  const rowBottom = rowTop + g.rowHeight;
  let target = g.virtualTop;
  if (align === 'start') target = rowTop;
  else if (align === 'end') target = rowBottom - g.viewportHeight;
  else if (rowTop < g.virtualTop) target = rowTop;
  else if (rowBottom > g.virtualTop + g.viewportHeight) target = rowBottom - g.viewportHeight;
  return clamp(g, target);
}
