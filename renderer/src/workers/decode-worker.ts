/** The decode worker: frame details in, decoded trees out, so a large PDU never blocks the list or the input. */
import type { FrameDetail } from '../../../shared/model/session';
import { decodeFrame } from './decode-frame';

export interface DecodeRequest { id: number; detail: FrameDetail }
export type DecodeResponse = { id: number; view: ReturnType<typeof decodeFrame> } | { id: number; error: string };

// Typed by hand: the project compiles with the DOM lib, whose `self` is a Window.
const scope = self as unknown as { onmessage: ((e: MessageEvent<DecodeRequest>) => void) | null; postMessage(m: DecodeResponse): void };
scope.onmessage = (event: MessageEvent<DecodeRequest>) => {
  const { id, detail } = event.data;
  let answer: DecodeResponse;
  try {
    answer = { id, view: decodeFrame(detail) };
  } catch (e) {
    answer = { id, error: (e as Error).message };
  }
  scope.postMessage(answer);
};
