// The failures a command reports to a person, told apart by class (instanceof), never
// by a name string another class could carry.

/** Bad arguments or settings: exit 2 with the message and a pointer to --help. */
export class UsageError extends Error {
  override readonly name: string = 'UsageError';
}

/** A failure the person can act on: exit 1 with the message. */
export class CommandError extends Error {
  override readonly name: string = 'CommandError';
}
