// The backtest lab: history replayed through the exchange engine (see hedge-run.ts and vault-window.ts).
export { backtestSteps, firstEngineHeight, BACKTEST_RESOLUTIONS, type BacktestResolution, type Step, type StepsRequest } from './steps.js';
export {
  runHedgeBacktest, checkHedgeOptions, MINER, COUNTERPARTY,
  type MinerProfile, type HedgeSpec, type ForwardHedge, type PerpHedge, type PutHedge, type HedgeRunOptions, type HedgeRunResult, type SeriesPoint, type PeriodOutcome,
} from './hedge-run.js';
export { vaultWindowStudy, vaultWindowRun, type VaultWindowOptions, type VaultWindowResult, type WindowResult, type SideResult } from './vault-window.js';
export { runBacktest, resolveRange, type BacktestRequest, type BacktestReport } from './request.js';
export { periodStats, maxDrawdown, quantile, type Distribution } from './stats.js';
