// Drift of vector (embedding) columns: Evidently's embedding drift methods, one verdict a column.
export {
  EMBEDDING_METHODS,
  DEFAULT_THRESHOLD as DEFAULT_EMBEDDING_THRESHOLD,
  resolveEmbeddingOptions,
  validateEmbeddingOptions,
  type EmbeddingDriftOptions,
  type EmbeddingMethodName,
  type ComponentTest,
  type ResolvedEmbeddingOptions,
} from './options';
export { buildEmbeddingReference, type EmbeddingReference } from './reference';
export { mmdPermutationTest, type MmdResult } from './mmd';
export {
  embeddingDrift,
  describeEmbeddingDrift,
  embeddingStrength,
  meanVector,
  euclideanDistance,
  cosineDistance,
  type EmbeddingDriftResult,
  type DomainAuc,
  linearDomainAuc,
} from './methods';
