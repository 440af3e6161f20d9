// Lets TypeScript (tsc at the root, which does not read .svelte files) type imports of components.
declare module '*.svelte' {
  import type { Component } from 'svelte';

  const component: Component<Record<string, unknown>>;
  export default component;
}
declare module '*.css';
