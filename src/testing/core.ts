// What each network's core instance exports: crossnet's whole public module, unchanged.
export * from '../index.ts';
export { default } from '../index.ts';
