"""Live log delivery: one poll loop per watched execution per process, fanned out to every viewer."""
