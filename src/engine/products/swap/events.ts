// Events of the swap product.
export type SwapEvent = never;
