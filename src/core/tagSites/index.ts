export { findTagSites, tagMatches, type TagSite, type TagLoggingApi } from './scan';
export { tokenizePython, type PythonToken, type PythonTokenKind } from './pythonTokens';
