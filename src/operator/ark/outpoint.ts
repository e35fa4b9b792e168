/** "txid:vout": how the operator keys an outpoint everywhere (arkd's Outpoint.String(), the SDK's topics). */
export const outpointKey = (txid: string, vout: number): string => `${txid}:${vout}`;
