// Shell words for the replay lines (curl, grpcurl): POSIX sh quoting.

/** One single-quoted word: the text as it is, whatever it holds. */
export const shellQuote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;
