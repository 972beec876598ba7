import { useEffect, useState, type RefObject } from 'react';
import type { Selection } from './model';

/**
 * From the error summary: once the item is selected (its form rendered), move focus to the field an error path names,
 * or the nearest field above it, or the form's heading.
 */
export function useFocusField(panelRef: RefObject<HTMLElement | null>, sel: Selection | null): (path: string) => void {
  const [focusPath, setFocusPath] = useState<string | null>(null);
  useEffect(() => {
    if (!focusPath) return;
    const panel = panelRef.current;
    let field: Element | null = null;
    for (let p = focusPath; p && !field; p = p.replace(/(\.[^.[]+|\[\d+\])$/, '')) {
      field = panel?.querySelector(`[data-path="${CSS.escape(p)}"]`) ?? null;
      if (p === '$') break;
    }
    const target = field?.querySelector<HTMLElement>('input, select, textarea') ?? panel?.querySelector<HTMLElement>('.geo-form h3');
    if (target) {
      if (!target.hasAttribute('tabindex') && target.tagName === 'H3') target.setAttribute('tabindex', '-1');
      target.focus();
      target.scrollIntoView({ block: 'center' });
    }
    setFocusPath(null);
  }, [panelRef, focusPath, sel]);
  return setFocusPath;
}
