"""Git: running git for the desk (commits, status, history), the merge driver and sync."""
