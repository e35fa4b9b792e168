// Events of the forward product.
export type ForwardEvent = never;
