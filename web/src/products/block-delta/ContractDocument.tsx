import type { Backend } from '../../api/backend.js';
import { useLoad } from '../../api/hooks.js';
import { KeyValues } from '../../components/KeyValues.js';
import { Loading } from '../../components/Notice.js';
import { friendly } from '../../lib/api-errors.js';
import { recordOf, type Rec } from '../../lib/records.js';
import type { ExitAdvice } from '../../lib/bdc-exit.js';
import { ContractActions } from './ContractActions.js';

/** A part of the document under its own small heading, when the server sent it. */
function DocumentPart({ title, rec }: { title: string; rec: Rec | undefined }) {
  if (!rec) return null;
  return (
    <>
      <div className="small muted" style={{ marginTop: 8 }}>{title}</div>
      <KeyValues rec={rec} />
    </>
  );
}

/** How a VTXO can be spent: its tapscript leaves with their control blocks. */
function TaprootLeaves({ leaves, internalKey }: { leaves: Rec[]; internalKey: unknown }) {
  if (leaves.length === 0) return null;
  return (
    <>
      <div className="small muted" style={{ marginTop: 8 }}>Taproot leaves: how this VTXO can be spent{typeof internalKey === 'string' ? ` (internal key ${internalKey})` : ''}</div>
      <ol className="leaves" data-testid="bdc-leaves">
        {leaves.map((l, i) => (
          <li key={i}>
            <strong>{String(l.name ?? `leaf ${i + 1}`)}</strong>
            {typeof l.asm === 'string' && <div className="mono small">{l.asm}</div>}
            {typeof l.controlBlock === 'string' && <div className="mono small muted">control block {l.controlBlock}</div>}
          </li>
        ))}
      </ol>
    </>
  );
}

/** When to start a unilateral exit for a win to be safe, and the race once both locks have opened. */
function ExitDeadline({ exit }: { exit: ExitAdvice }) {
  return (
    <div className="small" style={{ marginTop: 8 }} data-testid="bdc-exit-deadline">
      <strong>{exit.startBy}</strong> <span className="muted">({exit.basis}).</span>
      {exit.metastability && <div className="muted">{exit.metastability}</div>}
    </div>
  );
}

/** One position's contract: its terms, batch, taproot leaves, when to start an exit, and what the holder does with it (ContractActions). */
export function ContractDocument({ backend, sk, positionId, exit }: { backend: Backend; sk: string; positionId: string; exit?: ExitAdvice | undefined }) {
  const doc = useLoad(() => friendly(backend.products.bdcContract(sk, positionId), 'contract documents'), [backend, sk, positionId]);
  if (doc.error) return <div className="notice small error" style={{ marginTop: 12 }} data-testid="bdc-contract-error">{doc.error}</div>;
  if (!doc.data) return <Loading what="the contract" />;
  // The contract's VTXO: its three tapscript leaves (U + S; CSV + CLTV(H) + FAST; CSV + CLTV(T − 1) + SLOW) with control blocks (ExportedVtxo), and the batch it sits in.
  const vtxo = typeof doc.data.vtxo === 'object' && doc.data.vtxo !== null ? (doc.data.vtxo as Rec) : undefined;
  const rawLeaves = Array.isArray(doc.data.leaves) ? doc.data.leaves : Array.isArray(vtxo?.leaves) ? vtxo.leaves : [];
  const leaves = (rawLeaves as unknown[]).filter((l): l is Rec => typeof l === 'object' && l !== null);
  const batch = typeof doc.data.batch === 'object' && doc.data.batch !== null ? (doc.data.batch as Rec) : undefined;
  return (
    <div className="notice" style={{ marginTop: 12 }} data-testid="bdc-contract">
      <strong>Contract {positionId}</strong>
      <KeyValues rec={doc.data} skip={['positionId', 'exitPackage', 'terms']} />
      <DocumentPart title="Terms" rec={recordOf(doc.data.terms)} />
      <DocumentPart title="Batch" rec={batch} />
      <DocumentPart title="Contract VTXO" rec={vtxo} />
      <TaprootLeaves leaves={leaves} internalKey={vtxo?.internalKey} />
      {exit && <ExitDeadline exit={exit} />}
      <ContractActions backend={backend} sk={sk} positionId={positionId} doc={doc.data} />
    </div>
  );
}
