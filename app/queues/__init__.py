"""Queue numbers at the one-stop desk: queues per service group, tickets, calls to counters."""
