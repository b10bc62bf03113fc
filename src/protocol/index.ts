export * from './views';
export * from './messages';
export * from './page';
export * from './escape';
