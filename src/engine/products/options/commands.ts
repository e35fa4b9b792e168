// Commands of the options product. Plain JSON data (safe integers, strings, booleans); the journal stores them as they are.
// Placeholder until the product lands: `never` keeps the Command union closed.
export type OptionCommand = never;
export const OPTIONS_COMMAND_TYPES: readonly string[] = [];
