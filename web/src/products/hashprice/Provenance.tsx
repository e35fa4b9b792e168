import { grouped, shortHash } from '../../lib/format.js';

/** Which block a number comes from, so every figure on the dashboard can be checked against the chain. */
export function Provenance({ height, hash, extra }: { height: number; hash: string | null; extra?: string }) {
  return (
    <div className="provenance" data-testid="provenance">
      at height <span className="num">{grouped(height)}</span> · block <span className="mono" title={hash ?? ''}>{shortHash(hash)}</span>
      {extra ? ` · ${extra}` : ''}
    </div>
  );
}
