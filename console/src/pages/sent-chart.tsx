/** Sent mails over the time this page has watched: one line, drawn in SVG (no chart library). */
export interface Sample {
  at: number;
  sent: number;
}

const WIDTH = 600;
const HEIGHT = 120;

export function SentChart({ samples, total }: { samples: readonly Sample[]; total: number }) {
  const first = samples[0];
  const last = samples[samples.length - 1];
  if (!first || !last || last.at === first.at) return null;
  const top = Math.max(1, total, last.sent);
  const points = samples
    .map(({ at, sent }) => {
      const x = ((at - first.at) / (last.at - first.at)) * WIDTH;
      const y = HEIGHT - (sent / top) * HEIGHT;
      return `${x.toFixed(1)},${y.toFixed(1)}`;
    })
    .join(' ');
  const seconds = Math.round((last.at - first.at) / 1000);
  return (
    <figure>
      <svg
        class="chart"
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        preserveAspectRatio="none"
        role="img"
        aria-label={`Sent over the last ${seconds} s: ${last.sent} of ${total}`}
      >
        <polyline
          points={points}
          fill="none"
          stroke="currentColor"
          stroke-width="2"
          vector-effect="non-scaling-stroke"
        />
      </svg>
      <figcaption class="muted">
        Sent over the {seconds} s this page has been open ({last.sent} of {total})
      </figcaption>
    </figure>
  );
}
