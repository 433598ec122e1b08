// Days of certificate validity left at each SSL check, over time, with renewals (a new leaf
// certificate fingerprint) marked. Drawn by uPlot; the same figures are in a table beside it
// for screen readers.
import { useEffect, useRef } from "react";
import uPlot from "uplot";

const DAY_SECONDS = 86_400;

export interface DaysPoint {
  /** When the check ran (UTC instant, ISO 8601). */
  readonly at: string;
  readonly days: number;
  /** The certificate differs from the previous check's: a renewal (or replacement). */
  readonly renewed: boolean;
}

export function DaysChart({ points }: { points: readonly DaysPoint[] }) {
  const holder = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = holder.current;
    if (!element || points.length === 0) return;
    const xs = points.map((p) => Date.parse(p.at) / 1000);
    const days = points.map((p) => p.days);
    const renewals = points.map((p) => (p.renewed ? p.days : null));
    const width = () => Math.max(280, element.clientWidth);
    const plot = new uPlot(
      {
        width: width(),
        height: 220,
        series: [
          {},
          { label: "Days left", stroke: "#1d4ed8", width: 2, points: { show: points.length < 60 } },
          { label: "Renewal", stroke: "#15803d", fill: "#15803d", width: 0, points: { show: true, size: 10 }, paths: () => null },
        ],
        axes: [{}, { label: "days" }],
        scales: {
          // At least a day either side, so a single check is not drawn across years.
          x: { time: true, range: (_u, min, max) => [Math.min(min, max - DAY_SECONDS) - DAY_SECONDS / 2, max + DAY_SECONDS / 2] },
          y: { range: (_u, min, max) => [Math.min(0, min), Math.max(30, max)] },
        },
      },
      [xs, days, renewals],
      element,
    );
    const resize = new ResizeObserver(() => plot.setSize({ width: width(), height: 220 }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [points]);
  return <div ref={holder} className="chart" role="img" aria-label={`Days of certificate validity left at ${points.length} checks, renewals marked`} />;
}
