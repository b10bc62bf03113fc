/** The product's version, as `modelmon --version` and modelmon_build_info show it. */
export const VERSION = '0.1.0';
