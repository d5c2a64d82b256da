"""Deadline notices (整改提醒): the log of callbacks and e-mails sent before and at a deadline."""
