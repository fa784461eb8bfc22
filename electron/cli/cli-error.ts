/** An error the user caused (bad flag, bad file, bad hex): printed as one line, exit code 1, no stack trace. */
export class CliError extends Error {}
