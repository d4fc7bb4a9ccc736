/** Recorded with every quarantine entry: which parser refused a fact. Bump with a parser fix. */
export const PARSER_VERSION = 'stats/2 lua/1';
