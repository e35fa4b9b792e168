// Commands of the bdc product. Plain JSON data (safe integers, strings, booleans); the journal stores them as they are.
// Placeholder until the product lands: `never` keeps the Command union closed.
export type BdcCommand = never;
export const BDC_COMMAND_TYPES: readonly string[] = [];
