// @hotline/acd: not built yet (see README.md). An empty module keeps the workspace and
// its project references whole until the first real file lands.
export {};
