"""Where the map step runs: this process, worker processes (`local`), or a Spark cluster (`spark`)."""
