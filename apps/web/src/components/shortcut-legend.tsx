/** The keyboard shortcuts of a desk page, shown in its header: `label: [key] what …`. */
export function ShortcutLegend({ label, keys }: { label: string; keys: readonly (readonly [string, string])[] }) {
  return (
    <span className="small muted">
      {label}:{' '}
      {keys.map(([key, what]) => (
        <span key={key} style={{ marginRight: 10 }}>
          <kbd>{key}</kbd> {what}
        </span>
      ))}
    </span>
  );
}
