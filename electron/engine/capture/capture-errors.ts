/**
 * Why a live capture could not start. Every error carries the fix as its own field too, so the UI can show the
 * command apart from libpcap's text; the message already ends with it for logs and the CLI.
 */

export type CaptureErrorCode = 'unavailable' | 'permission' | 'filter' | 'open';

export class CaptureError extends Error {
  constructor(
    readonly code: CaptureErrorCode,
    message: string,
    /** What the user can do about it, or '' when there is nothing obvious. */
    readonly fix: string,
    options?: { cause?: unknown },
  ) {
    super(fix ? `${message}. Fix: ${fix}` : message, options);
    this.name = 'CaptureError';
  }
}

/** The optional native module `cap` is missing, failed to build, or was built for another Node/Electron. */
export class CaptureUnavailableError extends CaptureError {
  constructor(message: string, fix: string, options?: { cause?: unknown }) {
    super('unavailable', message, fix, options);
    this.name = 'CaptureUnavailableError';
  }
}

/** The OS refused to open the interface for capture. */
export class CapturePermissionError extends CaptureError {
  constructor(message: string, fix: string, options?: { cause?: unknown }) {
    super('permission', message, fix, options);
    this.name = 'CapturePermissionError';
  }
}

/** libpcap rejected the capture filter (pcap-filter(7) syntax). */
export class CaptureFilterError extends CaptureError {
  constructor(readonly filter: string, reason: string, options?: { cause?: unknown }) {
    super('filter', `Invalid capture filter "${filter}": ${reason}`, 'correct the expression (pcap-filter syntax, as in tcpdump: e.g. "tcp port 8070")', options);
    this.name = 'CaptureFilterError';
  }
}

/** The text of whatever `cap` threw (it throws plain Errors carrying libpcap's error buffer). */
export function errorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
