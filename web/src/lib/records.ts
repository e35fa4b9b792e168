/**
 * Server records whose exact shape this app does not fix (portfolio sections, contract documents): these
 * guards read them without trusting them, so a missing or odd part shows as nothing rather than a crash.
 */
export type Rec = Record<string, unknown>;

export const isRecord = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);

export const isRecordArray = (v: unknown): v is Rec[] => Array.isArray(v) && v.every((x) => typeof x === 'object' && x !== null);

/** The value when it is a plain object, else undefined. */
export const recordOf = (v: unknown): Rec | undefined => (isRecord(v) ? v : undefined);

/** The value when it is a list of objects, else an empty list. */
export const recordsOf = (v: unknown): Rec[] => (isRecordArray(v) ? v : []);
