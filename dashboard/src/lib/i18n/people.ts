// Strings of the operations "people" tab (Vietnamese first). Spread into the dictionaries of i18n.svelte.ts.
export const vi = {};

export const en: Record<keyof typeof vi, string> = {};
