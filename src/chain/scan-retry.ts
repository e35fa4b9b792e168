/** bitcoind runs one scantxoutset at a time: wait for another caller's scan (the operator's, custody's, the reserves') rather than fail. */
export async function retryScan<T>(f: () => Promise<T>): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await f();
    } catch (e) {
      if (i >= 10 || !/scan already in progress/i.test(e instanceof Error ? e.message : String(e))) throw e;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}
