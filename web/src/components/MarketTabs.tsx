/** The Trade page's market switch: one tab per market, the perpetual first. */
export function MarketTabs({ tabs, selected, onSelect }: { tabs: readonly { id: string; label: string }[]; selected: string; onSelect: (id: string) => void }) {
  return (
    <div className="market-tabs" role="tablist" aria-label="Market" data-testid="market-tabs">
      {tabs.map((t) => (
        <button key={t.id} role="tab" aria-selected={selected === t.id} onClick={() => onSelect(t.id)}>{t.label}</button>
      ))}
    </div>
  );
}
