/** What every order form (perp, forward, block-delta) offers for how long an order may rest. */
export type TimeInForce = 'GTC' | 'IOC' | 'FOK';

/** How an order meets the book: the part the forward and block-delta forms (and bodies) share. */
export interface TimeInForceChoice {
  tif: TimeInForce;
  postOnly: boolean;
}

/** Post-only means "only ever add liquidity", which only an order allowed to rest can do. */
export function postOnlyError(postOnly: boolean, tif: TimeInForce): string | undefined {
  return postOnly && tif !== 'GTC' ? `Post-only orders must rest in the book (GTC), not ${tif}.` : undefined;
}
