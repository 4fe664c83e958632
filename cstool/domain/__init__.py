"""The ticket domain: the ticket model, its state machine and history, the workflow that
changes it, permissions, routing, templates, customers and the three-way ticket merge."""
