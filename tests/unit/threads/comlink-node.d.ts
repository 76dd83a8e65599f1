// comlink ships its Node adapter as .mjs with a .d.ts beside it that TypeScript does not pair with the .mjs.
declare module 'comlink/dist/esm/node-adapter.mjs' {
  export { default } from 'comlink/dist/esm/node-adapter';
}
