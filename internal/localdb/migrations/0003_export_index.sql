-- 0003: the start-time index covers every column an export or a session list
-- reads, so streaming a whole history walks one index in order instead of
-- looking each row up by id. It replaces idx_sessions_start (same prefix).
CREATE INDEX idx_sessions_start_cover ON time_sessions(
  start_time, device_id, repo_owner, repo_name, pr_number, end_time, status);
DROP INDEX idx_sessions_start;
