/**
 * Stands in for the `source-map` package in the console's bundle (build.ts aliases it here):
 * Handlebars' compiler uses its SourceNode only when it finds one, and otherwise builds the same
 * code with a small stand-in of its own (compiler/code-gen.js). The console never asks for source
 * maps of templates, so 27 KB of minified code go unused.
 */
export {};
