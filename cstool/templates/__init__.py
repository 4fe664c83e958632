"""Ticket templates shipped with cstool; `cstool init` copies them into a new desk."""
