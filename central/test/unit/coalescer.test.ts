import { describe, expect, it } from "vitest";
import { createCoalescer, Lane } from "../../src/db/coalescer.js";

/** A run the test finishes by hand, to see what the coalescer does meanwhile. */
function controllableRun() {
  const runs: { items: number[]; finish(): void; fail(error: Error): void }[] = [];
  const run = (items: number[]) =>
    new Promise<number[]>((resolve, reject) => {
      runs.push({ items, finish: () => resolve(items.map((item) => item * 10)), fail: reject });
    });
  return { runs, run };
}

describe("coalescer (group commit of per-site statements)", () => {
  it("runs a lone call at once, without waiting for company", async () => {
    const { runs, run } = controllableRun();
    const submit = createCoalescer(run, { maxBatch: 10, lane: new Lane(1) });
    const result = submit(1);
    expect(runs.map((r) => r.items)).toEqual([[1]]);
    runs[0]?.finish();
    expect(await result).toBe(10);
  });

  it("merges the calls that arrive while a run is under way into one run, answering each caller", async () => {
    const { runs, run } = controllableRun();
    const submit = createCoalescer(run, { maxBatch: 10, lane: new Lane(1) });
    const first = submit(1);
    const later = [submit(2), submit(3), submit(4)];
    expect(runs).toHaveLength(1);
    runs[0]?.finish();
    await first;
    expect(runs.map((r) => r.items)).toEqual([[1], [2, 3, 4]]);
    runs[1]?.finish();
    expect(await Promise.all(later)).toEqual([20, 30, 40]);
  });

  it("cuts runs at maxBatch items", async () => {
    const { runs, run } = controllableRun();
    const submit = createCoalescer(run, { maxBatch: 2, lane: new Lane(1) });
    const all = [1, 2, 3, 4, 5].map((item) => submit(item));
    while (runs.some((r) => r.items.length > 0)) {
      const next = runs.shift();
      next?.finish();
      await new Promise((resolve) => setImmediate(resolve));
      if (!next) break;
    }
    expect(await Promise.all(all)).toEqual([10, 20, 30, 40, 50]);
  });

  it("gives every caller of a failed run the error, and keeps serving later calls", async () => {
    const { runs, run } = controllableRun();
    const submit = createCoalescer(run, { maxBatch: 10, lane: new Lane(1) });
    const first = submit(1);
    const second = submit(2);
    const third = submit(3);
    runs[0]?.fail(new Error("deadlock detected"));
    await expect(first).rejects.toThrow("deadlock detected");
    runs[1]?.fail(new Error("connection lost"));
    await expect(second).rejects.toThrow("connection lost");
    await expect(third).rejects.toThrow("connection lost");
    const fourth = submit(4);
    runs[2]?.finish();
    expect(await fourth).toBe(40);
  });

  it("lets only one run of a shared lane proceed at a time, across coalescers", async () => {
    const confirms = controllableRun();
    const results = controllableRun();
    const lane = new Lane(1);
    const confirm = createCoalescer(confirms.run, { maxBatch: 10, lane });
    const record = createCoalescer(results.run, { maxBatch: 10, lane });
    const confirmed = confirm(1);
    const recorded = record(2);
    expect(results.runs).toHaveLength(0);
    confirms.runs[0]?.finish();
    await confirmed;
    expect(results.runs.map((r) => r.items)).toEqual([[2]]);
    results.runs[0]?.finish();
    expect(await recorded).toBe(20);
  });
});
