import type { TrainingFocus } from '../src/protocol';

/** One dashboard in the page: takes the whole state, then incremental updates. */
export interface Dashboard<State, Update> {
  init(state: State, focus?: TrainingFocus): void;
  update(update: Update): void;
  reveal?(focus: TrainingFocus): void;
  themeChanged(): void;
}
