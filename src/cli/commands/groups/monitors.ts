// One bundle for the commands that run every configured monitor (scripts/cli-bundles.mjs): they
// share nearly all their code, so apart they would ship it four times.
export { checkCommand } from '../check';
export { predictionsCommand } from '../predictions';
export { reportCommand } from '../report';
export { watchCommand } from '../watch';
