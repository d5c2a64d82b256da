"""Key-information repost tasks (重点信息转载任务): what must be reposted where, and what was found."""
