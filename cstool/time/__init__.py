"""Time: the clock (``--now``), durations, the business calendar, SLA clocks and what is due."""
