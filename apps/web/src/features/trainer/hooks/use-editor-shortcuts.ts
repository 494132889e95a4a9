import { useEffect, useRef } from 'react';
import { isTyping } from '../../../utils/keyboard';

/**
 * The editor's keys: c claim, p preview, Ctrl+Enter publish (Enter alone too, outside text fields, once
 * previewed). The actions are read from a ref, so new functions each render re-register nothing.
 */
export function useEditorShortcuts(actions: { claim: () => void; runPreview: () => void; publish: () => void; previewFresh: boolean }): void {
  const latest = useRef(actions);
  latest.current = actions;
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        latest.current.publish();
        return;
      }
      if (isTyping(event.target) || event.ctrlKey || event.metaKey || event.altKey) return;
      if (event.key === 'c') latest.current.claim();
      else if (event.key === 'p') latest.current.runPreview();
      else if (event.key === 'Enter' && latest.current.previewFresh) latest.current.publish();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}
