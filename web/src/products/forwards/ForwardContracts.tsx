import type { Backend } from '../../api/backend.js';
import { RecordTable } from '../../components/RecordTable.js';
import { recordsOf, type Rec } from '../../lib/records.js';
import { AutoDelivery } from './AutoDelivery.js';
import { DeliveryReport } from './DeliveryReport.js';
import { Rollover } from './Rollover.js';

/** The account's forward contracts; a miner may roll an active one over, an investor report a day's delivery. */
export function ForwardContracts({ backend, sk, forwards, done }: { backend: Backend; sk: string; forwards: Rec | undefined; done: () => void }) {
  return (
    <section className="panel">
      <h2>Forward contracts</h2>
      <AutoDelivery backend={backend} sk={sk} enabled={forwards?.autoDelivery === true} known={typeof forwards?.autoDelivery === 'boolean'} done={done} />
      <RecordTable
        testId="forward-contracts"
        rows={recordsOf(forwards?.contracts)}
        units={{ price: 'sat/PH/day', qtyLots: 'lots of 0.0001 TH/s' }}
        skip={['miner', 'investor', 'history', 'rolledFrom', 'rolledInto', 'startHeight']}
        max={10}
        empty={<>No forward contracts. Buy or sell hashrate on the forward tabs of the <a href="#/trade">Trade</a> page.</>}
        action={(k) => {
          const roles = Array.isArray(k.roles) ? (k.roles as unknown[]) : [];
          const active = k.status === 'active' || k.status === 'open';
          return (
            <>
              {roles.includes('miner') && active && <Rollover backend={backend} sk={sk} contract={k} done={done} />}
              {roles.includes('investor') && active && <DeliveryReport backend={backend} sk={sk} contract={k} done={done} />}
            </>
          );
        }}
      />
    </section>
  );
}
