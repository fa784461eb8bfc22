/** A user mistake in something to send, a rule or a sequence: shown as one line (CLI) or a command error (UI). */
export class CraftError extends Error {}
