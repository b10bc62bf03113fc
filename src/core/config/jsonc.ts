// jsonc-parser's UMD entry loads its parts with a dynamic require that bundlers cannot follow;
// its ES module build bundles cleanly (and runs under tsx), so every import goes through here.
export { findNodeAtLocation, parse, parseTree, printParseErrorCode, stripComments } from 'jsonc-parser/lib/esm/main.js';
export type { Node, ParseError } from 'jsonc-parser/lib/esm/main.js';
