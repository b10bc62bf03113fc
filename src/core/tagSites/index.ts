export { findTagSites, firstTagSite, tagMatches, type TagSite, type TagSiteFile, type TagLoggingApi } from './scan';
export { tokenizePython, type PythonToken, type PythonTokenKind } from './pythonTokens';
