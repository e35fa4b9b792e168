// Events of the options product.
export type OptionEvent = never;
