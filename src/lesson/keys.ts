// Which key presses turn the lesson's pages: ArrowRight / Space forward, ArrowLeft back, like a slide deck, but
// never while someone types or works a control that uses those keys itself (text boxes, sliders, selects, the
// heatmap's cell cursor), and never with a modifier (Alt+Left is the browser's Back).

/** Elements whose own keyboard behaviour uses arrows or Space. */
const OWN_KEYS = 'input, textarea, select, [contenteditable=""], [contenteditable="true"], [role="slider"], [role="grid"], [role="listbox"], [role="menu"], [role="tablist"], [data-own-keys]';

/** +1, -1, or null when the key press is not the lesson's to take. */
export function pageTurn(e: Pick<KeyboardEvent, 'key' | 'altKey' | 'ctrlKey' | 'metaKey' | 'shiftKey' | 'defaultPrevented' | 'target'>): 1 | -1 | null {
  if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey) return null;
  const t = e.target as Element | null;
  if (t && typeof t.closest === 'function' && t.closest(OWN_KEYS)) return null;
  // Space on a button presses the button; on anything else it turns the page (Shift+Space turns back).
  if (e.key === ' ') return t && typeof t.closest === 'function' && t.closest('button, a, summary, [role="button"]') ? null : e.shiftKey ? -1 : 1;
  if (e.key === 'ArrowRight') return 1;
  if (e.key === 'ArrowLeft') return -1;
  return null;
}
