// The Hugging Face Hub for the engine's worker and for Node: ids, the HTTP protocol, the files a Llama needs, and
// a resumable verifying download into a store the caller provides (see docs/hub.md).
export { DEFAULT_REVISION, HUB_PREFIX, checkPath, formatHubId, isCommit, isHubId, parseHubId, type HubId } from './id.ts';
export { HubError, causeText, type HubErrorCode } from './errors.ts';
export { DEFAULT_ENDPOINT, HubClient, fromEntry, normalizeEtag, type FileInfo, type HubOptions, type TreeEntry } from './client.ts';
export { CONFIG, INDEX, OPTIONAL, REQUIRED, SINGLE, checkLlama, formatBytes, missingShard, modelFiles, shardsOf, type ModelPlan, type PlanOptions } from './files.ts';
export { downloadFile, sha256Of, type DownloadProgress, type DownloadResult, type PartialFile } from './download.ts';
