/** An error the user caused (bad file, bad hex, bad filter, a peer that refused): one line, exit code 1, no stack trace. */
export class CliError extends Error {}

/** A flag that is missing, malformed or contradicts another (as commander's own errors): exit code 2. */
export class UsageError extends CliError {}
