/** A problem with the command line or the setup (exit status 2), not with a request. */
export class UsageError extends Error {}
