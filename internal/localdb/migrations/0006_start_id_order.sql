-- 0006: session lists and exports order by (start_time, id), but the
-- start-time index held id only after all its other columns, so SQLite
-- walked the whole index and sorted it: `sessions --limit 3` read the full
-- history. With id second the index yields that order itself and a list
-- stops after its first rows; it still covers every column an export reads
-- (its name stays). A list of one repository sorted all of that
-- repository's sessions the same way; its index now orders them by start,
-- and replaces idx_sessions_repo_pr, which served only that list.
DROP INDEX idx_sessions_start_cover;
CREATE INDEX idx_sessions_start_cover ON time_sessions(
  start_time, id, device_id, repo_owner, repo_name, pr_number, end_time, status);
DROP INDEX idx_sessions_repo_pr;
CREATE INDEX idx_sessions_repo_start ON time_sessions(repo_owner, repo_name, start_time, id);
