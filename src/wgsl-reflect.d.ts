// wgsl_reflect's main entry is CommonJS-flavoured and breaks under Node ESM; the kit imports its
// ES module build directly, which has the same API and types.
declare module 'wgsl_reflect/wgsl_reflect.module.js' {
  export * from 'wgsl_reflect';
}
