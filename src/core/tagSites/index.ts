export { findTagSites, firstTagSite, siteLogsTag, tagMatches, type TagSite, type TagSiteFile, type TagLoggingApi } from './scan';
export { tokenizePython, type PythonToken, type PythonTokenKind } from './pythonTokens';
export { findLogWriters, type LogWriter, type LogWriterApi } from './writers';
export {
  describePlacedFinding,
  placeFindings,
  scanScript,
  tieIncludes,
  tieScript,
  type PlaceableFinding,
  type PlacedFinding,
  type RunPlace,
  type ScriptSites,
  type ScriptTie,
} from './ties';
export { isAbsolutePath, isAtOrUnder, normalizePath, parentPath, relativePath, resolvePath } from './paths';
export {
  dataLoaderFix,
  findDataLoaders,
  trainingLoaders,
  usesCuda,
  type DataLoaderCall,
  type DataLoaderFix,
  type DataLoaderFixOptions,
  type LoaderArgument,
  type SourceEdit,
  type SourceSpan,
} from './dataLoader';
export { placeRunFindings, type LoaderScript, type PlacedRunFinding, type RunFindingSite, type TaggedRunPlace } from './dataLoaderFindings';
