/**
 * Frames Framescope had a hand in (injected, modified in the intercept queue, dropped, answered by a mock, a mock's
 * reply) are marked by the engine (`row.mark`); the frame list shows the mark before the summary and tints the row.
 */
import type { MarkedFrameRow } from '../../../../shared/api/contract';
import type { FrameRow } from '../../../../shared/model/session';

export function markPrefix(row: FrameRow): string {
  const mark = (row as MarkedFrameRow).mark;
  if (!mark) return '';
  return `[${mark.kind}${mark.forwarded ? '' : ', not forwarded'}] `;
}

export function markClass(row: FrameRow): string {
  const mark = (row as MarkedFrameRow).mark;
  return mark ? ` mark-${mark.kind}` : '';
}
