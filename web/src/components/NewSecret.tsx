// A secret the API shows once (an API key, a webhook's signing secret), with a copy button.
import { useState } from "react";

export function NewSecret({ created, onDismiss }: { created: { key: string; label: string }; onDismiss: () => void }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="secret card" role="status">
      <p>
        The key <strong>{created.label}</strong>. Copy it now: it is not shown again.
      </p>
      <code data-testid="new-secret">{created.key}</code>
      <div>
        <button type="button" onClick={() => void navigator.clipboard.writeText(created.key).then(() => setCopied(true), () => setCopied(false))}>
          {copied ? "Copied" : "Copy"}
        </button>
        <button type="button" onClick={onDismiss}>Done</button>
      </div>
    </div>
  );
}

