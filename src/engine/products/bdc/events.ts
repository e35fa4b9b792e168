// Events of the bdc product.
export type BdcEvent = never;
