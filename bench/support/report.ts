// The result of a workload and its rendering as the Markdown table of bench/results.md.
import { median } from "./stats.js";

export interface Measurement {
  /** Row id, e.g. "1" or "2b" when one workload checks several targets. */
  readonly id: string;
  readonly workload: string;
  readonly unit: string;
  /** One value per run, ours. */
  readonly values: readonly number[];
  /** What the ratio compares against, with its per-run values (same runs, same order). */
  readonly reference?: { readonly name: string; readonly values: readonly number[]; readonly unit?: string };
  readonly target: Target;
  /** Extra facts for the notes column (e.g. handshakes per check). */
  readonly note?: string;
}

export type Target =
  | { readonly kind: "ratioAtLeast"; readonly ratio: number }
  | { readonly kind: "ratioAtMost"; readonly ratio: number }
  | { readonly kind: "valueAtLeast"; readonly value: number }
  | { readonly kind: "valueBelow"; readonly value: number }
  | { readonly kind: "report" };

export interface Row {
  readonly m: Measurement;
  readonly value: number;
  readonly refValue: number | undefined;
  /** Median of the per-run ratios: each run's value over the reference measured beside it. */
  readonly ratio: number | undefined;
  readonly met: boolean | undefined;
}

export function summarise(m: Measurement): Row {
  const value = median(m.values);
  const ref = m.reference;
  const ratio = ref ? median(m.values.map((v, i) => v / ref.values[i]!)) : undefined;
  const t = m.target;
  const met =
    t.kind === "ratioAtLeast" ? ratio! >= t.ratio
    : t.kind === "ratioAtMost" ? ratio! <= t.ratio
    : t.kind === "valueAtLeast" ? value >= t.value
    : t.kind === "valueBelow" ? value < t.value
    : undefined;
  return { m, value, refValue: ref ? median(ref.values) : undefined, ratio, met };
}

const num = (v: number) => (v >= 100 ? Math.round(v).toLocaleString("en-US") : v >= 10 ? v.toFixed(1) : v.toFixed(2));

function targetText(t: Target, unit: string): string {
  switch (t.kind) {
    case "ratioAtLeast":
      return `≥ ${t.ratio}x`;
    case "ratioAtMost":
      return `≤ ${t.ratio}x`;
    case "valueAtLeast":
      return `≥ ${num(t.value)} ${unit}`;
    case "valueBelow":
      return `< ${num(t.value)} ${unit}`;
    case "report":
      return "report";
  }
}

export function markdownTable(rows: readonly Row[]): string {
  const lines = [
    "| # | workload | median | reference (median) | ratio | target | met | runs | notes |",
    "|---|---|---|---|---|---|---|---|---|",
  ];
  for (const { m, value, refValue, ratio, met } of rows) {
    const reference = m.reference && refValue !== undefined ? `${m.reference.name}: ${num(refValue)} ${m.reference.unit ?? m.unit}` : "";
    lines.push(
      `| ${m.id} | ${m.workload} | ${num(value)} ${m.unit} | ${reference} | ${ratio === undefined ? "" : `${ratio.toFixed(2)}x`} | ${targetText(m.target, m.unit)} | ${met === undefined ? "–" : met ? "met" : "**missed**"} | ${m.values.length} | ${m.note ?? ""} |`,
    );
  }
  return lines.join("\n");
}
