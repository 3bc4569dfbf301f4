import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

const palette = ['#2563eb', '#16a34a', '#dc2626', '#d97706', '#7c3aed', '#0891b2'];

/** A bar chart of labelled values (one series), drawn by uPlot. */
export function BarChart({ label, bars }: { label: string; bars: Array<{ name: string; value: number }> }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!box.current) return;
    const names = bars.map((bar) => bar.name);
    const plot = new uPlot(
      {
        width: Math.min(640, box.current.clientWidth || 640),
        height: 220,
        legend: { show: false },
        scales: { x: { time: false, range: [-0.5, Math.max(bars.length - 0.5, 0.5)] } },
        axes: [{ values: (_u, splits) => splits.map((i) => names[i] ?? '') }, {}],
        series: [
          {},
          {
            label,
            fill: `${palette[0]}88`,
            stroke: palette[0],
            paths: uPlot.paths.bars!({ size: [0.6, 80] }),
          },
        ],
      },
      [bars.map((_, i) => i), bars.map((bar) => bar.value)],
      box.current,
    );
    return () => plot.destroy();
  }, [label, bars]);
  return (
    <figure>
      <div
        ref={box}
        role="img"
        aria-label={`${label}: ${bars.map((b) => `${b.name} ${b.value}`).join(', ')}`}
      />
      <figcaption className="muted">{label}</figcaption>
    </figure>
  );
}

/** Lines over days, one per series, drawn by uPlot. */
export function DayChart(props: {
  label: string;
  days: string[];
  series: Array<{ name: string; values: number[] }>;
}) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!box.current) return;
    const plot = new uPlot(
      {
        width: Math.min(720, box.current.clientWidth || 720),
        height: 240,
        scales: { x: { time: false } },
        axes: [{ values: (_u, splits) => splits.map((i) => props.days[i] ?? '') }, {}],
        series: [
          {},
          ...props.series.map((s, i) => ({ label: s.name, stroke: palette[i % palette.length], width: 2 })),
        ],
      },
      [props.days.map((_, i) => i), ...props.series.map((s) => s.values)],
      box.current,
    );
    return () => plot.destroy();
  }, [props.days, props.series]);
  return (
    <figure>
      <div ref={box} role="img" aria-label={props.label} />
      <figcaption className="muted">{props.label}</figcaption>
    </figure>
  );
}
