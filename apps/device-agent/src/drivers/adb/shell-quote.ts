/**
 * `adb shell` joins its arguments with spaces and hands the result to the device's `sh -c`,
 * so every argument must be quoted for that shell or it is split, globbed and expanded there
 * (a `$` or `&` in a message would be the shell's, not the recipient's).
 */

/** Characters sh takes literally anywhere in a word; arguments made only of them stay bare, for readable logs. */
const bare = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** One argument, quoted for a POSIX shell (Android's mksh and toybox sh included). */
export function shellQuote(arg: string): string {
  // A C string cannot carry NUL: the remote command would be cut short silently.
  if (arg.includes('\0')) throw new RangeError('a shell argument cannot contain NUL');
  if (bare.test(arg)) return arg;
  // Inside single quotes nothing is special, not even newlines; a quote itself is closed,
  // escaped and reopened.
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}

/** A command line for the remote shell that it splits back into exactly `args`. */
export function shellCommand(args: readonly string[]): string {
  return args.map(shellQuote).join(' ');
}
